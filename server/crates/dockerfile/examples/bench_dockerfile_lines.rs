//! Benchmark: check time against Dockerfile length, to show the checker is linear.
//! Prints the best of three runs for 10k, 20k, 40k and 80k-line Dockerfiles of one
//! instruction repeated, and of a mix (stages, ARG/ENV, COPY --from, package installs,
//! ignore comments, CMD), and of small stages (FROM, COPY --from, ARG use). Linear means the time doubles with the lines.
//!
//!     cargo run --release -p clusterls-dockerfile --example bench_dockerfile_lines [-- LINES...]
//!
//! Prints figures; asserts nothing.

use std::time::Instant;

const MIX: &[&str] = &[
    "FROM ubuntu:22.04 AS base",
    "ARG VERSION=1",
    "ENV PATH=/opt/bin:$PATH TOKEN=x",
    "RUN apt-get update && apt-get install curl | tee log",
    "# hadolint ignore=DL3008",
    "RUN pip install torch",
    "COPY --from=base /a /b",
    "WORKDIR app",
    "USER nobody",
    "EXPOSE 8080",
    "run cd /tmp && echo $VERSION",
    "CMD python app.py",
    "FROM base",
];

/// Many small stages, each copying from the one before and using a global ARG.
fn stage(i: usize) -> String {
    format!(
        "FROM base{} AS s{i}\nCOPY --from=s{} /a /b\nRUN echo $VERSION\nENV A=1",
        i % 7,
        i.saturating_sub(1)
    )
}

fn dockerfile(lines: usize, kind: usize) -> String {
    let mut s = String::from("ARG VERSION=1\nFROM python:3.11\n");
    for i in 0..lines {
        match kind {
            0 => s += "RUN echo hello",
            1 => s += MIX[i % MIX.len()],
            _ if i % 4 == 0 => s += &stage(i / 4),
            _ => continue,
        }
        s.push('\n');
    }
    s
}

fn main() {
    let facts =
        clusterls_core::ClusterFacts { gpu_driver: Some("470.57.02".into()), ..Default::default() };
    // Sizes in lines, from the arguments (default 10k, 20k, 40k, 80k).
    let mut sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![10_000, 20_000, 40_000, 80_000];
    }
    for (label, kind) in [("identical instructions", 0), ("mixed lines", 1), ("small stages", 2)] {
        let mut line = format!("{label:>22}:");
        for &n in &sizes {
            let text = dockerfile(n, kind);
            let mut ms = f64::MAX;
            let mut findings = 0;
            for _ in 0..3 {
                let start = Instant::now();
                findings = clusterls_dockerfile::check(&text, Some(&facts)).len();
                ms = ms.min(start.elapsed().as_secs_f64() * 1e3);
            }
            line += &format!("  {}k lines {ms:8.1} ms ({findings} findings)", n / 1000);
        }
        println!("{line}");
    }
}
