//! The file as a whole: what sbatch refuses before it reads a single directive.

use clusterls_core::{Edit, Finding, Fix, Rule, Severity};

use super::{Checker, MAX_SCRIPT_BYTES};

pub(crate) fn check(c: &mut Checker) {
    if empty_script(c) {
        return;
    }
    no_shebang(c);
    dos_line_endings(c);
    nul_byte(c);
}

pub(crate) const EMPTY_SCRIPT: Rule = Rule {
    explanation: "sbatch refuses an empty script (or one of only blanks) with \"Batch script is empty!\". Start with `#!/bin/bash`, then the #SBATCH lines, then the commands.",
    ..Rule::new("sbatch/empty-script", Severity::Error, "An empty script: sbatch refuses it.")
};

/// Whether the script is empty (then nothing else is checked).
fn empty_script(c: &mut Checker) -> bool {
    let empty = c.text.trim().is_empty();
    if empty {
        c.push(
            &EMPTY_SCRIPT,
            0..0,
            "The script is empty: sbatch refuses it. Start with `#!/bin/bash`, then #SBATCH lines, then commands.",
        );
    }
    empty
}

pub(crate) const NO_SHEBANG: Rule = Rule {
    explanation: "sbatch runs the script with the interpreter named on its first line and refuses a script without one (\"This does not look like a batch script\"). Add `#!/bin/bash` (or another interpreter) as the very first line.",
    ..Rule::new(
        "sbatch/no-shebang",
        Severity::Error,
        "The first line is not #!interpreter: sbatch refuses the script.",
    )
};

fn no_shebang(c: &mut Checker) {
    let t = c.text;
    if !t.starts_with("#!") {
        let first_end = t.find('\n').unwrap_or(t.len());
        c.push(
            &NO_SHEBANG,
            0..first_end,
            "sbatch refuses a script whose first line is not `#!` and an interpreter; add `#!/bin/bash` as the first line.",
        )
        .fixes
        .push(Fix::replace("Add `#!/bin/bash` as the first line", 0..0, "#!/bin/bash\n"));
    }
}

pub(crate) const DOS_LINE_ENDINGS: Rule = Rule {
    explanation: "sbatch refuses scripts with DOS line endings (`\\r\\n`, \"Batch script contains DOS line breaks\"), which editors on Windows write by default. Convert the file to Unix line endings (dos2unix, or the editor's LF setting); the quick fix does it.",
    ..Rule::new(
        "sbatch/dos-line-endings",
        Severity::Error,
        "CRLF line endings: sbatch refuses the script.",
    )
};

fn dos_line_endings(c: &mut Checker) {
    let t = c.text;
    if let Some(first) = t.find("\r\n") {
        let edits: Vec<Edit> = t
            .match_indices("\r\n")
            .map(|(i, _)| Edit { range: i..i + 1, replacement: String::new() })
            .collect();
        c.push(
            &DOS_LINE_ENDINGS,
            first..first + 1,
            "The script has DOS line endings (\\r\\n): sbatch refuses it. Convert it to Unix line endings (dos2unix, or your editor's LF setting).",
        )
        .fixes
        .push(Fix { title: "Convert to Unix line endings".into(), edits });
    }
}

pub(crate) const NUL_BYTE: Rule = Rule {
    explanation: "sbatch refuses a script containing a NUL byte (\"The SLURM controller does not allow scripts that contain a NULL character\"); usually a binary file or a bad copy. Remove the byte.",
    ..Rule::new("sbatch/nul-byte", Severity::Error, "A NUL byte in the script: sbatch refuses it.")
};

fn nul_byte(c: &mut Checker) {
    if let Some(i) = c.text.find('\0') {
        c.push(
            &NUL_BYTE,
            i..i + 1,
            "The script contains a NUL byte: sbatch refuses binary content. Remove it.",
        );
    }
}

pub(crate) const SCRIPT_TOO_LARGE: Rule = Rule {
    explanation: "Slurm refuses batch scripts larger than `max_script_size` (SchedulerParameters, 4 MiB by default), and a script that size is almost always data or generated code pasted in by mistake. clusterls checks nothing else in it. Keep the script small: read data from files, or generate the work in the job.",
    ..Rule::new(
        "sbatch/script-too-large",
        Severity::Warning,
        "A script over 4 MiB: Slurm refuses it by default, and clusterls does not check it.",
    )
};

/// The one finding for a script over [`MAX_SCRIPT_BYTES`].
pub(crate) fn too_large(text: &str) -> Finding {
    let first_end = text.find('\n').unwrap_or(text.len()).min(200);
    let first_end = (0..=first_end).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
    SCRIPT_TOO_LARGE.finding(
        0..first_end,
        format!(
            "The script is {:.1} MiB: Slurm refuses batch scripts over {} MiB unless the site raised `max_script_size`, and clusterls does not check scripts this large. Move data out of the script into files.",
            text.len() as f64 / (1024.0 * 1024.0),
            MAX_SCRIPT_BYTES / (1024 * 1024)
        ),
    )
}
