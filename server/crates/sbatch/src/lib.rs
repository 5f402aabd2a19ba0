//! sbatch scripts: parse directives exactly as Slurm's sbatch does and check them.
//! Pure: text (and optional cluster facts) in, values out. Never fails.
//!
//! Public API for the language server and the CLI:
//! - [`parse`] → [`Script`]: directives with exact spans, ignored lines, the first command.
//! - [`options()`] → every sbatch option ([`OptionSpec`]: names, value kind, doc, versions).
//! - [`completion_context`]: what the cursor is on (option name, value of option X).
//! - [`check`]: every finding, with codes `sbatch/<name>` ([`rules`] lists them).

pub mod checks;
pub mod options;
pub mod parse;
pub mod rules;
pub mod shellcheck;
pub mod values;

pub use options::{ArgKind, OptionSpec, ValueKind, by_long, by_short, options};
pub use parse::{
    CompletionContext, Directive, DirectiveLine, Form, Ignored, IgnoredKind, LineProblem, Magic,
    OptionProblem, Resolved, Script, Stray, Word, completion_context, parse, parse_for,
    resolve_long, resolve_long_for,
};

pub use checks::outputs::log_dirs;
pub use checks::skipped::{Skipped, skipped};
pub use checks::{MAX_SCRIPT_BYTES, check, check_parsed, check_with_dirs};
