//! Whether a host's slurmctld answers, as the process that polls it last saw: kept
//! in the shared store so every other process (followers, editor windows) is told.

use rusqlite::{OptionalExtension, params};

use super::{Result, Store, now_ms};

/// Whether a host's slurmctld answered the last poll that asked it, as the poller
/// wrote it for every other process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControllerRow {
    pub reachable: bool,
    /// Slurm's words when it did not answer.
    pub message: Option<String>,
    /// Unix ms when it was written.
    pub at: i64,
}

impl Store {
    pub fn set_controller(&self, host: &str, reachable: bool, message: Option<&str>) -> Result<()> {
        let c = self.conn.lock().unwrap();
        c.execute(
            "INSERT OR REPLACE INTO controller(host, reachable, message, at) VALUES(?1,?2,?3,?4)",
            params![host, reachable, message, now_ms()],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub fn controller(&self, host: &str) -> Result<Option<ControllerRow>> {
        let c = self.conn.lock().unwrap();
        c.query_row(
            "SELECT reachable, message, at FROM controller WHERE host=?1",
            params![host],
            |r| Ok(ControllerRow { reachable: r.get(0)?, message: r.get(1)?, at: r.get(2)? }),
        )
        .optional()
        .map_err(|e| self.err(e))
    }
}
