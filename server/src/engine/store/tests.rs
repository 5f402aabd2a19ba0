use super::*;

fn rec(id: &str) -> JobRecord {
    JobRecord {
        host: "h".into(),
        id: id.into(),
        kind: JobKind::Run,
        name: "train".into(),
        state: JobState::Pending,
        reason: None,
        exit_code: None,
        run_dir: Some("/home/a/.clusterls/runs/x".into()),
        alloc_id: None,
        nodes: None,
        submitted_at: 1,
        updated_at: 1,
        resources: Resources {
            partition: Some("gpu".into()),
            account: Some("lab_dev".into()),
            gpus: Some(2),
            time: Some("1:00:00".into()),
            ..Default::default()
        },
        ssh_config: Some("/home/a/ssh config".into()),
        log_out: None,
        log_err: None,
        tasks: Vec::new(),
    }
}

/// A scratch directory of its own per test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("clusterls-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The table as clusterls 0.1 made it, before the resource columns.
const OLD_SCHEMA: &str = "CREATE TABLE jobs(
    host TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
    state TEXT NOT NULL, reason TEXT, exit_code INTEGER, final INTEGER NOT NULL DEFAULT 0,
    run_dir TEXT, alloc_id TEXT, nodes TEXT, submitted_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL, PRIMARY KEY(host, id));
    CREATE INDEX jobs_live ON jobs(host, final);
    INSERT INTO jobs VALUES('h','7','run','old.py','RUNNING',NULL,NULL,0,'/r/7',NULL,'n1',5,6);";

#[test]
fn an_old_database_gains_the_resource_columns_and_keeps_its_jobs() {
    let dir = scratch("old");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("jobs.sqlite");
    Connection::open(&path).unwrap().execute_batch(OLD_SCHEMA).unwrap();
    let s = Store::open(&path).unwrap();
    let old = s.get("h", "7").unwrap().unwrap();
    assert_eq!(
        (
            old.state,
            old.run_dir.as_deref(),
            old.nodes.as_deref(),
            old.resources.partition,
            old.resources.gpus
        ),
        (JobState::Running, Some("/r/7"), Some("n1"), None, None)
    );
    s.insert(&rec("8")).unwrap();
    let new = s.get("h", "8").unwrap().unwrap();
    assert_eq!(new, rec("8"));
    // Opening again (the migration already done) changes nothing.
    drop(s);
    let s = Store::open(&path).unwrap();
    assert_eq!(s.list(Some("h"), false).unwrap().len(), 2);
    let _ = std::fs::remove_dir_all(dir);
}

/// An older clusterls names the columns it reads and writes: it keeps working on a
/// migrated database, and its inserts leave the new columns NULL.
#[test]
fn an_older_clusterls_keeps_working_on_a_migrated_database() {
    let dir = scratch("compat");
    let path = dir.join("jobs.sqlite");
    Store::open(&path).unwrap().insert(&rec("1")).unwrap();
    let c = Connection::open(&path).unwrap();
    c.execute(
        "INSERT OR REPLACE INTO jobs(host,id,kind,name,state,reason,exit_code,final,run_dir,alloc_id,nodes,submitted_at,updated_at)
         VALUES('h','2','run','x','PENDING',NULL,NULL,0,NULL,NULL,NULL,2,2)",
        [],
    )
    .unwrap();
    let n: i64 = c
        .query_row(
            "SELECT count(*) FROM (SELECT host,id,kind,name,state,reason,exit_code,run_dir,alloc_id,nodes,submitted_at,updated_at FROM jobs)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 2);
    let s = Store::open(&path).unwrap();
    assert_eq!(s.get("h", "2").unwrap().unwrap().resources.partition, None);
    assert_eq!(s.get("h", "1").unwrap().unwrap().resources.gpus, Some(2));
    let _ = std::fs::remove_dir_all(dir);
}

/// Several processes open the same old database at once: one migrates, none fails.
#[test]
fn concurrent_opens_of_an_old_database_migrate_once() {
    let dir = scratch("race");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("jobs.sqlite");
    Connection::open(&path).unwrap().execute_batch(OLD_SCHEMA).unwrap();
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                Store::open(&path).map(|s| s.list(None, false).unwrap().len())
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap().unwrap(), 1);
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn shared_between_connections() {
    let dir = std::env::temp_dir().join(format!("clusterls-store-{}", std::process::id()));
    let path = dir.join("jobs.sqlite");
    let a = Store::open(&path).unwrap();
    let b = Store::open(&path).unwrap();
    a.insert(&rec("1")).unwrap();
    a.insert(&rec("2")).unwrap();
    assert_eq!(b.list(Some("h"), true).unwrap().len(), 2);
    let old = b.update_state("h", "1", &JobState::Running, None, None, Some("node1")).unwrap();
    assert_eq!(old.unwrap().state, JobState::Pending);
    // No change, no event.
    assert!(a.update_state("h", "1", &JobState::Running, None, None, None).unwrap().is_none());
    a.update_state("h", "1", &JobState::Completed, None, Some(0), None).unwrap();
    // Final records never change again.
    assert!(b.update_state("h", "1", &JobState::Running, None, None, None).unwrap().is_none());
    let live: Vec<String> = a.list(None, true).unwrap().into_iter().map(|r| r.id).collect();
    assert_eq!(live, vec!["2"]);
    let one = b.get("h", "1").unwrap().unwrap();
    assert_eq!(
        (one.state, one.exit_code, one.nodes.as_deref()),
        (JobState::Completed, Some(0), Some("node1"))
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn one_of_many_connections_takes_the_poll_lease_and_another_takes_it_when_expired() {
    let path = scratch("lease").join("jobs.sqlite");
    Store::open(&path).unwrap();
    // Eight threads with a connection each (like eight processes), all at once.
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
    let won: Vec<bool> = (0..8)
        .map(|i| {
            let (path, barrier) = (path.clone(), barrier.clone());
            std::thread::spawn(move || {
                let s = Store::open(&path).unwrap();
                barrier.wait();
                s.take_lease("h", &format!("p{i}"), 1_000, 3_000).unwrap()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    assert_eq!(won.iter().filter(|w| **w).count(), 1, "{won:?}");
    let winner = format!("p{}", won.iter().position(|w| *w).unwrap());
    let other = if winner == "p0" { "p1" } else { "p0" };
    let s = Store::open(&path).unwrap();
    // Renewed by its holder, refused to others until it expires.
    assert!(s.take_lease("h", &winner, 2_000, 3_000).unwrap());
    assert!(!s.take_lease("h", other, 4_999, 3_000).unwrap());
    assert!(s.take_lease("other-host", other, 4_999, 3_000).unwrap());
    assert!(s.take_lease("h", other, 5_000, 3_000).unwrap());
    assert_eq!(s.lease("h").unwrap(), Some(Lease { holder: other.into(), expires_at: 8_000 }));
    // Released by its holder only.
    s.release_lease("h", &winner).unwrap();
    assert!(s.lease("h").unwrap().is_some());
    s.release_lease("h", other).unwrap();
    assert_eq!(s.lease("h").unwrap(), None);
}
