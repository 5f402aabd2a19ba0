//! What the job store could not take, kept until it can: a job submitted while the
//! store was locked (another process holding a write for longer than the store's
//! retries) is written here, and the next process that opens the store imports it.
//! And the store's files are private to their user.
//!
//! The journal is a directory next to the store (`jobs.sqlite.journal/`) holding one
//! file per record, one JSON line each. A file appears whole (written under a temporary
//! name, then renamed) and is removed only after its record is in the store, so writers
//! and importers in any number of processes never lose a line and need no file lock.
//! Importing is idempotent: a record already in the store is left as the store has it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::JobRecord;
use crate::engine::error::{EngineError, Result};

/// The journal directory of the store at `store`.
pub fn dir(store: &Path) -> PathBuf {
    let mut name = store.as_os_str().to_owned();
    name.push(".journal");
    PathBuf::from(name)
}

/// Write `r` to the journal of the store at `store` (which could not take it: `why`);
/// returns the file written.
pub fn append(store: &Path, r: &JobRecord, why: &str) -> Result<PathBuf> {
    let dir = dir(store);
    private_dir(&dir)?;
    let line = serde_json::to_string(r).expect("a job record serializes");
    let stem =
        format!("{}-{}-{}", super::now_ms(), std::process::id(), random_token() & 0xffff_ffff);
    let tmp = dir.join(format!(".{stem}.tmp"));
    let path = dir.join(format!("{stem}.json"));
    let io = |e| EngineError::io(format!("cannot write the job journal {}", dir.display()), e);
    let mut f = private_file(&tmp).map_err(io)?;
    f.write_all(line.as_bytes()).and_then(|()| f.write_all(b"\n")).map_err(io)?;
    f.sync_all().map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(io)?;
    tracing::warn!(
        "job store {} {why}: job {} on {} is kept in {} until the next clusterls imports it",
        store.display(),
        r.id,
        r.host,
        path.display()
    );
    Ok(path)
}

/// The records waiting in the journal, each with its file (to remove once stored).
/// Unreadable or partial files are skipped (and left for a look).
pub fn pending(store: &Path) -> Vec<(PathBuf, JobRecord)> {
    let Ok(entries) = std::fs::read_dir(dir(store)) else { return Vec::new() };
    let mut out: Vec<(PathBuf, JobRecord)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            match serde_json::from_str(text.trim()) {
                Ok(r) => Some((p, r)),
                Err(e) => {
                    tracing::warn!("job journal: cannot read {}: {e}", p.display());
                    None
                }
            }
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Create `dir` (and missing parents) 0700; an existing directory is left as it is.
pub fn private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if !dir.is_dir() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| EngineError::io(format!("cannot create {}", dir.display()), e))?;
    }
    Ok(())
}

/// Open `path` for writing, created 0600 if missing.
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)
}

/// Make the store's directory (0700 when new) and files (0600) before SQLite opens them: a new database is created
/// 0600 (SQLite gives its `-wal` and `-shm` files the database file's mode), and the
/// files of a store made by an older clusterls (0644) are made private. Files owned
/// by another user are left as they are.
pub fn private_store_files(store: &Path) -> Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if let Some(dir) = store.parent().filter(|d| !d.as_os_str().is_empty()) {
        private_dir(dir)?;
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(store)
        .map_err(|e| {
            EngineError::io(format!("cannot open the job store {}", store.display()), e)
        })?;
    for suffix in ["", "-wal", "-shm"] {
        let mut p = store.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::set_permissions(PathBuf::from(p), std::fs::Permissions::from_mode(0o600));
    }
    Ok(())
}

/// Random bits (std's per-process random hash keys, mixed with the time and pid).
pub fn random_token() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_i64(super::now_ms());
    h.write_u32(std::process::id());
    h.finish()
}

/// Whether SQLite refused because another connection holds the lock.
pub fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(e, _)
        if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
}

/// Run `write` (a new record `r` into the store at `store`) until it is done or the
/// store has been locked for `wait`, with backoff between tries (each try also waits
/// SQLite's busy timeout); then [`append`] `r` to the journal. A store that fails
/// otherwise (read-only, damaged, a full disk) journals `r` at once: the job exists on
/// the cluster, so its record must not be lost with the store. Returns whether it was
/// journaled; when the journal fails too, [`EngineError::NotRecorded`] names the job.
pub fn retry(
    store: &Path,
    wait: Duration,
    r: &JobRecord,
    mut write: impl FnMut() -> rusqlite::Result<()>,
    err: impl Fn(rusqlite::Error) -> EngineError,
) -> Result<bool> {
    let start = Instant::now();
    let mut backoff = Duration::from_millis(50);
    loop {
        match write() {
            Ok(()) => return Ok(false),
            Err(e) if !is_busy(&e) => return keep(store, r, err(e)),
            Err(_) if start.elapsed() >= wait => {
                return append(store, r, "is locked").map(|_| true);
            }
            Err(_) => {
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(Duration::from_secs(2));
            }
        }
    }
}

/// `r` could not be stored (`failed`): journal it, or say that neither could take it.
fn keep(store: &Path, r: &JobRecord, failed: EngineError) -> Result<bool> {
    let why = format!("failed ({failed})").replace('\n', " ");
    match append(store, r, &why) {
        Ok(_) => Ok(true),
        Err(journal) => Err(EngineError::NotRecorded {
            host: r.host.clone(),
            id: r.id.clone(),
            store: failed.to_string().replace('\n', " "),
            journal: journal.to_string(),
        }),
    }
}

/// Put the records the journal of the store at `store` holds into it with `write`
/// (an insert that keeps a record already there); each journal file is removed once
/// its record is in. A store still locked keeps them for later (returns false).
pub fn import(
    store: &Path,
    c: &rusqlite::Connection,
    write: impl Fn(&rusqlite::Connection, &JobRecord) -> rusqlite::Result<()>,
) -> bool {
    for (file, r) in pending(store) {
        match write(c, &r) {
            Ok(()) => {
                tracing::info!("job store: imported job {} on {} from the journal", r.id, r.host);
                let _ = std::fs::remove_file(&file);
            }
            Err(e) => {
                tracing::warn!("job store: the journal waits for a free store: {e}");
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    use crate::engine::state::JobState;
    use crate::engine::store::{JobKind, JobRecord, Store};

    fn scratch(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("clusterls-journal-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    fn rec(id: &str) -> JobRecord {
        JobRecord {
            host: "h".into(),
            id: id.into(),
            kind: JobKind::Run,
            name: "train.py".into(),
            state: JobState::Pending,
            reason: None,
            exit_code: None,
            run_dir: Some("/home/a/.clusterls/runs/x".into()),
            alloc_id: None,
            nodes: None,
            submitted_at: 1,
            updated_at: 1,
            resources: crate::engine::resources::Resources { gpus: Some(1), ..Default::default() },
            ssh_config: Some("/home/a/my ssh config".into()),
            log_out: None,
            log_err: None,
            tasks: Vec::new(),
        }
    }

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    /// Another connection holds the store's write lock for longer than the retries:
    /// the new job is not lost. `insert` succeeds (the caller reports the id), the
    /// record waits in the journal, and the next process to open the store imports it.
    #[test]
    fn a_job_written_while_the_store_is_locked_is_journaled_then_imported() {
        let dir = scratch("locked");
        let path = dir.join("state/jobs.sqlite");
        let mut s = Store::open(&path).unwrap();
        s.set_write_wait(Duration::from_millis(300));
        let locker = rusqlite::Connection::open(&path).unwrap();
        locker.execute_batch("BEGIN EXCLUSIVE").unwrap();
        s.insert(&rec("77")).unwrap_or_else(|e| panic!("{e}"));
        let waiting = super::pending(&path);
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0].1, rec("77"));
        assert_eq!(mode(&super::dir(&path)), 0o700);
        assert_eq!(mode(&waiting[0].0), 0o600);
        // While the store is locked, reads still work (WAL) and the record waits.
        assert_eq!(s.get("h", "77").unwrap(), None);
        assert_eq!(super::pending(&path).len(), 1);
        locker.execute_batch("COMMIT").unwrap();
        // This process takes it back at its next read; the journal is then empty.
        assert_eq!(s.get("h", "77").unwrap(), Some(rec("77")));
        assert!(super::pending(&path).is_empty());
        // Another process's journaled record: the next process to open the store takes it.
        super::append(&path, &rec("78"), "is locked").unwrap();
        let next = Store::open(&path).unwrap();
        assert_eq!(next.get("h", "78").unwrap(), Some(rec("78")));
        assert!(super::pending(&path).is_empty());
        // Importing never overwrites what the store already knows.
        next.update_state("h", "77", &JobState::Running, None, None, Some("n1")).unwrap();
        super::append(&path, &rec("77"), "is locked").unwrap();
        let again = Store::open(&path).unwrap();
        assert_eq!(again.get("h", "77").unwrap().unwrap().state, JobState::Running);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// A store that fails for another reason than a lock (read-only, damaged, a full
    /// disk) journals the new job at once; before, the error ended `run` after sbatch
    /// had succeeded, and the job was neither recorded nor its id printed.
    #[test]
    fn a_job_the_store_cannot_take_is_journaled_at_once() {
        let dir = scratch("readonly");
        let path = dir.join("state/jobs.sqlite");
        let readonly = || {
            Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
                Some("attempt to write a readonly database".into()),
            ))
        };
        let store_err =
            |e| crate::engine::error::EngineError::Store { path: "jobs.sqlite".into(), source: e };
        let start = std::time::Instant::now();
        let journaled =
            super::retry(&path, Duration::from_secs(30), &rec("79"), readonly, store_err).unwrap();
        assert!(journaled);
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "no waiting for a lock that is not there"
        );
        let waiting = super::pending(&path);
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0].1, rec("79"));
        // The journal cannot be written either (a file where its directory goes): the
        // error names the job, which exists on the cluster, and what to do.
        let _ = std::fs::remove_dir_all(super::dir(&path));
        std::fs::write(super::dir(&path), "").unwrap();
        let err = super::retry(&path, Duration::ZERO, &rec("80"), readonly, store_err).unwrap_err();
        assert_eq!(err.submitted_job(), Some("80"));
        let msg = err.to_string();
        assert!(
            msg.starts_with("job 80 was submitted on h, but clusterls could not record it: job store jobs.sqlite: attempt to write a readonly database")
                && msg.contains("squeue -j 80")
                && msg.contains("scancel 80"),
            "{msg}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    /// The store, its WAL and shared-memory files are 0600, a new state directory
    /// 0700; a store made 0644 by an older clusterls becomes 0600 when opened.
    #[test]
    fn the_store_is_private() {
        let dir = scratch("private");
        let path = dir.join("state/jobs.sqlite");
        let s = Store::open(&path).unwrap();
        s.insert(&rec("1")).unwrap();
        assert_eq!(mode(&dir.join("state")), 0o700);
        for f in ["jobs.sqlite", "jobs.sqlite-wal", "jobs.sqlite-shm"] {
            assert_eq!(mode(&dir.join("state").join(f)), 0o600, "{f}");
        }
        drop(s);
        for f in ["jobs.sqlite", "jobs.sqlite-wal", "jobs.sqlite-shm"] {
            let p = dir.join("state").join(f);
            if p.exists() {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
            }
        }
        let s = Store::open(&path).unwrap();
        s.insert(&rec("2")).unwrap();
        for f in ["jobs.sqlite", "jobs.sqlite-wal", "jobs.sqlite-shm"] {
            assert_eq!(mode(&dir.join("state").join(f)), 0o600, "{f}");
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
