//! Pure POSIX shell quoting, for the few places where clusterls writes shell text
//! (the generated sbatch script, the command a user is told to run). Remote commands
//! themselves are argv, escaped by the transport, never assembled from strings here.

/// Quote `s` so that a POSIX shell reads it back as exactly one word, whatever it holds
/// (spaces, quotes, `$()`, backticks, `;`, newlines, non-ASCII). Plain words stay bare
/// so that generated scripts remain readable.
pub fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'_' | b'-' | b'.' | b'/' | b',' | b'=' | b':' | b'@' | b'+' | b'%')
        });
    if plain {
        return s.to_string();
    }
    // Inside single quotes nothing is special but the single quote itself, which is
    // written as: close quote, escaped quote, reopen quote.
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// Quote every word and join with spaces.
pub fn join<I, S>(words: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    words.into_iter().map(|w| quote(w.as_ref())).collect::<Vec<_>>().join(" ")
}

/// A name safe to use in a file name, a job name and an sbatch directive without
/// quoting: ASCII letters, digits, `.`, `_` and `-`; anything else becomes `_`.
/// Never empty, never starts with `-` or `.`.
pub fn safe_name(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '_' })
        .collect();
    while out.starts_with(['-', '.']) {
        out.replace_range(0..1, "_");
    }
    out.truncate(60);
    if out.is_empty() { "job".to_string() } else { out }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    #[track_caller]
    fn check(input: &str, expect: Expect) {
        let actual = format!("{} | {}", super::quote(input), super::safe_name(input));
        expect.assert_eq(&actual);
    }

    #[test]
    fn quoting() {
        check("train.py", expect!["train.py | train.py"]);
        check("my script.py", expect!["'my script.py' | my_script.py"]);
        check("it's.py", expect![[r#"'it'\''s.py' | it_s.py"#]]);
        check(
            "$(touch MARKER);`id`.py",
            expect!["'$(touch MARKER);`id`.py' | __touch_MARKER___id_.py"],
        );
        check(
            "a\nb",
            expect![[r#"
            'a
            b' | a_b"#]],
        );
        check("", expect!["'' | job"]);
        check("-rf", expect!["-rf | _rf"]);
        check("ünï.py", expect!["'ünï.py' | _n_.py"]);
    }

    /// The quoted text, read back by a real shell, is the original word.
    #[test]
    fn round_trips_through_sh() {
        for word in [
            "plain",
            "a b",
            "it's",
            "$(touch /nonexistent/MARKER)",
            "`id`;x",
            "a\nb",
            "ünï",
            "\"q\"",
            "\\",
        ] {
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("printf %s {}", super::quote(word)))
                .stdin(std::process::Stdio::null())
                .stderr(std::process::Stdio::inherit())
                .output()
                .unwrap();
            assert_eq!(String::from_utf8(out.stdout).unwrap(), word);
        }
    }
}
