use super::*;
use expect_test::{Expect, expect};

#[track_caller]
fn check_gres(input: &str, expect: Expect) {
    expect.assert_eq(&format!("{:?}", parse_gres_gpus(input)));
}

#[test]
fn gres() {
    check_gres("gpu:4", expect![[r#"[GpuGres { gpu_type: None, count: 4 }]"#]]);
    check_gres(
        "gpu:a100:2(S:0,1),gpu:v100:1,shard:8",
        expect![[
            r#"[GpuGres { gpu_type: Some("a100"), count: 2 }, GpuGres { gpu_type: Some("v100"), count: 1 }]"#
        ]],
    );
    check_gres("(null)", expect!["[]"]);
}

#[track_caller]
fn check_time(input: &str, expect: Expect) {
    expect.assert_eq(&format!("{:?}", parse_duration_minutes(input)));
}

#[test]
fn durations() {
    check_time("UNLIMITED", expect!["None"]);
    check_time("2-00:00:00", expect!["Some(2880)"]);
    check_time("1:00:00", expect!["Some(60)"]);
    check_time("30:00", expect!["Some(30)"]);
    check_time("00:00:30", expect!["Some(1)"]);
    check_time("NONE", expect!["None"]);
    check_time("1-12", expect!["Some(2160)"]);
    check_time("abc", expect!["None"]);
}

#[track_caller]
fn check_state(input: &str, expect: Expect) {
    let s = JobState::parse(input);
    expect.assert_eq(&format!("{s} final={}", s.is_final()));
}

#[test]
fn states() {
    check_state("RUNNING", expect!["RUNNING final=false"]);
    check_state("CANCELLED by 1000", expect!["CANCELLED final=true"]);
    check_state("COMPLETED", expect!["COMPLETED final=true"]);
    check_state("PD", expect!["PENDING final=false"]);
    check_state("RESIZING", expect!["RESIZING final=false"]);
}

#[test]
fn squeue_and_sacct() {
    expect![[r#"[JobStatus { id: "12", state: Running, reason: None, exit_code: None, nodes: Some("node1") }, JobStatus { id: "13", state: Pending, reason: Some("Resources"), exit_code: None, nodes: None }]"#]]
        .assert_eq(&format!("{:?}", parse_squeue("12|RUNNING|None|node1\n13|PENDING|Resources|\nslurm_load_jobs error: Invalid job id specified\n")));
    expect![[r#"[JobStatus { id: "12", state: Completed, reason: None, exit_code: Some(0), nodes: Some("node1") }, JobStatus { id: "14", state: Failed, reason: None, exit_code: Some(3), nodes: Some("node1") }, JobStatus { id: "15", state: Cancelled, reason: None, exit_code: Some(137), nodes: None }]"#]]
        .assert_eq(&format!("{:?}", parse_sacct("12|train|COMPLETED|0:0|node1\n12.batch|batch|COMPLETED|0:0|node1\n14|x|FAILED|3:0|node1\n15|y|CANCELLED by 0|0:9|None assigned\n")));
}

#[track_caller]
fn check_refusal(stderr: &str, expect: Expect) {
    let (kind, msg, _) = classify_refusal(stderr);
    expect.assert_eq(&format!("{kind:?}: {msg}"));
}

#[test]
fn refusals() {
    check_refusal(
        "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified\n",
        expect![
            "Account: sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified"
        ],
    );
    check_refusal(
        "sbatch: error: invalid partition specified: nope\nsbatch: error: Batch job submission failed: Invalid partition name specified\n",
        expect![
            "Partition: sbatch: error: Batch job submission failed: Invalid partition name specified"
        ],
    );
    check_refusal(
        "sbatch: error: Batch job submission failed: Requested time limit is invalid (missing or exceeds some limit)\n",
        expect![
            "TimeLimit: sbatch: error: Batch job submission failed: Requested time limit is invalid (missing or exceeds some limit)"
        ],
    );
    check_refusal(
        "sbatch: error: Batch job submission failed: Requested node configuration is not available\n",
        expect![
            "Resources: sbatch: error: Batch job submission failed: Requested node configuration is not available"
        ],
    );
}
