//! "Did you mean": the closest candidate to a misspelled name.

/// Levenshtein distance over chars, case-sensitive.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `name`, if it is close enough to be a plausible typo:
/// at most a third of the name's length in edits (at least 1), or a case-insensitive
/// match, or a unique candidate that `name` is a prefix of.
pub fn did_you_mean<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = name.to_lowercase();
    let limit = (name.chars().count() / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    let mut prefixed: Vec<&'a str> = Vec::new();
    for cand in candidates {
        if cand == name {
            continue;
        }
        if cand.to_lowercase() == lower {
            return Some(cand);
        }
        if name.len() >= 2 && cand.starts_with(name) {
            prefixed.push(cand);
        }
        let d = edit_distance(&lower, &cand.to_lowercase());
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c).or(if prefixed.len() == 1 { Some(prefixed[0]) } else { None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(name: &str, candidates: &[&str], expected: Option<&str>) {
        assert_eq!(did_you_mean(name, candidates.iter().copied()), expected);
    }

    #[test]
    fn suggestions() {
        check("gpuu", &["cpu", "gpu", "test"], Some("gpu"));
        check("GPU", &["cpu", "gpu"], Some("gpu"));
        check("partiton", &["partition", "parsable"], Some("partition"));
        check("xyz", &["cpu", "gpu"], None);
        check("lab_grad", &["lab_grads", "lab_dev"], Some("lab_grads"));
        check("kempner_h1", &["kempner_h100", "kempner_h200"], Some("kempner_h100"));
        check("gpu", &["gpu"], None);
    }
}
