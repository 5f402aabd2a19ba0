use super::*;
use crate::engine::launch::interpreter::interpreter_for;
use clusterls_core::facts::GpuGres;
use expect_test::{Expect, expect};
use std::io::Write;
use std::process::{Command, Stdio};

fn partition() -> Partition {
    Partition {
        name: "gpu".into(),
        nodes: vec!["node02".into(), "node03".into()],
        gpus: vec![GpuGres { gpu_type: Some("a100".into()), count: 2 }],
        features: Some(vec!["ib".into(), "a100".into()]),
        ..Default::default()
    }
}

#[track_caller]
fn check(nodes: &str, gpus: u32, ty: Option<&str>, c: Option<&str>, expect: Expect) {
    let actual = match validate(nodes, gpus, ty, c, Launcher::Direct, Some(&partition())) {
        Ok(l) => format!("{l:?}"),
        Err(e) => format!("error: {e}"),
    };
    expect.assert_eq(&actual);
}

#[test]
fn requests_are_checked_in_slurms_terms() {
    check(
        "2",
        2,
        Some("a100"),
        Some("ib&a100"),
        expect![[
            r#"Layout { nodes: 2, gpus_per_node: 2, gpu_type: Some("a100"), constraint: Some("ib&a100"), launcher: Direct }"#
        ]],
    );
    check(
        "3",
        1,
        None,
        None,
        expect![[
            r#"error: partition gpu has 2 node(s); --nodes 3 cannot be met (Slurm: "Requested node configuration is not available"). Use --nodes 2 or another partition."#
        ]],
    );
    check(
        "2",
        4,
        None,
        None,
        expect![[
            r#"error: partition gpu has 2 GPU(s) per node; --gpus-per-node 4 cannot be met (Slurm: "Requested node configuration is not available")"#
        ]],
    );
    check(
        "2",
        1,
        Some("h100"),
        None,
        expect!["error: partition gpu has no GPUs of type h100; it has a100"],
    );
    check(
        "1-2",
        1,
        None,
        None,
        expect![
            "error: --nodes 1-2: a distributed run needs an exact node count (WORLD_SIZE must be known before the job starts); write e.g. --nodes 1"
        ],
    );
    check("0", 1, None, None, expect!["error: --nodes: a job needs at least 1 node"]);
    check(
        "two",
        1,
        None,
        None,
        expect!["error: --nodes: `two` is not a node count; write N or MIN-MAX, e.g. 2 or 2-4"],
    );
    check("1", 0, Some("a100"), None, expect!["error: --gpu-type a100 needs --gpus-per-node"]);
    check(
        "1",
        1,
        None,
        Some("ib&&x"),
        expect!["error: --constraint: `ib&&x` has an operator with nothing before it"],
    );
    check(
        "1",
        1,
        None,
        Some("ib|fast"),
        expect![[
            r#"error: partition gpu has no nodes with feature(s) fast (Slurm: "Invalid feature specification"); its features: ib, a100"#
        ]],
    );
    check(
        "1",
        1,
        None,
        Some("$(x)"),
        expect!["error: --constraint `$(x)`: features are letters, digits and &|,[]()*"],
    );
    expect!["Err(\"--launcher torchrun starts one process per GPU; add --gpus-per-node\")"]
        .assert_eq(&format!("{:?}", validate("2", 0, None, None, Launcher::Torchrun, None)));
}

#[test]
fn arrays() {
    let v = |s: &str| match validate_array(s, Some(1001)) {
        Ok(x) => format!("{x:?}"),
        Err(e) => e,
    };
    expect!["(9, 10)"].assert_eq(&v("0-9%2"));
    expect!["(99, 10)"].assert_eq(&v("0-99:10"));
    expect![[r#"--array 9-0: array range `9-0` ends before it starts; write 0-9 (sbatch: "Invalid job array specification")"#]]
        .assert_eq(&v("9-0"));
    expect![[r#"--array 0-9%x: `%x` must be the number of array tasks to run at once (sbatch: "Invalid job array specification")"#]]
        .assert_eq(&v("0-9%x"));
    expect![[r#"--array 0-2000: index 2000 is not below MaxArraySize=1001 (sbatch: "Invalid job array specification"); use indexes up to 1000"#]]
        .assert_eq(&v("0-2000"));
}

fn layout(nodes: u32, launcher: Launcher) -> Layout {
    Layout { nodes, gpus_per_node: 2, gpu_type: None, constraint: None, launcher }
}

const HOSTILE: &str = "my $(touch MARKER); 'train'\n.py";

#[track_caller]
fn check_render(
    layout: &Layout,
    runtime: Option<RuntimeKind>,
    array: Option<&str>,
    expect: Expect,
) {
    let py = interpreter_for("train.py", "", "python3").unwrap();
    let cmd = task_command(layout, &py, HOSTILE, &["--lr=$(x)".to_string()]).unwrap();
    let res = Resources {
        partition: Some("gpu".into()),
        cpus: Some(4),
        gpus: Some(9),
        ..Default::default()
    };
    let job = Job {
        job_name: "train it",
        resources: &res,
        layout,
        array,
        runtime,
        runtime_path: None,
        image: Some("/img/p.sif"),
        binds: &[],
        command: &cmd,
        origin: "clusterls run train.py",
    };
    let text = render(&job);
    // sbatch reads every directive as written, and bash accepts the whole script.
    let parsed = clusterls_sbatch::parse(&text);
    assert!(parsed.problems.is_empty() && parsed.strays.is_empty(), "{parsed:?}");
    if let Some(c) = &layout.constraint {
        assert_eq!(parsed.last("constraint").and_then(|d| d.value.clone()).as_ref(), Some(c));
    }
    let out = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(text.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    expect.assert_eq(&text.replace(crate::VERSION, "VERSION"));
}

#[test]
fn scripts() {
    check_render(
        &layout(1, Launcher::Direct),
        Some(RuntimeKind::Apptainer),
        Some("0-5%2"),
        expect![[r##"
            #!/bin/bash
            #SBATCH --job-name=train_it
            #SBATCH --partition=gpu
            #SBATCH --gres=gpu:2
            #SBATCH --cpus-per-task=4
            #SBATCH --array=0-5%2
            #SBATCH --output=output-%a.log
            #SBATCH --error=error-%a.log
            # Written by clusterls VERSION for clusterls run train.py.
            # Run it again from this directory with: sbatch job.sbatch
            set -eo pipefail
            echo "clusterls: job $SLURM_JOB_ID on $(hostname), CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-}" >&2
            exec apptainer exec --nv --pwd "$PWD" /img/p.sif python3 './my $(touch MARKER); '\''train'\''
            .py' '--lr=$(x)'
        "##]],
    );
    check_render(
        &Layout {
            gpu_type: Some("a100".into()),
            constraint: Some("ib|fast".into()),
            ..layout(2, Launcher::Direct)
        },
        Some(RuntimeKind::Charliecloud),
        None,
        expect![[r##"
            #!/bin/bash
            #SBATCH --job-name=train_it
            #SBATCH --partition=gpu
            #SBATCH --gres=gpu:a100:2
            #SBATCH --cpus-per-task=4
            #SBATCH --nodes=2
            #SBATCH --ntasks-per-node=1
            #SBATCH --constraint='ib|fast'
            #SBATCH --output=output.log
            #SBATCH --error=error.log
            # Written by clusterls VERSION for clusterls run train.py.
            # Run it again from this directory with: sbatch job.sbatch
            set -eo pipefail
            echo "clusterls: job $SLURM_JOB_ID on $(hostname), CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-}" >&2
            # 2 node(s), one task each; every task finds rank 0 at the first node.
            export MASTER_ADDR="$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)"
            export MASTER_PORT=$((15000 + SLURM_JOB_ID % 16000))
            export WORLD_SIZE=2
            clusterls_task() {
                export RANK="$SLURM_PROCID" NODE_RANK="$SLURM_NODEID" LOCAL_RANK="$SLURM_LOCALID"
                unset -f clusterls_task
                exec ch-run --home --set-env --env-no-expand -c "$PWD" /img/p.sif -- python3 './my $(touch MARKER); '\''train'\''
            .py' '--lr=$(x)'
            }
            export -f clusterls_task
            srun --nodes=2 --ntasks-per-node=1 --kill-on-bad-exit=1 --cpus-per-task=4 bash -c clusterls_task
        "##]],
    );
    check_render(
        &layout(2, Launcher::Torchrun),
        Some(RuntimeKind::Apptainer),
        None,
        expect![[r##"
            #!/bin/bash
            #SBATCH --job-name=train_it
            #SBATCH --partition=gpu
            #SBATCH --gres=gpu:2
            #SBATCH --cpus-per-task=4
            #SBATCH --nodes=2
            #SBATCH --ntasks-per-node=1
            #SBATCH --output=output.log
            #SBATCH --error=error.log
            # Written by clusterls VERSION for clusterls run train.py.
            # Run it again from this directory with: sbatch job.sbatch
            set -eo pipefail
            echo "clusterls: job $SLURM_JOB_ID on $(hostname), CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-}" >&2
            # 2 node(s), one task each; every task finds rank 0 at the first node.
            export MASTER_ADDR="$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)"
            export MASTER_PORT=$((15000 + SLURM_JOB_ID % 16000))
            export WORLD_SIZE=2
            clusterls_task() {
                export RANK="$SLURM_PROCID" NODE_RANK="$SLURM_NODEID" LOCAL_RANK="$SLURM_LOCALID"
                unset -f clusterls_task
                exec apptainer exec --nv --pwd "$PWD" /img/p.sif sh -c 'command -v torchrun >/dev/null 2>&1 || { echo "clusterls: torchrun is not in the container image; use an image with PyTorch or run without --launcher torchrun" >&2; exit 97; }; exec torchrun --nnodes=2 --nproc-per-node=2 --rdzv-backend=c10d --rdzv-endpoint="$MASTER_ADDR:$MASTER_PORT" --rdzv-id="$SLURM_JOB_ID" "$@"' torchrun './my $(touch MARKER); '\''train'\''
            .py' '--lr=$(x)'
            }
            export -f clusterls_task
            srun --nodes=2 --ntasks-per-node=1 --kill-on-bad-exit=1 --cpus-per-task=4 bash -c clusterls_task
        "##]],
    );
}

#[test]
fn torchrun_needs_python() {
    let sh = interpreter_for("run.sh", "", "python3").unwrap();
    expect!["Err(\"--launcher torchrun starts Python scripts, and `run.sh` is not a .py file; drop --launcher or launch torchrun from the script itself\")"]
        .assert_eq(&format!("{:?}", task_command(&layout(2, Launcher::Torchrun), &sh, "run.sh", &[])));
    assert!(explain_exit(MISSING_PROGRAM_EXIT).unwrap().contains("torchrun"));
    assert_eq!(explain_exit(1), None);
}

/// Fakes of srun and scontrol for running a generated script in a real bash: srun starts
/// one process per node with Slurm's per-task variables, as the real one does.
const FAKES: &str = r#"
scontrol() { [ "$1 $2" = "show hostnames" ] && printf 'node02\nnode03\n'; }
srun() {
    local n=1
    while [ "${1#-}" != "$1" ]; do case "$1" in --nodes=*) n=${1#--nodes=};; esac; shift; done
    local i=0
    while [ $i -lt $n ]; do
        SLURM_PROCID=$i SLURM_NODEID=$i SLURM_LOCALID=0 "$@" || return $?
        i=$((i + 1))
    done
}
export SLURM_JOB_ID=16359 SLURM_JOB_NODELIST='node[02-03]'
"#;

/// Run `script` (a job.sbatch) in bash after the fakes, in a fresh directory.
fn run_in_bash(script: &str, path_prefix: Option<&std::path::Path>) -> (i32, String, String) {
    let dir = std::env::temp_dir().join(format!(
        "clusterls-launch-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cmd = Command::new("bash");
    cmd.arg("-s")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(p) = path_prefix {
        // Only the system's tools: a torchrun installed elsewhere must not be found.
        cmd.env("PATH", format!("{}:/usr/bin:/bin", p.display()));
    }
    let mut child = cmd.spawn().unwrap();
    child.stdin.take().unwrap().write_all(format!("{FAKES}\n{script}").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let marker = dir.join("MARKER").exists();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(!marker, "a hostile name was executed");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

fn no_container_job(layout: &Layout, command: &[String]) -> String {
    let res = Resources::default();
    render(&Job {
        job_name: HOSTILE,
        resources: &res,
        layout,
        array: None,
        runtime: None,
        runtime_path: None,
        image: None,
        binds: &[],
        command,
        origin: HOSTILE,
    })
}

/// The generated text, run by a real bash: each task sees the right variables and the
/// hostile argument arrives as one word, never executed.
#[test]
fn every_task_gets_slurms_variables() {
    let program = r#"printf '%s|' "$RANK" "$NODE_RANK" "$LOCAL_RANK" "$WORLD_SIZE" "$MASTER_ADDR" "$MASTER_PORT" "$1" "$(env | grep -c clusterls_task)"; echo"#;
    let cmd = ["sh".to_string(), "-c".into(), program.into(), "x".into(), HOSTILE.into()];
    let (code, out, err) = run_in_bash(&no_container_job(&layout(2, Launcher::Direct), &cmd), None);
    assert_eq!(code, 0, "{err}");
    expect![[r#"
        0|0|0|2|node02|15359|my $(touch MARKER); 'train'
        .py|0|
        1|1|0|2|node02|15359|my $(touch MARKER); 'train'
        .py|0|
    "#]]
    .assert_eq(&out);
}

/// torchrun missing: a distinct exit code and a message, at once; present: it gets the
/// rendezvous flags and the script's words intact.
#[test]
fn torchrun_guard() {
    let py = interpreter_for("train.py", "", "python3").unwrap();
    let l = layout(2, Launcher::Torchrun);
    let cmd = task_command(&l, &py, HOSTILE, &["a b".to_string()]).unwrap();
    let script = no_container_job(&l, &cmd);
    let empty = std::env::temp_dir().join(format!("clusterls-nobin-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    // A PATH with the system tools but no torchrun (none is installed here).
    let (code, _, err) = run_in_bash(&script, Some(&empty));
    assert_eq!(code, MISSING_PROGRAM_EXIT, "{err}");
    expect![[r#"
        clusterls: job 16359 on HOST, CUDA_VISIBLE_DEVICES=
        clusterls: torchrun is not in the container image; use an image with PyTorch or run without --launcher torchrun
    "#]]
    .assert_eq(&err.replace(&hostname(), "HOST"));
    let fake = empty.join("torchrun");
    std::fs::write(&fake, "#!/bin/sh\nprintf '<%s>' \"$@\"; echo \" rank=$RANK\"\n").unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let (code, out, err) = run_in_bash(&script, Some(&empty));
    std::fs::remove_dir_all(&empty).unwrap();
    assert_eq!(code, 0, "{err}");
    expect![[r#"
        <--nnodes=2><--nproc-per-node=2><--rdzv-backend=c10d><--rdzv-endpoint=node02:15359><--rdzv-id=16359><./my $(touch MARKER); 'train'
        .py><a b> rank=0
        <--nnodes=2><--nproc-per-node=2><--rdzv-backend=c10d><--rdzv-endpoint=node02:15359><--rdzv-id=16359><./my $(touch MARKER); 'train'
        .py><a b> rank=1
    "#]]
    .assert_eq(&out);
}

fn hostname() -> String {
    let out = Command::new("hostname").stdin(Stdio::null()).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// On one node without an array, the job script is exactly the one `script::JobScript`
/// writes today, so the engine can use [`render`] for every generated run.
#[test]
fn one_node_reads_as_job_script_writes_it() {
    use crate::engine::script::JobScript;
    for (runtime, gpus) in
        [(Some(RuntimeKind::Charliecloud), 1), (Some(RuntimeKind::Apptainer), 0), (None, 2)]
    {
        let res = Resources {
            partition: Some("gpu".into()),
            account: Some("lab".into()),
            qos: Some("normal".into()),
            gpus: Some(gpus),
            cpus: Some(2),
            mem: Some("4G".into()),
            time: Some("10".into()),
        };
        let args = vec!["a b".to_string()];
        let binds = vec!["/data".to_string()];
        let old = JobScript {
            job_name: HOSTILE,
            resources: &res,
            runtime,
            runtime_path: None,
            image: Some("/img/p.sif"),
            binds: &binds,
            interpreter: "python3",
            script: HOSTILE,
            args: &args,
            origin: HOSTILE,
        }
        .render();
        let py = interpreter_for("x.py", "", "python3").unwrap();
        let layout = Layout::single(gpus);
        let command = task_command(&layout, &py, HOSTILE, &args).unwrap();
        let new = render(&Job {
            job_name: HOSTILE,
            resources: &res,
            layout: &layout,
            array: None,
            runtime,
            runtime_path: None,
            image: Some("/img/p.sif"),
            binds: &binds,
            command: &command,
            origin: HOSTILE,
        });
        assert_eq!(new, old);
    }
}
