//! Job records in SQLite, shared by the CLI and every editor window (WAL mode, busy
//! timeout). Each change is one transaction, so a process killed mid-write loses nothing
//! that was committed and never leaves half a record. The files are private (0600). A
//! new job is never lost to a locked store: see [journal].

use std::path::{Path, PathBuf};
use std::sync::{Mutex, atomic::AtomicBool, atomic::Ordering::Relaxed};

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::array::Task;
use super::error::{EngineError, Result};
use super::lease::Lease;
use super::resources::Resources;
use super::state::JobState;

mod controller;
pub mod journal;
pub use controller::ControllerRow;
pub use journal::random_token;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobKind {
    /// A batch job submitted by `clusterls run`.
    Run,
    /// A `clusterls run --in-alloc`: a step inside an allocation.
    Step,
    /// An allocation made by `clusterls alloc`.
    Alloc,
}

impl JobKind {
    fn as_str(self) -> &'static str {
        match self {
            JobKind::Run => "run",
            JobKind::Step => "step",
            JobKind::Alloc => "alloc",
        }
    }
    fn parse(s: &str) -> JobKind {
        match s {
            "step" => JobKind::Step,
            "alloc" => JobKind::Alloc,
            _ => JobKind::Run,
        }
    }
}

/// One tracked job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRecord {
    pub host: String,
    /// Slurm's job id; for a step run, `ALLOC/RUN-NAME`.
    pub id: String,
    pub kind: JobKind,
    pub name: String,
    pub state: JobState,
    pub reason: Option<String>,
    pub exit_code: Option<i32>,
    /// The run directory on the cluster (script, job.sbatch, output.log, error.log).
    pub run_dir: Option<String>,
    /// The allocation a step runs in.
    pub alloc_id: Option<String>,
    pub nodes: Option<String>,
    /// Unix seconds.
    pub submitted_at: u64,
    pub updated_at: u64,
    /// What was asked for at submit (flags merged with `clusterls.toml`); None: the
    /// cluster's default, or a record written before clusterls kept these.
    #[serde(flatten)]
    pub resources: Resources,
    /// The ssh config (`--ssh-config`) the host was reached with, so that a command
    /// naming this job from another shell reaches it the same way.
    #[serde(default)]
    pub ssh_config: Option<String>,
    /// An sbatch script submitted as written: its `--output` file, absolute, with
    /// Slurm's `%` patterns still in it (resolved by `launch::log_pattern::expand` when
    /// read). None: the run directory's output.log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_out: Option<String>,
    /// Its `--error` file, as `log_out`; None with `log_out` set: standard error goes
    /// to the output file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_err: Option<String>,
    /// A job array's tasks (empty for any other job); the record's state is derived
    /// from theirs ([`super::array::derive`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tasks: Vec<Task>,
}

impl JobRecord {
    pub fn is_final(&self) -> bool {
        self.state.is_final()
    }

    /// A job array (its tasks are tracked one by one).
    pub fn is_array(&self) -> bool {
        !self.tasks.is_empty()
    }
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
    /// Retries before the journal; a record this process journaled, not yet imported.
    write_wait: std::time::Duration,
    journaled: AtomicBool,
}

impl Store {
    pub fn open(path: &Path) -> Result<Store> {
        journal::private_store_files(path)?;
        let err = |source| EngineError::Store { path: path.display().to_string(), source };
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(err)?;
        // Switching a new database to WAL takes an exclusive lock that busy_timeout does
        // not wait for: when several processes open the store at once (CLI, editor
        // windows), retry briefly instead of failing with "database is locked".
        let setup = |c: &Connection| -> rusqlite::Result<()> {
            let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                c.pragma_update(None, "journal_mode", "WAL")?;
            }
            c.pragma_update(None, "synchronous", "NORMAL")?;
            c.execute_batch(
                "CREATE TABLE IF NOT EXISTS jobs(
                host TEXT NOT NULL,
                id TEXT NOT NULL,
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                state TEXT NOT NULL,
                reason TEXT,
                exit_code INTEGER,
                final INTEGER NOT NULL DEFAULT 0,
                run_dir TEXT,
                alloc_id TEXT,
                nodes TEXT,
                submitted_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                partition TEXT,
                account TEXT,
                gpus INTEGER,
                time_limit TEXT,
                ssh_config TEXT,
                PRIMARY KEY(host, id)
            );
            CREATE INDEX IF NOT EXISTS jobs_live ON jobs(host, final);
            CREATE TABLE IF NOT EXISTS poll_lease(
                host TEXT PRIMARY KEY,
                holder TEXT NOT NULL,
                expires_at INTEGER NOT NULL
            );
            CREATE TABLE IF NOT EXISTS controller(
                host TEXT PRIMARY KEY,
                reachable INTEGER NOT NULL,
                message TEXT,
                at INTEGER NOT NULL
            );",
            )?;
            migrate(c)
        };
        let mut attempt = 0;
        loop {
            match setup(&conn) {
                Ok(()) => break,
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if attempt < 100
                        && matches!(
                            e.code,
                            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                        ) =>
                {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(e) => return Err(err(e)),
            }
        }
        let store = Store {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
            write_wait: std::time::Duration::from_secs(15),
            journaled: AtomicBool::new(false),
        };
        store.import_journal();
        Ok(store)
    }

    /// How long [`Store::insert`] retries a locked store (and any statement waits); tests
    /// shorten it.
    #[cfg(test)]
    pub(crate) fn set_write_wait(&mut self, d: std::time::Duration) {
        self.write_wait = d;
        let _ = self.conn.lock().unwrap().busy_timeout(d.min(std::time::Duration::from_secs(10)));
    }

    fn err(&self, source: rusqlite::Error) -> EngineError {
        EngineError::Store { path: self.path.display().to_string(), source }
    }

    /// Store a new (or replace a) record; a store locked for longer than the retries
    /// takes it later from the journal. Either way the caller may report the job.
    pub fn insert(&self, r: &JobRecord) -> Result<()> {
        let w = || write(&self.conn.lock().unwrap(), r, "INSERT OR REPLACE");
        let j = journal::retry(&self.path, self.write_wait, r, w, |e| self.err(e))?;
        self.journaled.fetch_or(j, Relaxed);
        Ok(())
    }

    /// Before a read: the record this process journaled, once the store takes it.
    fn import_journaled(&self) {
        if self.journaled.load(Relaxed) {
            self.import_journal();
        }
    }
    fn import_journal(&self) {
        let c = self.conn.lock().unwrap();
        let done = journal::import(&self.path, &c, |c, r| write(c, r, "INSERT OR IGNORE"));
        self.journaled.store(!done, Relaxed);
    }

    /// Record a new state. Returns the previous record when something changed.
    pub fn update_state(
        &self,
        host: &str,
        id: &str,
        state: &JobState,
        reason: Option<&str>,
        exit_code: Option<i32>,
        nodes: Option<&str>,
    ) -> Result<Option<JobRecord>> {
        let Some(old) = self.get(host, id)? else { return Ok(None) };
        if old.is_final() {
            return Ok(None);
        }
        let nodes = nodes.map(str::to_string).or(old.nodes.clone());
        if &old.state == state
            && old.reason.as_deref() == reason
            && old.exit_code == exit_code
            && old.nodes == nodes
        {
            return Ok(None);
        }
        let c = self.conn.lock().unwrap();
        c.execute(
            "UPDATE jobs SET state=?3, reason=?4, exit_code=?5, final=?6, nodes=?7, updated_at=?8 WHERE host=?1 AND id=?2 AND final=0",
            params![host, id, state.as_str(), reason, exit_code, state.is_final(), nodes, now() as i64],
        )
        .map_err(|e| self.err(e))?;
        Ok(Some(old))
    }

    /// Record a job's time limit as Slurm now prints it (after `clusterls extend`).
    /// Returns the record after the change, when it changed.
    pub fn update_time_limit(
        &self,
        host: &str,
        id: &str,
        limit: &str,
    ) -> Result<Option<JobRecord>> {
        let Some(mut rec) = self.get(host, id)? else { return Ok(None) };
        if rec.resources.time.as_deref() == Some(limit) {
            return Ok(None);
        }
        rec.resources.time = Some(limit.to_string());
        rec.updated_at = now();
        let c = self.conn.lock().unwrap();
        c.execute(
            "UPDATE jobs SET time_limit=?3, updated_at=?4 WHERE host=?1 AND id=?2",
            params![host, id, limit, rec.updated_at as i64],
        )
        .map_err(|e| self.err(e))?;
        Ok(Some(rec))
    }

    /// Record a job array's tasks, the state derived from them and their count per
    /// state as its reason ([`super::array::summary`]). Returns the previous
    /// record when something changed.
    pub fn update_tasks(&self, host: &str, id: &str, tasks: &[Task]) -> Result<Option<JobRecord>> {
        let Some(old) = self.get(host, id)? else { return Ok(None) };
        if old.is_final() || old.tasks == tasks {
            return Ok(None);
        }
        let (state, exit_code) = super::array::derive(tasks);
        // The reason of an array is its count per state, so that every process that
        // compares records (and every state line) sees a task's change.
        let reason = super::array::summary(tasks);
        let c = self.conn.lock().unwrap();
        c.execute(
            "UPDATE jobs SET state=?3, reason=?4, exit_code=?5, final=?6, tasks=?7, updated_at=?8 WHERE host=?1 AND id=?2 AND final=0",
            params![host, id, state.as_str(), reason, exit_code, state.is_final(), tasks_json(tasks), now() as i64],
        )
        .map_err(|e| self.err(e))?;
        Ok(Some(old))
    }

    pub fn get(&self, host: &str, id: &str) -> Result<Option<JobRecord>> {
        self.import_journaled();
        let c = self.conn.lock().unwrap();
        c.query_row(
            &format!("SELECT {COLS} FROM jobs WHERE host=?1 AND id=?2"),
            params![host, id],
            row,
        )
        .optional()
        .map_err(|e| self.err(e))
    }

    /// Find a job by id on any host (the CLI's `cancel ID` / `logs ID`).
    pub fn find(&self, id: &str) -> Result<Vec<JobRecord>> {
        let c = self.conn.lock().unwrap();
        let mut st = c
            .prepare(&format!("SELECT {COLS} FROM jobs WHERE id=?1 ORDER BY submitted_at DESC"))
            .map_err(|e| self.err(e))?;
        let rows = st.query_map(params![id], row).map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| self.err(e))
    }

    /// Jobs, newest first; `host` None: every host; `live_only`: not final.
    pub fn list(&self, host: Option<&str>, live_only: bool) -> Result<Vec<JobRecord>> {
        self.import_journaled();
        let c = self.conn.lock().unwrap();
        let mut st = c
            .prepare(&format!(
                "SELECT {COLS} FROM jobs WHERE (?1 IS NULL OR host=?1) AND (?2=0 OR final=0) ORDER BY submitted_at DESC, rowid DESC"
            ))
            .map_err(|e| self.err(e))?;
        let rows = st.query_map(params![host, live_only], row).map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| self.err(e))
    }
}

impl Store {
    /// Take or renew the poll lease of `host` for `holder` until `now_ms + len_ms`, in
    /// one write transaction (so two processes never both get it). Returns whether
    /// `holder` holds it now; see [`super::lease::may_take`].
    pub fn take_lease(&self, host: &str, holder: &str, now_ms: i64, len_ms: i64) -> Result<bool> {
        let c = self.conn.lock().unwrap();
        let run = || -> rusqlite::Result<bool> {
            let tx =
                rusqlite::Transaction::new_unchecked(&c, rusqlite::TransactionBehavior::Immediate)?;
            let row = tx
                .query_row(
                    "SELECT holder, expires_at FROM poll_lease WHERE host=?1",
                    params![host],
                    |r| Ok(Lease { holder: r.get(0)?, expires_at: r.get(1)? }),
                )
                .optional()?;
            if !super::lease::may_take(now_ms, row.as_ref(), holder) {
                return Ok(false);
            }
            tx.execute(
                "INSERT OR REPLACE INTO poll_lease(host, holder, expires_at) VALUES(?1,?2,?3)",
                params![host, holder, now_ms + len_ms],
            )?;
            tx.commit()?;
            Ok(true)
        };
        run().map_err(|e| self.err(e))
    }

    /// Give up the lease of `host` if `holder` has it (a tracker with nothing to poll).
    /// Read first: a process without the lease never waits for a locked store.
    pub fn release_lease(&self, host: &str, holder: &str) -> Result<()> {
        if self.lease(host)?.is_some_and(|l| l.holder == holder) {
            let sql = "DELETE FROM poll_lease WHERE host=?1 AND holder=?2";
            let c = self.conn.lock().unwrap();
            c.execute(sql, params![host, holder]).map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// The lease row of `host`, if any.
    pub fn lease(&self, host: &str) -> Result<Option<Lease>> {
        let c = self.conn.lock().unwrap();
        c.query_row("SELECT holder, expires_at FROM poll_lease WHERE host=?1", params![host], |r| {
            Ok(Lease { holder: r.get(0)?, expires_at: r.get(1)? })
        })
        .optional()
        .map_err(|e| self.err(e))
    }
}

/// Unix milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

const COLS: &str = "host,id,kind,name,state,reason,exit_code,run_dir,alloc_id,nodes,submitted_at,updated_at,partition,account,gpus,time_limit,qos,cpus,mem,ssh_config,log_out,log_err,tasks";

/// `verb` is `INSERT OR REPLACE` or `INSERT OR IGNORE`, constants of this file.
fn write(c: &Connection, r: &JobRecord, verb: &str) -> rusqlite::Result<()> {
    c.execute(
        &format!("{verb} INTO jobs(host,id,kind,name,state,reason,exit_code,final,run_dir,alloc_id,nodes,submitted_at,updated_at,partition,account,gpus,time_limit,qos,cpus,mem,ssh_config,log_out,log_err,tasks)
         VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24)"),
        params![
            r.host,
            r.id,
            r.kind.as_str(),
            r.name,
            r.state.as_str(),
            r.reason,
            r.exit_code,
            r.is_final(),
            r.run_dir,
            r.alloc_id,
            r.nodes,
            r.submitted_at as i64,
            r.updated_at as i64,
            r.resources.partition,
            r.resources.account,
            r.resources.gpus,
            r.resources.time,
            r.resources.qos,
            r.resources.cpus,
            r.resources.mem,
            r.ssh_config,
            r.log_out,
            r.log_err,
            tasks_json(&r.tasks)
        ],
    )?;
    Ok(())
}

/// Columns added after the first release, with their types. A database made by an
/// older clusterls gets them (`ALTER TABLE ... ADD COLUMN`, NULL in old rows); an
/// older clusterls keeps working on a migrated database, because it names the columns
/// it reads and writes and every added column may be NULL. Add new ones at the end.
const ADDED_COLUMNS: &[(&str, &str)] = &[
    ("partition", "TEXT"),
    ("account", "TEXT"),
    ("gpus", "INTEGER"),
    ("time_limit", "TEXT"),
    ("qos", "TEXT"),
    ("cpus", "INTEGER"),
    ("mem", "TEXT"),
    ("ssh_config", "TEXT"),
    ("log_out", "TEXT"),
    ("log_err", "TEXT"),
    ("tasks", "TEXT"),
];

fn missing_columns(c: &Connection) -> rusqlite::Result<Vec<&'static str>> {
    let mut st = c.prepare("SELECT name FROM pragma_table_info('jobs')")?;
    let have =
        st.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(ADDED_COLUMNS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !have.iter().any(|h| h == name))
        .collect())
}

/// Bring an older database's table up to date. Several processes may open an old
/// database at once: the check is repeated inside a write transaction, so exactly one
/// of them adds the columns and the others find them there.
fn migrate(c: &Connection) -> rusqlite::Result<()> {
    if missing_columns(c)?.is_empty() {
        return Ok(());
    }
    let tx = rusqlite::Transaction::new_unchecked(c, rusqlite::TransactionBehavior::Immediate)?;
    for name in missing_columns(&tx)? {
        let ty = ADDED_COLUMNS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t).unwrap_or("TEXT");
        // Both words are constants of this file, never user input.
        tx.execute_batch(&format!("ALTER TABLE jobs ADD COLUMN {name} {ty}"))?;
    }
    tx.commit()
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<JobRecord> {
    Ok(JobRecord {
        host: r.get(0)?,
        id: r.get(1)?,
        kind: JobKind::parse(&r.get::<_, String>(2)?),
        name: r.get(3)?,
        state: JobState::parse(&r.get::<_, String>(4)?),
        reason: r.get(5)?,
        exit_code: r.get(6)?,
        run_dir: r.get(7)?,
        alloc_id: r.get(8)?,
        nodes: r.get(9)?,
        submitted_at: r.get::<_, i64>(10)? as u64,
        updated_at: r.get::<_, i64>(11)? as u64,
        resources: Resources {
            partition: r.get(12)?,
            account: r.get(13)?,
            gpus: r.get(14)?,
            time: r.get(15)?,
            qos: r.get(16)?,
            cpus: r.get(17)?,
            mem: r.get(18)?,
        },
        ssh_config: r.get(19)?,
        log_out: r.get(20)?,
        log_err: r.get(21)?,
        tasks: r
            .get::<_, Option<String>>(22)?
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default(),
    })
}

/// A job array's tasks as stored (JSON); NULL for any other job.
fn tasks_json(tasks: &[Task]) -> Option<String> {
    (!tasks.is_empty()).then(|| serde_json::to_string(tasks).unwrap_or_default())
}

#[cfg(test)]
mod tests;
