//! Sessions on the real cluster: why a job waits (the reason in words in `clusterls
//! jobs`, `clusterls why` with the scheduler's estimated start).

mod engine_common;

use engine_common::{Project, ssh, stderr, stdout, wait_for};

/// Cancels the jobs it holds when the test ends, passed or not.
struct Cancel(Vec<String>);

impl Drop for Cancel {
    fn drop(&mut self) {
        for id in &self.0 {
            let _ = ssh(&["scancel", id]);
        }
    }
}

#[test]
fn a_job_held_by_a_full_node_says_why_in_words_and_when() {
    let p = Project::new("sessions-why");
    let mut jobs = Cancel(Vec::new());
    // Fill node01's four GPUs with a long job (submitted directly, not tracked).
    let fill = ssh(&[
        "sbatch",
        "--parsable",
        "-p",
        "gpu",
        "-A",
        "lab_dev",
        "--gres=gpu:4",
        "-t",
        "10",
        "-J",
        "clusterls-test-fill",
        "--wrap",
        "sleep 600",
    ]);
    let fill_id = stdout(&fill).trim().to_string();
    assert!(fill.status.success() && !fill_id.is_empty(), "{}", stderr(&fill));
    jobs.0.push(fill_id.clone());
    wait_for("the filling job to run", || {
        let o = ssh(&["squeue", "-h", "-j", &fill_id, "-o", "%T"]);
        (stdout(&o).trim() == "RUNNING").then_some(())
    });
    let script = p.write("wait.py", "print('ran')\n");
    let out = p.run(&[
        "run",
        "--no-container",
        "--partition",
        "gpu",
        "--gpus",
        "1",
        "--parsable",
        script.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let id = stdout(&out).trim().to_string();
    jobs.0.push(id.clone());
    // The REASON column says it in words once Slurm has looked at the job: Resources,
    // or Priority when another user's job already waits for node01 (a shared cluster).
    const HELD: [(&str, &str); 2] = [
        ("Resources", "the resources it asks for are busy with other jobs"),
        ("Priority", "jobs with a higher priority are ahead in the queue"),
    ];
    let (row, code) = wait_for("the Resources reason in `clusterls jobs`", || {
        let out = p.run(&["jobs", "--refresh"]);
        let table = stdout(&out);
        table.lines().find(|l| l.split_whitespace().nth(1) == Some(id.as_str())).and_then(|l| {
            HELD.iter().find(|(_, words)| l.contains(words)).map(|(c, _)| (l.to_string(), *c))
        })
    });
    assert!(row.contains("PENDING"), "{row}");
    // `why`: the words, what to do, and an estimated start (or that Slurm has none yet).
    let out = p.run(&["why", &id]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains(&format!("job {id} is PENDING because ")), "{text}");
    assert!(text.contains(&format!("(Slurm: {code})")), "{text}");
    let start = text.lines().find(|l| l.starts_with("estimated start: ")).expect("a start line");
    assert!(start.contains(" on node01") || start.contains("Slurm has none yet"), "{text}");
    // A job that is not pending: said plainly.
    let out = p.run(&["why", &fill_id]);
    assert!(!out.status.success(), "an untracked running job: {}", stdout(&out));
    assert!(stderr(&out).contains("is not pending"), "{}", stderr(&out));
}

/// A job that holds 300 MB and spins a CPU for 40 s (longer than the cluster's 30 s
/// accounting sample, so MaxRSS is recorded) on a 4G request: `clusterls jobs ID` prints
/// the lines sacct's own record gives, and the advice to ask for less memory.
#[test]
fn a_finished_jobs_efficiency_matches_sacct() {
    let p = Project::new("sessions-efficiency");
    let script = p.write(
        "eff.py",
        "import time\nx = bytearray(300 * 1024 * 1024)\nfor i in range(0, len(x), 4096):\n    x[i] = 1\nt = time.time()\nwhile time.time() - t < 40:\n    pass\nprint('done')\n",
    );
    let out = p.run(&[
        "run",
        "--no-container",
        "--partition",
        "gpu",
        "--gpus",
        "1",
        "--cpus",
        "2",
        "--mem",
        "4G",
        "--parsable",
        "--follow",
        script.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let id = stdout(&out).lines().next().unwrap_or_default().trim().to_string();
    let _cancel = Cancel(vec![id.clone()]);
    // What sacct recorded, read by the same parser, once accounting has the steps' MaxRSS.
    let fields = clusterls::engine::sessions::efficiency::SACCT_FIELDS;
    let recorded = wait_for("sacct's record with MaxRSS", || {
        let o = ssh(&["sacct", "-nP", "-j", &id, "-o", fields]);
        let e = clusterls::engine::sessions::efficiency::parse(&stdout(&o))?;
        (e.state == "COMPLETED" && e.max_rss_bytes.is_some()).then_some(e)
    });
    eprintln!("{recorded:?}");
    assert!(recorded.elapsed_secs >= 40, "{recorded:?}");
    assert_eq!((recorded.cpus, recorded.gpus), (2, 1));
    assert_eq!(recorded.mem_bytes, Some(4 << 30));
    let rss = recorded.max_rss_bytes.unwrap();
    assert!((300 << 20..1 << 30).contains(&rss), "{rss}");
    let expected = clusterls::engine::sessions::efficiency::lines(&recorded);
    let out = p.run(&["jobs", &id]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let shown: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("how it went (sacct):"))
        .skip(1)
        .map(str::trim)
        .collect();
    assert_eq!(shown, expected, "{text}");
    assert!(text.contains(&format!("job {id} on ")), "{text}");
    assert!(
        shown
            .iter()
            .any(|l| l.starts_with("advice: used ") && l.ends_with(": ask for --mem=1G next time")),
        "{text}"
    );
}
