//! The facts of the richer fixture recorded on both releases (what decides a submission:
//! restricted partitions, features, licenses, reservations, QOS limits), an older
//! recording without those sections, preemption, and the facts program run with bash
//! (its directory probe).

use super::*;
use expect_test::expect;

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
