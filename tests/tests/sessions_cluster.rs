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
    let Some(p) = Project::new("sessions-why") else { return };
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
