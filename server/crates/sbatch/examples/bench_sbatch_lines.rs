//! Benchmark: check time against script length, to show the checker is linear.
//! Prints the time for 10k, 20k, 40k and 80k-line scripts of one directive repeated,
//! and of a mix (every kind of directive, ignored and stray lines, hetjob components,
//! a body with container commands), each the best of three runs, the time to find a
//! mixed script's `--output` directories (`log_dirs`, the editor's probe), then a 50 MB
//! script past the size cap. Linear means the time doubles with the lines.
//!
//!     cargo run --release -p clusterls-sbatch --example bench_sbatch_lines
//!
//! Prints figures; asserts nothing.

use std::path::PathBuf;
use std::time::Instant;

/// One line of each kind the checker treats differently.
const MIX: &[&str] = &[
    "#SBATCH --time=1:00:00",
    "#SBATCH --partition=gpu",
    "#SBATCH --gres=gpu:2",
    "#SBATCH --mem=10gb",
    "#SBATCH --output=out-%j-${USER}.log",
    "#SBATCH --error=/scratch/logs/err-%j.log",
    "#SBATCH --account=nosuch",
    "#SBATCH --nodes=1 --ntasks=2 stray",
    "#SBATCH --exclude=node[1-2]",
    "#SBATCH --constraint=a100",
    "#SBATCH --mail-type=END,BOGUS",
    "  #SBATCH --indented",
    "# SBATCH --spaced",
    "#sbatch --case",
    "#SBATCH --tim=1",
    "#SBATCH -p",
    "#SBATCH hetjob",
];

const BODY: &[&str] = &[
    "singularity exec img.sif python train.py",
    "apptainer pull docker://python:3.11",
    "srun python x.py",
    "#SBATCH --after-command",
];

fn script(lines: usize, mixed: bool) -> String {
    let mut s = String::from("#!/bin/bash\n");
    if mixed {
        for i in 0..lines / 2 {
            s += MIX[i % MIX.len()];
            s.push('\n');
        }
        for i in 0..lines / 2 {
            s += BODY[i % BODY.len()];
            s.push('\n');
        }
    } else {
        for _ in 0..lines {
            s += "#SBATCH --time=1:00:00\n";
        }
    }
    s
}

fn main() {
    let facts: clusterls_core::ClusterFacts = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../tests/data/local-cluster-facts-22.05.json"),
        )
        .expect("tests/data/local-cluster-facts-22.05.json"),
    )
    .expect("facts JSON");
    for (label, mixed) in [("identical directives", false), ("mixed lines", true)] {
        for with_facts in [false, true] {
            let mut line =
                format!("{label:>20}, {}:", if with_facts { "with facts" } else { "no facts  " });
            for n in [10_000, 20_000, 40_000, 80_000] {
                let text = script(n, mixed);
                // The best of three runs: the machine may be shared.
                let mut ms = f64::MAX;
                let mut findings = Vec::new();
                for _ in 0..3 {
                    let start = Instant::now();
                    findings = clusterls_sbatch::check(&text, with_facts.then_some(&facts));
                    ms = ms.min(start.elapsed().as_secs_f64() * 1e3);
                }
                line += &format!("  {}k lines {ms:8.1} ms ({} findings)", n / 1000, findings.len());
            }
            println!("{line}");
        }
    }
    // The --output/--error directories the language server asks about, on each publish.
    let mut line = String::from("log_dirs (the editor's probe), mixed lines:");
    for n in [10_000, 20_000, 40_000, 80_000] {
        let script = clusterls_sbatch::parse(&script(n, true));
        let start = Instant::now();
        let dirs = clusterls_sbatch::log_dirs(&script);
        let ms = start.elapsed().as_secs_f64() * 1e3;
        line += &format!("  {}k lines {ms:8.2} ms ({} dirs)", n / 1000, dirs.len());
    }
    println!("{line}");
    // Past the size cap (clusterls_sbatch::MAX_SCRIPT_BYTES) a script gets one finding.
    let huge = script(2_300_000, false);
    let start = Instant::now();
    let findings = clusterls_sbatch::check(&huge, Some(&facts));
    println!(
        "{:.0} MB script (over the {} MiB cap): {:.1} ms, {} finding ({})",
        huge.len() as f64 / 1e6,
        clusterls_sbatch::MAX_SCRIPT_BYTES >> 20,
        start.elapsed().as_secs_f64() * 1e3,
        findings.len(),
        findings[0].code
    );
}
