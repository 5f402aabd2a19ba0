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
    let mut files: Vec<_> =
        std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    files.sort();
    let mut rng = Rng::new(7);
    for p in files.iter().take(40) {
        let Ok(t) = std::fs::read_to_string(p) else { continue };
        exercise(&t);
        for _ in 0..10 {
            exercise(&mutate(&mut rng, &t));
        }
    }
}
