//! The option table against the real sbatch 22.05: its man page's option list and its
//! `--help`/`--usage` output, saved as test data from the installed `slurm-client`.
//! Fails when an option is missing or its short letter differs.

use clusterls_sbatch::{by_long, options};

fn data(name: &str) -> String {
    let path = format!("{}/../../../tests/data/sbatch/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_man_page_option_is_in_the_table() {
    let man = data("man-22.05-options.txt");
    let missing: Vec<&str> = man
        .lines()
        .map(|l| l.trim().trim_start_matches("--"))
        .filter(|l| !l.is_empty())
        .filter(|name| by_long(name).is_none_or(|o| !o.in_version((22, 5))))
        .collect();
    assert!(missing.is_empty(), "options of sbatch 22.05 missing from options.rs: {missing:?}");
    assert!(man.lines().count() >= 100, "the man page list looks truncated");
}

#[test]
fn help_and_usage_options_and_short_letters_match() {
    let help = data("sbatch-22.05-help.txt");
    let usage = data("sbatch-22.05-usage.txt");
    let mut checked = 0;
    for line in help.lines() {
        let t = line.trim_start();
        // "-a, --array=indexes ..." or "-B  --extra-node-info=..." or "    --bb=<spec> ..."
        let (short, rest) = if t.starts_with('-') && !t.starts_with("--") {
            let c = t.chars().nth(1).unwrap();
            (Some(c), t[2..].trim_start_matches(',').trim_start())
        } else {
            (None, t)
        };
        let Some(long) = rest.strip_prefix("--") else { continue };
        let name: String =
            long.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        let spec = by_long(&name)
            .unwrap_or_else(|| panic!("--{name} from sbatch --help is not in options.rs"));
        assert_eq!(spec.short, short, "short letter of --{name}");
        checked += 1;
    }
    assert!(checked > 90, "only {checked} options parsed from --help");
    for word in usage.split_whitespace() {
        let Some(long) = word.trim_start_matches('[').strip_prefix("--") else { continue };
        let name: String =
            long.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        assert!(by_long(&name).is_some(), "--{name} from sbatch --usage is not in options.rs");
    }
}

#[test]
fn newer_options_are_versioned() {
    for (name, since) in
        [("prefer", (22, 5)), ("extra", (23, 2)), ("stepmgr", (24, 5)), ("segment", (25, 5))]
    {
        let o = by_long(name).unwrap();
        assert_eq!(o.since, since, "{name}");
        assert!(!o.in_version((22, 5)) || since <= (22, 5));
    }
    assert!(!by_long("power").unwrap().in_version((23, 2)));
    assert!(options().len() >= 105);
}
