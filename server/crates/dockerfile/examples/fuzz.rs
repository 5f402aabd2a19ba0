//! Long fuzz run: `cargo run --release -p clusterls-dockerfile --example fuzz -- SECONDS [SEED]`.
//! Generates random and mutated Dockerfiles (from tests/data/dockerfiles), asserts the
//! parser's and checks' invariants (spans in bounds and on char boundaries, fixes apply
//! cleanly, no panic) and prints how many inputs it ran. A panic prints the input.

#[path = "../tests/common/fuzz.rs"]
mod fuzz_support;

use std::time::{Duration, Instant};

use fuzz_support::{Rng, exercise, generate, mutate};

fn main() {
    let mut args = std::env::args().skip(1);
    let secs: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(60);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/data/dockerfiles");
    let corpus: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.flatten().filter_map(|e| std::fs::read_to_string(e.path()).ok()).collect())
        .unwrap_or_default();
    let mut rng = Rng::new(seed);
    let start = Instant::now();
    let mut n: u64 = 0;
    let mut findings: u64 = 0;
    while start.elapsed() < Duration::from_secs(secs) {
        for _ in 0..200 {
            let t = if !corpus.is_empty() && rng.below(2) == 0 {
                let base = &corpus[rng.below(corpus.len())];
                mutate(&mut rng, base)
            } else {
                let g = generate(&mut rng);
                if rng.below(2) == 0 { mutate(&mut rng, &g) } else { g }
            };
            let r = std::panic::catch_unwind(|| exercise(&t));
            match r {
                Ok(k) => findings += k as u64,
                Err(_) => {
                    eprintln!("PANIC on input (seed {seed}, case {n}):\n{t:?}");
                    std::process::exit(1);
                }
            }
            n += 1;
        }
    }
    println!(
        "fuzz: {n} inputs in {:.0}s (seed {seed}, {} corpus files), {findings} findings, no panic",
        start.elapsed().as_secs_f64(),
        corpus.len()
    );
}
