use super::super::resources::Resources;
use super::super::state::JobState;
use super::super::store::JobKind;
use super::super::submit::RunOptions;
use super::*;
use std::path::Path;

fn assert_send<T: Send>(_: T) {}

/// The language server spawns these on a multi-threaded runtime.
#[allow(dead_code, clippy::let_underscore_future)]
fn futures_are_send(e: &Engine) {
    assert_send(e.run(&RunOptions::default()));
    assert_send(e.poll());
    assert_send(e.facts(false));
    assert_send(e.pull("x", &|_| {}));
    assert_send(e.alloc(&Resources::default()));
    assert_send(e.cancel("1"));
    assert_send(e.logs("1", 0, 0));
    assert_send(e.script("1"));
    assert_send(e.tick());
    assert_send(e.connect());
    assert_send(e.shell_argv("1"));
}

/// A scratch state directory and a run directory with a hostile name, removed after.
struct Scratch(PathBuf);
impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn local_engine(scratch: &Scratch) -> Engine {
    let mut opts = EngineOptions::new("local");
    opts.state_dir = Some(scratch.0.join("state"));
    opts.config = Some(Config::default());
    Engine::with_transport(opts, Arc::new(LocalTransport::new())).await.unwrap()
}

fn track(e: &Engine, id: &str, kind: JobKind, run_dir: Option<String>) {
    let res = Resources {
        partition: Some("gpu".into()),
        account: Some("lab_dev".into()),
        gpus: Some(2),
        time: Some("00:10:00".into()),
        ..Default::default()
    };
    let mut rec = e.new_record(id, kind, "x.py", JobState::Pending, &res);
    rec.run_dir = run_dir;
    e.track_new(rec).unwrap();
}

/// A submit is not broadcast: the submitter has the record and tells its user
/// once (the editor got two job notifications per submit when it was).
#[tokio::test]
async fn a_submit_is_recorded_without_an_event() {
    let scratch =
        Scratch(std::env::temp_dir().join(format!("clusterls-api-ev-{}", std::process::id())));
    let e = local_engine(&scratch).await;
    let mut events = e.subscribe();
    track(&e, "51", JobKind::Run, None);
    assert!(e.job("51").unwrap().is_some());
    assert!(events.try_recv().is_err(), "no event for a submit");
}

#[tokio::test]
async fn script_reads_the_generated_batch_script_in_one_round_trip() {
    let scratch =
        Scratch(std::env::temp_dir().join(format!("clusterls-api-{}", std::process::id())));
    let run = scratch.0.join("runs/a 'b' $(touch pwned); c\nd");
    std::fs::create_dir_all(&run).unwrap();
    let text = "#!/bin/bash\n#SBATCH --partition=gpu\necho 'ü'\n";
    std::fs::write(run.join(script::SBATCH_FILE), text).unwrap();
    let e = local_engine(&scratch).await;
    let run = run.to_str().unwrap().to_string();
    track(&e, "41", JobKind::Run, Some(run.clone()));
    let before = e.round_trips();
    assert_eq!(e.script("41").await.unwrap(), text);
    assert_eq!(e.round_trips() - before, 1);
    assert!(!scratch.0.join("runs/pwned").exists() && !Path::new("pwned").exists());

    // The requested resources are kept with the job.
    let rec = e.job("41").unwrap().unwrap();
    assert_eq!(
        (
            rec.resources.partition.as_deref(),
            rec.resources.account.as_deref(),
            rec.resources.gpus,
            rec.resources.time.as_deref()
        ),
        (Some("gpu"), Some("lab_dev"), Some(2), Some("00:10:00"))
    );

    // Each error says what went wrong and what to do.
    std::fs::remove_dir_all(&run).unwrap();
    let msg = e.script("41").await.unwrap_err().to_string();
    assert!(msg.contains("gone from the cluster") && msg.contains("job.sbatch"), "{msg}");
    let msg = e.script("42").await.unwrap_err().to_string();
    assert!(msg.contains("job 42 is not tracked on local; see `clusterls jobs`"), "{msg}");
    track(&e, "43", JobKind::Alloc, None);
    let msg = e.script("43").await.unwrap_err().to_string();
    assert!(msg.contains("an allocation has no batch script"), "{msg}");
}
