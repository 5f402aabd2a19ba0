//! Pure: which program runs a script inside the container, chosen from the file itself.
//!
//! Rules, in order:
//! 1. `*.py` runs with the configured Python (`python` in clusterls.toml, default
//!    `python3`), whatever its shebang says: the configured one is the environment the
//!    user chose for the image.
//! 2. A first line starting `#!` runs with that interpreter, read as Linux reads it: the
//!    interpreter path is the first word after `#!` (blanks skipped), the rest of the
//!    line, trimmed, is ONE argument (`#!/bin/bash -l` → `["/bin/bash", "-l"]`). For
//!    `/usr/bin/env`, `-S`/`--split-string` splits the rest into words as GNU env does;
//!    `#!/usr/bin/env python3 -u` without `-S` fails on Linux (env looks for a program
//!    called `python3 -u`), works on macOS, and is split here as macOS does, with a note.
//! 3. `*.sh` / `*.bash` without a shebang run with `bash`.
//! 4. Anything else is refused with a message that says what to add.
//!
//! The engine calls [`interpreter_for`] with the file name and the first line of the
//! file (or its first 256 bytes: the kernel's limit), then runs
//! `[argv.., script, args..]` inside the container ([`crate::engine::container::container_line`]).

/// How the script will be started, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpreter {
    /// The argv prefix; the script's path and its arguments follow.
    pub argv: Vec<String>,
    /// Where it came from, for messages and the job script's header.
    pub source: Source,
    /// Things worth telling the user (a shebang that Linux would read differently).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The configured Python, for a `.py` file.
    ConfiguredPython,
    /// The file's `#!` line.
    Shebang,
    /// `bash`, for a `.sh`/`.bash` file without a shebang.
    ShellExtension,
}

/// Linux reads at most this many bytes of a `#!` line (BINPRM_BUF_SIZE since 5.1).
pub const SHEBANG_LIMIT: usize = 256;

/// The interpreter for `file_name` whose text starts with `first_line` (anything after
/// the first `\n` is ignored). `python` is the configured Python command.
pub fn interpreter_for(
    file_name: &str,
    first_line: &str,
    python: &str,
) -> Result<Interpreter, String> {
    let base = file_name.rsplit('/').next().unwrap_or(file_name);
    let ext = base.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let line = first_line.split('\n').next().unwrap_or("");
    if ext.as_deref() == Some("py") {
        let argv: Vec<String> = python.split_whitespace().map(str::to_string).collect();
        if argv.is_empty() {
            return Err("`python` in clusterls.toml is empty; set it to e.g. \"python3\"".into());
        }
        return Ok(Interpreter { argv, source: Source::ConfiguredPython, notes: vec![] });
    }
    if let Some(rest) = line.strip_prefix("#!") {
        return shebang(base, rest);
    }
    if matches!(ext.as_deref(), Some("sh" | "bash")) {
        return Ok(Interpreter {
            argv: vec!["bash".into()],
            source: Source::ShellExtension,
            notes: vec![],
        });
    }
    Err(format!(
        "clusterls cannot tell how to run `{base}`: it is not a .py, .sh or .bash file and has no \
         `#!` line. Add a first line such as `#!/bin/bash` or `#!/usr/bin/env python3`, or \
         rename it to .py/.sh."
    ))
}

fn shebang(base: &str, rest: &str) -> Result<Interpreter, String> {
    if rest.len() + 2 > SHEBANG_LIMIT {
        return Err(format!(
            "the `#!` line of `{base}` is longer than {SHEBANG_LIMIT} bytes, which Linux refuses; \
             shorten it (e.g. `#!/usr/bin/env python3`)"
        ));
    }
    if rest.contains('\r') {
        return Err(format!(
            "the `#!` line of `{base}` ends with a carriage return (Windows line endings), so \
             Linux looks for an interpreter whose name ends in `\\r`; convert the file with \
             `dos2unix` or save it with LF line endings"
        ));
    }
    // The kernel: skip blanks, the interpreter ends at the next blank, the rest (blanks
    // trimmed at both ends) is one argument.
    let rest = rest.trim_matches([' ', '\t']);
    let (path, arg) = match rest.find([' ', '\t']) {
        Some(i) => (&rest[..i], Some(rest[i..].trim_matches([' ', '\t']))),
        None => (rest, None),
    };
    if path.is_empty() {
        return Err(format!(
            "the `#!` line of `{base}` names no interpreter; write e.g. `#!/bin/bash`"
        ));
    }
    let mut argv = vec![path.to_string()];
    let mut notes = Vec::new();
    let is_env = path.rsplit('/').next() == Some("env");
    match arg {
        None => {}
        Some(arg) if is_env => {
            if let Some(split) = arg
                .strip_prefix("-S")
                .or_else(|| arg.strip_prefix("--split-string="))
                .or_else(|| arg.strip_prefix("--split-string"))
            {
                argv.extend(env_split(split).map_err(|e| {
                    format!("the `#!` line of `{base}`: env -S cannot read it: {e}")
                })?);
            } else if arg.contains([' ', '\t']) {
                argv.extend(arg.split([' ', '\t']).filter(|w| !w.is_empty()).map(String::from));
                notes.push(format!(
                    "`#!{path} {arg}` passes `{arg}` to env as one word on Linux, where running \
                     the file directly fails; clusterls splits it (as macOS does). Write \
                     `#!{path} -S {arg}` to make the file itself work on Linux."
                ));
            } else {
                argv.push(arg.to_string());
            }
        }
        Some(arg) => argv.push(arg.to_string()),
    }
    if is_env && argv.len() == 1 {
        return Err(format!(
            "the `#!` line of `{base}` runs env without a program; write e.g. \
             `#!/usr/bin/env python3`"
        ));
    }
    Ok(Interpreter { argv, source: Source::Shebang, notes })
}

/// GNU env's `-S` splitting: blanks separate, `'...'` is literal, `"..."` and bare text
/// take `\\`, `\"`, `\'`, `\_` (a space), `\t`, `\n`; `#` at a word start ends the line.
/// `${VAR}` is not expanded here (it would be the container's variable): refused.
fn env_split(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur: Option<String> = None;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if let Some(w) = cur.take() {
                    words.push(w);
                }
            }
            '#' if cur.is_none() => break,
            '\'' => {
                let w = cur.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(x) => w.push(x),
                        None => return Err("no terminating quote in -S string".into()),
                    }
                }
            }
            '"' => {
                let w = cur.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => w.push(escape(chars.next())?),
                        Some('$') => return Err("`$` variables are not supported".into()),
                        Some(x) => w.push(x),
                        None => return Err("no terminating quote in -S string".into()),
                    }
                }
            }
            '\\' => {
                let next = chars.next();
                if next == Some('c') {
                    break;
                }
                cur.get_or_insert_with(String::new).push(escape(next)?);
            }
            '$' => return Err("`$` variables are not supported".into()),
            x => cur.get_or_insert_with(String::new).push(x),
        }
    }
    if let Some(w) = cur {
        words.push(w);
    }
    Ok(words)
}

fn escape(c: Option<char>) -> Result<char, String> {
    match c {
        Some('_') => Ok(' '),
        Some('t') => Ok('\t'),
        Some('n') => Ok('\n'),
        Some('r') => Ok('\r'),
        Some('f') => Ok('\x0c'),
        Some('v') => Ok('\x0b'),
        Some(x @ ('\\' | '"' | '\'' | '#' | '$')) => Ok(x),
        Some(x) => Err(format!("invalid backslash at `\\{x}`")),
        None => Err("invalid backslash at end of string".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    #[track_caller]
    fn check(file: &str, first_line: &str, expect: Expect) {
        let actual = match interpreter_for(file, first_line, "python3") {
            Ok(i) => {
                let mut s = format!("{:?} {:?}", i.source, i.argv);
                for n in i.notes {
                    s.push_str(&format!("\nnote: {n}"));
                }
                s
            }
            Err(e) => format!("error: {e}"),
        };
        expect.assert_eq(&actual);
    }

    #[test]
    fn python_files_use_the_configured_python() {
        check("train.py", "import torch", expect![[r#"ConfiguredPython ["python3"]"#]]);
        check(
            "dir/My Train.PY",
            "#!/usr/bin/python2",
            expect![[r#"ConfiguredPython ["python3"]"#]],
        );
        let i = interpreter_for("a.py", "", "/opt/conda/bin/python -u").unwrap();
        expect![[r#"["/opt/conda/bin/python", "-u"]"#]].assert_eq(&format!("{:?}", i.argv));
        expect![[r#"Err("`python` in clusterls.toml is empty; set it to e.g. \"python3\"")"#]]
            .assert_eq(&format!("{:?}", interpreter_for("a.py", "", " ")));
    }

    #[test]
    fn shell_files_use_bash() {
        check("run.sh", "echo hi", expect![[r#"ShellExtension ["bash"]"#]]);
        check("run.bash", "", expect![[r#"ShellExtension ["bash"]"#]]);
        check("run.sh", "#!/bin/sh", expect![[r#"Shebang ["/bin/sh"]"#]]);
    }

    #[test]
    fn shebangs_as_linux_reads_them() {
        check("job", "#!/bin/bash -l", expect![[r#"Shebang ["/bin/bash", "-l"]"#]]);
        check("job", "#! /bin/bash\t-l  \n", expect![[r#"Shebang ["/bin/bash", "-l"]"#]]);
        check("job", "#!/bin/bash -l -e", expect![[r#"Shebang ["/bin/bash", "-l -e"]"#]]);
        check("job.sbatch", "#!/bin/bash\n#SBATCH -p gpu", expect![[r#"Shebang ["/bin/bash"]"#]]);
        check("x.pl", "#!/usr/bin/env perl", expect![[r#"Shebang ["/usr/bin/env", "perl"]"#]]);
        check(
            "x",
            "#!/usr/bin/env -S python3 -u -X 'a b' \"c\\_d\" # comment",
            expect![[r#"Shebang ["/usr/bin/env", "python3", "-u", "-X", "a b", "c d"]"#]],
        );
        check(
            "x",
            "#!/usr/bin/env python3 -u",
            expect![[r#"
                Shebang ["/usr/bin/env", "python3", "-u"]
                note: `#!/usr/bin/env python3 -u` passes `python3 -u` to env as one word on Linux, where running the file directly fails; clusterls splits it (as macOS does). Write `#!/usr/bin/env -S python3 -u` to make the file itself work on Linux."#]],
        );
    }

    #[test]
    fn refusals_say_what_to_do() {
        check(
            "notes.txt",
            "hello",
            expect![
                "error: clusterls cannot tell how to run `notes.txt`: it is not a .py, .sh or .bash file and has no `#!` line. Add a first line such as `#!/bin/bash` or `#!/usr/bin/env python3`, or rename it to .py/.sh."
            ],
        );
        check(
            "run.sh",
            "#!/bin/bash\r\n",
            expect![
                "error: the `#!` line of `run.sh` ends with a carriage return (Windows line endings), so Linux looks for an interpreter whose name ends in `\\r`; convert the file with `dos2unix` or save it with LF line endings"
            ],
        );
        check(
            "x",
            "#!   ",
            expect!["error: the `#!` line of `x` names no interpreter; write e.g. `#!/bin/bash`"],
        );
        check(
            "x",
            "#!/usr/bin/env",
            expect![
                "error: the `#!` line of `x` runs env without a program; write e.g. `#!/usr/bin/env python3`"
            ],
        );
        check(
            "x",
            "#!/usr/bin/env -S python3 ${OPTS}",
            expect![
                "error: the `#!` line of `x`: env -S cannot read it: `$` variables are not supported"
            ],
        );
        check(
            "x",
            &format!("#!/bin/{}", "a".repeat(300)),
            expect![
                "error: the `#!` line of `x` is longer than 256 bytes, which Linux refuses; shorten it (e.g. `#!/usr/bin/env python3`)"
            ],
        );
    }
}
