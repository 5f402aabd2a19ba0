//! Every finding over the Dockerfile corpus (tests/data/dockerfiles), as
//! `file:line code` lines: a regression snapshot of the whole rule set on realistic
//! input. `UPDATE_EXPECT=1` refreshes it after an intended change; review the diff.

use expect_test::expect_file;

#[test]
fn corpus_findings() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/data/dockerfiles");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    assert!(files.len() >= 200, "the corpus has {} files", files.len());
    let mut out = String::new();
    for p in &files {
        let text = std::fs::read_to_string(p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy();
        for f in clusterls_dockerfile::check(&text, None) {
            let line = text[..f.range.start].matches('\n').count() + 1;
            out += &format!("{name}:{line} {}\n", f.code);
        }
    }
    expect_file!["corpus_findings.txt"].assert_eq(&out);
}
