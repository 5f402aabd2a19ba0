//! No error-level finding on a corpus of valid scripts in the styles people write
//! (GPU training, containers, arrays, multi-node torchrun, CPU preprocessing).

mod sbatch_common;

use clusterls_core::Severity;
use sbatch_common::{clusterls, data, require_shellcheck};

fn corpus() -> Vec<(String, String)> {
    let dir = data("sbatch/valid");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn corpus_has_no_errors() {
    let files = corpus();
    assert!(files.len() >= 50, "corpus has {} scripts", files.len());
    let mut bad = Vec::new();
    for (name, text) in &files {
        for f in clusterls_sbatch::check(text, None) {
            if f.severity <= Severity::Warning {
                bad.push(format!("{name}: {} {}: {}", f.severity.as_str(), f.code, f.message));
            }
        }
    }
    assert!(bad.is_empty(), "findings on valid scripts:\n{}", bad.join("\n"));
}

#[test]
fn corpus_through_the_cli_with_shellcheck() {
    let dir = data("sbatch/valid");
    let paths: Vec<String> =
        corpus().iter().map(|(n, _)| dir.join(n).display().to_string()).collect();
    let mut args = vec!["check"];
    args.extend(paths.iter().map(String::as_str));
    let out = clusterls(&args, "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    require_shellcheck();
    assert!(!stdout.contains("error["), "{stdout}");
}
