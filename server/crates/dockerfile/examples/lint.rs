//! Print the findings for Dockerfiles: `cargo run -p clusterls-dockerfile --example lint -- FILE...`
//! One line per finding: `path:line:col: code: message` (for ad-hoc runs and the
//! hadolint comparison script). `--json` prints `{"file","line","iline","code","severity"}` objects, one per line.

use clusterls_core::text::{LineIndex, human_position};

fn main() {
    let mut json = false;
    for arg in std::env::args().skip(1) {
        if arg == "--json" {
            json = true;
            continue;
        }
        let text = match std::fs::read_to_string(&arg) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{arg}: cannot read: {e}");
                continue;
            }
        };
        let idx = LineIndex::new(&text);
        let df = clusterls_dockerfile::parse(&text);
        for f in clusterls_dockerfile::check(&text, None) {
            let (line, col) = human_position(&text, &idx, f.range.start);
            // The line of the instruction holding the finding (hadolint reports there).
            let iline = df
                .instructions
                .iter()
                .find(|i| i.span.start <= f.range.start && f.range.start <= i.span.end)
                .map_or(line, |i| human_position(&text, &idx, i.span.start).0);
            if json {
                println!(
                    "{}",
                    serde_json::json!({"file": arg, "line": line, "iline": iline, "code": f.code, "severity": f.severity.as_str()})
                );
            } else {
                println!("{arg}:{line}:{col}: {} [{}] {}", f.code, f.severity.as_str(), f.message);
            }
        }
    }
}
