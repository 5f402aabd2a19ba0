//! A short fuzz run as a normal test (the long run is `examples/fuzz.rs`).

#[path = "common/fuzz.rs"]
mod fuzz_support;

use fuzz_support::{Rng, exercise, generate, mutate};

#[test]
fn random_dockerfiles_keep_invariants() {
    let mut rng = Rng::new(42);
    for _ in 0..600 {
        let t = generate(&mut rng);
        exercise(&t);
        let m = mutate(&mut rng, &t);
        exercise(&m);
    }
}

#[test]
fn corpus_mutations_keep_invariants() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/data/dockerfiles");
    // A missing or empty corpus fails: this test must not pass on nothing.
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("the Dockerfile corpus {dir} cannot be read: {e}"));
    let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    files.sort();
    let mut rng = Rng::new(7);
    let mut exercised = 0;
    for p in files.iter().take(40) {
        let t = std::fs::read_to_string(p)
            .unwrap_or_else(|e| panic!("corpus file {} cannot be read: {e}", p.display()));
        exercise(&t);
        for _ in 0..10 {
            exercise(&mutate(&mut rng, &t));
        }
        exercised += 1;
    }
    assert!(
        exercised >= 40,
        "only {exercised} Dockerfiles in {dir}; the corpus (tools/gen_corpus.py) is missing"
    );
}
