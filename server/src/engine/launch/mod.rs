//! Pure: how a run is launched, planned from values alone (no IO, no async): which
//! interpreter runs a file ([`interpreter`]), an sbatch script submitted as written
//! ([`as_written`]) and where its logs go ([`log_pattern`]), the multi-node launch
//! ([`distributed`]), and the incremental upload ([`manifest`]). The submit capability
//! reads the files and the remote manifest, calls these planners, and sends the result.

pub mod as_written;
pub mod distributed;
pub mod interpreter;
pub mod log_pattern;
pub mod manifest;
