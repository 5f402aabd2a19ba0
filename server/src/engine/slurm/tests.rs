//! The facts program's output parsed: recorded from real clusters (22.05 with
//! Charliecloud, a FASRC-like site) and the value grammars of sinfo/scontrol. The richer
//! fixture of both releases and the facts program itself: `fixture_tests.rs`.

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
