//! Pure: how a run is launched, planned from values alone (no IO, no async): which
//! interpreter runs a file ([`interpreter`]), an sbatch script submitted as written
//! ([`as_written`]) and where its logs go ([`log_pattern`]), the job script of a
//! generated run on one node or several ([`distributed`]), and the incremental upload
//! ([`manifest`]). The submit capability reads the files and the remote manifest, calls
//! these planners, and sends the result.
//!
//! The order the submit capability calls them in, everything refused before the upload:
//! 1. `as_written::is_batch_script(text)`: if so, run the sbatch checker (findings inside
//!    `plan.overridden` do not apply), then `as_written::plan(..)`; else
//!    `interpreter::interpreter_for(name, first_line, python)`.
//! 2. `distributed::validate(..)` and `distributed::validate_array(..)`.
//! 3. `manifest::check_size(..)`, then `manifest::plan_upload(local, remote_manifest)`.
//! 4. As written: write `plan.copy`, create `plan.log_dirs(work_dir)`, run
//!    `sbatch --parsable [plan.argv..] job.sbatch`. Generated: `distributed::task_command`,
//!    then `distributed::render` → job.sbatch, logs `distributed::log_files(array)`.
//! 5. Logs: `log_pattern::expand(pattern, &JobIds { .. }, work_dir)` (for a stored
//!    record: `log_pattern::log_files(&LoggedJob { .. }, user, version)`); a failed job's exit
//!    code through `distributed::explain_exit`.

pub mod as_written;
pub mod distributed;
pub mod interpreter;
pub mod log_pattern;
pub mod manifest;
