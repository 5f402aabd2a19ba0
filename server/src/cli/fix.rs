//! `clusterls check --fix`: apply the fixes that are unambiguous, the ones a finding offers
//! alone (a finding with several fixes asks for a choice and is left to the user). Pure:
//! text and findings in, text out; `check` writes the file.

use clusterls_core::{Edit, Finding};

/// The edits of every finding with exactly one fix, less those that overlap an edit taken
/// before them (they apply on the next round, if still wanted).
pub fn unambiguous_edits(findings: &[Finding]) -> Vec<Edit> {
    let mut taken: Vec<Edit> = Vec::new();
    for f in findings {
        let [fix] = f.fixes.as_slice() else { continue };
        let overlaps = |e: &Edit| {
            taken.iter().any(|t| {
                e.range.start < t.range.end && t.range.start < e.range.end
                    || (e.range.is_empty() || t.range.is_empty()) && e.range.start == t.range.start
            })
        };
        if fix.edits.iter().any(overlaps) || fix.edits.is_empty() {
            continue;
        }
        taken.extend(fix.edits.iter().cloned());
    }
    taken.sort_by_key(|e| (e.range.start, e.range.end));
    taken
}

/// `text` with `edits` (sorted, not overlapping) applied; edits outside the text or off a
/// character boundary are skipped.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in edits {
        let (s, t) = (e.range.start, e.range.end);
        if s < at
            || t < s
            || t > text.len()
            || !text.is_char_boundary(s)
            || !text.is_char_boundary(t)
        {
            continue;
        }
        out.push_str(&text[at..s]);
        out.push_str(&e.replacement);
        at = t;
    }
    out.push_str(&text[at..]);
    out
}

/// Apply unambiguous fixes until none is left (a fix can reveal another), at most a few
/// rounds. Returns the new text and how many fixes were applied.
pub fn fix_all(text: &str, check: impl Fn(&str) -> Vec<Finding>) -> (String, usize) {
    let mut text = text.to_string();
    let mut applied = 0;
    for _ in 0..8 {
        let edits = unambiguous_edits(&check(&text));
        if edits.is_empty() {
            break;
        }
        let next = apply(&text, &edits);
        if next == text {
            break;
        }
        applied += edits.len();
        text = next;
    }
    (text, applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clusterls_core::{CodeFilter, FileKind, Fix};

    fn finding(
        range: std::ops::Range<usize>,
        fixes: &[(&str, std::ops::Range<usize>, &str)],
    ) -> Finding {
        let mut f = Finding::error(range, "x/y", "m");
        for (t, r, rep) in fixes {
            f = f.with_fix(Fix::replace(*t, r.clone(), *rep));
        }
        f
    }

    #[test]
    fn only_single_fixes_without_overlap() {
        let fs = [
            finding(0..3, &[("a", 0..3, "AAA")]),
            finding(1..2, &[("b", 1..2, "B")]),
            finding(4..5, &[("c", 4..5, "C"), ("d", 4..5, "D")]),
            finding(6..7, &[("e", 6..7, "E")]),
        ];
        let edits = unambiguous_edits(&fs);
        assert_eq!(apply("abc d f g", &edits), "AAA d E g");
    }

    #[track_caller]
    fn check(input: &str, expected: &str) {
        let run = |t: &str| crate::checks::check(FileKind::Sbatch, t, None, &CodeFilter::default());
        let (fixed, _) = fix_all(input, run);
        assert_eq!(fixed, expected);
        let (again, n) = fix_all(&fixed, run);
        assert_eq!((again.as_str(), n), (expected, 0), "a second run changed something");
    }

    #[test]
    fn sbatch_fixes_apply_once() {
        check(
            "#!/bin/bash\n#SBATCH --partiton=gpu\necho\n",
            "#!/bin/bash\n#SBATCH --partition=gpu\necho\n",
        );
        check("#!/bin/bash\n# SBATCH -p gpu\necho\n", "#!/bin/bash\n#SBATCH -p gpu\necho\n");
        check("#!/bin/bash\n#SBATCH -p gpu\necho\n", "#!/bin/bash\n#SBATCH -p gpu\necho\n");
    }
}
