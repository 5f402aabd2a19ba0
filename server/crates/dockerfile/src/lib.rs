//! Dockerfiles: parse with exact spans and check them, including what
//! Apptainer/Singularity will do with each instruction. Pure, never fails.

use clusterls_core::{ClusterFacts, Finding};

/// Check a Dockerfile. `facts` enables checks against the cluster (GPU driver).
pub fn check(_text: &str, _facts: Option<&ClusterFacts>) -> Vec<Finding> {
    Vec::new()
}
