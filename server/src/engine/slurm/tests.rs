use super::*;
use crate::engine::state::JobState;
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
    expect![[r#"[JobStatus { id: "12", state: Running, reason: None, exit_code: None, nodes: Some("node1"), raw_id: None }, JobStatus { id: "13", state: Pending, reason: Some("Resources"), exit_code: None, nodes: None, raw_id: None }]"#]]
        .assert_eq(&format!("{:?}", parse_squeue("12|RUNNING|None|node1\n13|PENDING|Resources|\nslurm_load_jobs error: Invalid job id specified\n")));
    expect![[r#"[JobStatus { id: "12", state: Completed, reason: None, exit_code: Some(0), nodes: Some("node1"), raw_id: None }, JobStatus { id: "14", state: Failed, reason: None, exit_code: Some(3), nodes: Some("node1"), raw_id: None }, JobStatus { id: "15", state: Cancelled, reason: None, exit_code: Some(137), nodes: None, raw_id: None }]"#]]
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

#[track_caller]
fn check_facts(input: &str, expect: Expect) {
    let mut problems = Vec::new();
    let f = parse_facts(input, &mut problems);
    let json = serde_json::to_string_pretty(&f).unwrap();
    expect.assert_eq(&format!("{json}\nproblems: {problems:#?}"));
}

/// Recorded from the local test cluster (Slurm 22.05.8, Charliecloud 0.31).
#[test]
fn facts_recorded_22_05() {
    check_facts(
        include_str!("../testdata/slurm/facts-22.05.8-charliecloud.txt"),
        expect![[r#"
            {
              "cluster": "clusterls",
              "host": null,
              "slurm_version": "22.05.8",
              "user": "alice",
              "fetched_at": null,
              "partitions": [
                {
                  "name": "cpu",
                  "state": "up",
                  "is_default": true,
                  "max_time_minutes": 10080,
                  "default_time_minutes": null,
                  "nodes": [
                    "node01"
                  ],
                  "cpus_per_node": 8,
                  "mem_per_node_mb": 32000,
                  "gpus": [
                    {
                      "type": null,
                      "count": 4
                    }
                  ],
                  "allow_accounts": null,
                  "allow_qos": null,
                  "features": [],
                  "node_kinds": [
                    {
                      "count": 1,
                      "cpus": 8,
                      "mem_mb": 32000,
                      "gpus": [
                        {
                          "type": null,
                          "count": 4
                        }
                      ],
                      "features": []
                    }
                  ]
                },
                {
                  "name": "test",
                  "state": "up",
                  "is_default": false,
                  "max_time_minutes": 480,
                  "default_time_minutes": null,
                  "nodes": [
                    "node01"
                  ],
                  "cpus_per_node": 8,
                  "mem_per_node_mb": 32000,
                  "gpus": [
                    {
                      "type": null,
                      "count": 4
                    }
                  ],
                  "allow_accounts": null,
                  "allow_qos": null,
                  "features": [],
                  "node_kinds": [
                    {
                      "count": 1,
                      "cpus": 8,
                      "mem_mb": 32000,
                      "gpus": [
                        {
                          "type": null,
                          "count": 4
                        }
                      ],
                      "features": []
                    }
                  ]
                },
                {
                  "name": "gpu",
                  "state": "up",
                  "is_default": false,
                  "max_time_minutes": 2880,
                  "default_time_minutes": null,
                  "nodes": [
                    "node01"
                  ],
                  "cpus_per_node": 8,
                  "mem_per_node_mb": 32000,
                  "gpus": [
                    {
                      "type": null,
                      "count": 4
                    }
                  ],
                  "allow_accounts": null,
                  "allow_qos": null,
                  "features": [],
                  "node_kinds": [
                    {
                      "count": 1,
                      "cpus": 8,
                      "mem_mb": 32000,
                      "gpus": [
                        {
                          "type": null,
                          "count": 4
                        }
                      ],
                      "features": []
                    }
                  ]
                }
              ],
              "associations": [
                {
                  "account": "lab_dev",
                  "partition": "cpu",
                  "qos": [
                    "normal"
                  ]
                },
                {
                  "account": "lab_dev",
                  "partition": "test",
                  "qos": [
                    "normal"
                  ]
                },
                {
                  "account": "lab_dev",
                  "partition": "gpu",
                  "qos": [
                    "normal"
                  ]
                },
                {
                  "account": "lab_grads",
                  "partition": "test",
                  "qos": [
                    "normal"
                  ]
                },
                {
                  "account": "lab_grads",
                  "partition": "cpu",
                  "qos": [
                    "normal"
                  ]
                }
              ],
              "default_account": "lab_grads",
              "qos": [
                "normal"
              ],
              "runtime": {
                "kind": "charliecloud",
                "version": "0.31",
                "path": "/usr/bin/ch-run"
              },
              "image_dir": "/var/tmp/alice.ch/img",
              "images": [
                {
                  "name": "127.0.0.1+5444%tiny%python+3.11",
                  "path": "/var/tmp/alice.ch/img/127.0.0.1+5444%tiny%python+3.11",
                  "size_bytes": null
                },
                {
                  "name": "127.0.0.1+5443%tiny%python+3.11",
                  "path": "/var/tmp/alice.ch/img/127.0.0.1+5443%tiny%python+3.11",
                  "size_bytes": null
                }
              ],
              "gpu_driver": null,
              "accounting_enforce": [
                "associations",
                "limits"
              ],
              "enforce_part_limits": "ALL",
              "gres_types": [
                "gpu"
              ],
              "reservations": []
            }
            problems: []"#]],
    );
}

/// A site like FASRC: typed GPUs that differ per node, restricted accounts, a drained
/// partition, accounting down (associations unknown, not empty-and-denied), apptainer.
#[test]
fn facts_typed_gpus_no_accounting() {
    check_facts(
        include_str!("../testdata/slurm/facts-apptainer-typed-gpus-no-accounting.txt"),
        expect![[r#"
            {
              "cluster": "fasrc",
              "host": null,
              "slurm_version": "23.11.4",
              "user": "jdoe",
              "fetched_at": null,
              "partitions": [
                {
                  "name": "kempner_h100",
                  "state": "up",
                  "is_default": false,
                  "max_time_minutes": 4320,
                  "default_time_minutes": 60,
                  "nodes": [
                    "holygpu01",
                    "holygpu02"
                  ],
                  "cpus_per_node": 64,
                  "mem_per_node_mb": 515000,
                  "gpus": [
                    {
                      "type": "nvidia_h100_80gb_hbm3",
                      "count": 2
                    }
                  ],
                  "allow_accounts": [
                    "kempner_lab",
                    "kempner_dev"
                  ],
                  "allow_qos": null,
                  "features": [
                    "h100",
                    "ib",
                    "holyoke"
                  ],
                  "node_kinds": [
                    {
                      "count": 1,
                      "cpus": 96,
                      "mem_mb": 1031000,
                      "gpus": [
                        {
                          "type": "nvidia_h100_80gb_hbm3",
                          "count": 4
                        }
                      ],
                      "features": [
                        "h100",
                        "ib"
                      ]
                    },
                    {
                      "count": 1,
                      "cpus": 64,
                      "mem_mb": 515000,
                      "gpus": [
                        {
                          "type": "nvidia_h100_80gb_hbm3",
                          "count": 2
                        }
                      ],
                      "features": [
                        "h100",
                        "holyoke"
                      ]
                    }
                  ]
                },
                {
                  "name": "test",
                  "state": "up",
                  "is_default": true,
                  "max_time_minutes": 720,
                  "default_time_minutes": null,
                  "nodes": [
                    "holy01"
                  ],
                  "cpus_per_node": 48,
                  "mem_per_node_mb": 184000,
                  "gpus": [],
                  "allow_accounts": null,
                  "allow_qos": null,
                  "features": [],
                  "node_kinds": [
                    {
                      "count": 1,
                      "cpus": 48,
                      "mem_mb": 184000,
                      "gpus": [],
                      "features": []
                    }
                  ]
                },
                {
                  "name": "old",
                  "state": "drain",
                  "is_default": false,
                  "max_time_minutes": null,
                  "default_time_minutes": null,
                  "nodes": [
                    "holy02"
                  ],
                  "cpus_per_node": 48,
                  "mem_per_node_mb": 184000,
                  "gpus": [],
                  "allow_accounts": null,
                  "allow_qos": null,
                  "features": [],
                  "node_kinds": [
                    {
                      "count": 1,
                      "cpus": 48,
                      "mem_mb": 184000,
                      "gpus": [],
                      "features": []
                    }
                  ]
                }
              ],
              "associations": [],
              "default_account": null,
              "qos": [],
              "runtime": {
                "kind": "apptainer",
                "version": "1.3.4",
                "path": "/usr/bin/apptainer"
              },
              "image_dir": "/n/home01/jdoe/.clusterls/images",
              "images": [
                {
                  "name": "pytorch_2.2.1-cuda12.1-cudnn8-devel.sif",
                  "path": "/n/home01/jdoe/.clusterls/images/pytorch_2.2.1-cuda12.1-cudnn8-devel.sif",
                  "size_bytes": 4243845120
                }
              ],
              "gpu_driver": "550.54.15",
              "accounting_enforce": [
                "associations",
                "limits",
                "qos",
                "safe"
              ],
              "enforce_part_limits": "ANY",
              "gres_types": [
                "gpu",
                "shard"
              ],
              "reservations": [
                "kempner_maint"
              ],
              "reservation_access": [
                {
                  "name": "kempner_maint",
                  "users": null,
                  "accounts": [
                    "kempner_lab"
                  ],
                  "partition": null
                }
              ]
            }
            problems: [
                "associations: sacctmgr: error: slurm_persist_conn_open_without_init: failed to open persistent connection to host:slurmdbd:6819: Connection refused",
            ]"#]],
    );
}

/// Every refusal recorded from the real sbatch 22.05.8 (tests/cluster/record-testdata).
#[test]
fn recorded_refusals() {
    let files = [
        ("bad-account", include_str!("../testdata/slurm/sbatch-bad-account.stderr.txt")),
        ("bad-partition", include_str!("../testdata/slurm/sbatch-bad-partition.stderr.txt")),
        ("bad-time-spec", include_str!("../testdata/slurm/sbatch-bad-time-spec.stderr.txt")),
        (
            "forbidden-account-partition",
            include_str!("../testdata/slurm/sbatch-forbidden-account-partition.stderr.txt"),
        ),
        (
            "invalid-directive",
            include_str!("../testdata/slurm/sbatch-invalid-directive.stderr.txt"),
        ),
        ("time-over-max", include_str!("../testdata/slurm/sbatch-time-over-max.stderr.txt")),
        ("too-many-gpus", include_str!("../testdata/slurm/sbatch-too-many-gpus.stderr.txt")),
        ("too-much-memory", include_str!("../testdata/slurm/sbatch-too-much-memory.stderr.txt")),
    ];
    let got: Vec<String> = files
        .iter()
        .map(|(name, text)| {
            let (kind, message, _) = classify_refusal(text);
            format!("{name}: {kind:?}: {message}")
        })
        .collect();
    expect![[r#"
        bad-account: Account: sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified
        bad-partition: Partition: sbatch: error: Batch job submission failed: Invalid partition name specified
        bad-time-spec: TimeLimit: sbatch: error: Invalid --time specification
        forbidden-account-partition: Account: sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified
        invalid-directive: InvalidOption: sbatch: unrecognized option '--no-such-option'
        time-over-max: TimeLimit: sbatch: error: Batch job submission failed: Requested time limit is invalid (missing or exceeds some limit)
        too-many-gpus: Resources: sbatch: error: Batch job submission failed: Requested node configuration is not available
        too-much-memory: Resources: sbatch: error: Batch job submission failed: Requested node configuration is not available"#]].assert_eq(&got.join("\n"));
}

#[test]
fn an_unreachable_controller_is_told_apart() {
    let down = include_str!("../testdata/slurm/scontrol-show-partition-controller-down.stderr.txt");
    let mut problems = Vec::new();
    let facts = parse_facts(&format!("@@clusterls partitions@@\n{down}"), &mut problems);
    assert!(facts.partitions.is_empty());
    expect![[r#"Some("partitions: unexpected line `slurm_load_partitions error: Unable to contact slurm controller (connect failure)`")"#]]
        .assert_eq(&format!("{:?}", problems.iter().find_map(|p| controller_unreachable(p))));
    let unknown = include_str!("../testdata/slurm/squeue-unknown-job.stderr.txt");
    assert_eq!(controller_unreachable(unknown), None);
}

/// Recorded from the richer fixture (hidden restricted partitions, node features,
/// licenses, reservations, QOS limits): what decides a submission, in one round trip.
/// Both releases' recordings say the same (their clusters have the same fixture).
#[test]
fn facts_recorded_richer_fixture() {
    richer_fixture(include_str!("../testdata/slurm/facts.txt"), "22.05.");
    richer_fixture(include_str!("../testdata/slurm-24.11/facts.txt"), "24.11.");
}

#[track_caller]
fn richer_fixture(text: &str, release: &str) {
    let mut problems = Vec::new();
    let f = parse_facts(text, &mut problems);
    assert_eq!(problems, Vec::<String>::new());
    assert!(
        f.slurm_version.as_deref().is_some_and(|v| v.starts_with(release)),
        "{:?}",
        f.slurm_version
    );
    let parts: Vec<String> = f
        .partitions
        .iter()
        .map(|p| {
            let limits = [
                ("max_nodes", p.max_nodes),
                ("max_cpus_per_node", p.max_cpus_per_node.map(u64::from)),
                ("max_mem_per_node_mb", p.max_mem_per_node_mb),
                ("max_mem_per_cpu_mb", p.max_mem_per_cpu_mb),
            ]
            .iter()
            .filter_map(|(k, v)| v.map(|v| format!(" {k}={v}")))
            .collect::<String>();
            format!(
                "{} allow_accounts={:?} allow_groups={:?} allow_qos={:?}{limits} kinds={:?}",
                p.name,
                p.allow_accounts,
                p.allow_groups,
                p.allow_qos,
                p.node_kinds
                    .iter()
                    .map(|k| format!(
                        "{}x cpus={:?} mem={:?} gpus={} features={}",
                        k.count,
                        k.cpus,
                        k.mem_mb,
                        k.gpus.iter().map(|g| g.count).sum::<u32>(),
                        k.features.join(",")
                    ))
                    .collect::<Vec<_>>()
            )
        })
        .collect();
    expect![[r#"
        cpu allow_accounts=None allow_groups=None allow_qos=None kinds=["1x cpus=Some(8) mem=Some(32000) gpus=4 features="]
        test allow_accounts=None allow_groups=None allow_qos=None kinds=["1x cpus=Some(8) mem=Some(32000) gpus=4 features="]
        gpu allow_accounts=None allow_groups=None allow_qos=None kinds=["1x cpus=Some(8) mem=Some(32000) gpus=4 features="]
        multi allow_accounts=None allow_groups=None allow_qos=None kinds=["1x cpus=Some(4) mem=Some(16000) gpus=2 features=a100,ib,rack1", "1x cpus=Some(4) mem=Some(16000) gpus=2 features=a100,ib,rack2"]
        acctonly allow_accounts=Some(["lab_dev"]) allow_groups=None allow_qos=None kinds=["1x cpus=Some(8) mem=Some(32000) gpus=4 features="]
        grouponly allow_accounts=None allow_groups=Some(["root"]) allow_qos=None kinds=["1x cpus=Some(8) mem=Some(32000) gpus=4 features="]
        qosonly allow_accounts=None allow_groups=None allow_qos=Some(["high"]) kinds=["1x cpus=Some(8) mem=Some(32000) gpus=4 features="]
        limited allow_accounts=None allow_groups=None allow_qos=None max_nodes=1 max_cpus_per_node=4 max_mem_per_node_mb=8000 kinds=["1x cpus=Some(8) mem=Some(32000) gpus=4 features="]
        memcap allow_accounts=None allow_groups=None allow_qos=None max_mem_per_cpu_mb=2000 kinds=["1x cpus=Some(8) mem=Some(32000) gpus=4 features="]"#]].assert_eq(&parts.join("\n"));
    let rest = serde_json::json!({
        "groups": f.admission.groups,
        "licenses": f.admission.licenses,
        "max_array_size": f.admission.max_array_size,
        "max_job_count": f.admission.max_job_count,
        "def_mem_per_cpu_mb": f.admission.def_mem_per_cpu_mb,
        "qos": f.qos,
        "qos_limits": f.admission.qos_limits,
        "reservations": f.reservations,
        "reservation_access": f.admission.reservation_access,
    });
    expect![[r#"
        {
          "def_mem_per_cpu_mb": 1000,
          "groups": [
            "alice"
          ],
          "licenses": [
            {
              "name": "ansys",
              "total": 1
            },
            {
              "name": "matlab",
              "total": 2
            }
          ],
          "max_array_size": 1001,
          "max_job_count": 10000,
          "qos": [
            "normal",
            "high"
          ],
          "qos_limits": [
            {
              "max_submit_jobs_per_user": null,
              "max_tres_per_job": null,
              "max_tres_per_user": null,
              "max_wall_minutes": null,
              "name": "normal"
            },
            {
              "max_submit_jobs_per_user": 10,
              "max_tres_per_job": "cpu=4,gres/gpu=1",
              "max_tres_per_user": null,
              "max_wall_minutes": 240,
              "name": "high"
            }
          ],
          "reservation_access": [
            {
              "accounts": null,
              "name": "alice_resv",
              "partition": null,
              "users": [
                "alice"
              ]
            },
            {
              "accounts": null,
              "name": "root_resv",
              "partition": null,
              "users": [
                "root"
              ]
            }
          ],
          "reservations": [
            "alice_resv",
            "root_resv"
          ]
        }"#]]
    .assert_eq(&serde_json::to_string_pretty(&rest).unwrap());
    let alice = f.reservation("alice_resv").unwrap();
    assert_eq!(alice.allows(Some("alice"), Some("lab_dev")), Some(true));
    assert_eq!(f.reservation("root_resv").unwrap().allows(Some("alice"), None), Some(false));
}

/// An older recording (before groups, licenses and QOS limits were asked for): those
/// facts are unknown, never empty.
#[test]
fn facts_without_the_new_sections_are_unknown() {
    let mut problems = Vec::new();
    let f = parse_facts(
        include_str!("../testdata/slurm/facts-22.05.8-charliecloud.txt"),
        &mut problems,
    );
    assert_eq!(
        (f.admission.groups, f.admission.licenses, f.admission.max_array_size),
        (None, None, None)
    );
    assert!(f.admission.qos_limits.is_empty());
}

/// The facts program answers `test -d` for each directory after the image directory, in
/// order, with hostile names taken as data.
#[test]
fn facts_program_probes_directories() {
    let tmp = std::env::temp_dir().join(format!("clusterls-dirs-{}", std::process::id()));
    let odd = tmp.join("a dir; $(touch pwned) 'q'");
    std::fs::create_dir_all(&odd).unwrap();
    let dirs: Vec<String> = vec![
        odd.to_str().unwrap().into(),
        tmp.join("missing").to_str().unwrap().into(),
        "/".into(),
        format!("{}\nn", tmp.join("x").display()),
    ];
    let mut cmd = std::process::Command::new("bash");
    crate::engine::programs::without_slurm(&mut cmd, &tmp.join("bin"));
    let mut child = cmd
        .args(["-s", "--", ""])
        .args(&dirs)
        .current_dir(&tmp)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(FACTS_PROGRAM.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let got = parse_dirs(&String::from_utf8_lossy(&out.stdout), &dirs);
    assert!(!tmp.join("pwned").exists());
    let _ = std::fs::remove_dir_all(&tmp);
    let got: Vec<(&str, bool)> = got.iter().map(|d| (d.path.as_str(), d.exists)).collect();
    assert_eq!(
        got,
        [
            (dirs[0].as_str(), true),
            (dirs[1].as_str(), false),
            ("/", true),
            (dirs[3].as_str(), false)
        ]
    );
}

/// PreemptType as 22.05 (`preempt/none`) and 24.11 (`(null)`) print it when preemption
/// is off (both measured), and as a cluster with preemption prints it.
#[test]
fn preemption_from_the_config() {
    let read = |v: &str| {
        let text =
            format!("@@clusterls config@@\nPreemptType             = {v}\n@@clusterls end@@\n");
        parse_facts(&text, &mut Vec::new()).admission.preemption
    };
    assert_eq!(
        [read("preempt/none"), read("(null)"), read("preempt/qos")],
        [Some(false), Some(false), Some(true)]
    );
    assert_eq!(parse_facts("", &mut Vec::new()).admission.preemption, None);
}
