//! sbatch scripts: parse directives exactly as Slurm's sbatch does and check them.
//! Pure: text (and optional cluster facts) in, values out. Never fails.

use clusterls_core::{ClusterFacts, Finding};

/// Check an sbatch script. `facts` enables the checks against the real cluster.
pub fn check(_text: &str, _facts: Option<&ClusterFacts>) -> Vec<Finding> {
    Vec::new()
}
