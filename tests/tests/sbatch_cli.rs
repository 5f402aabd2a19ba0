//! `clusterls check` through the built binary: formats, exit codes, stdin, dispatch,
//! hostile file names.

mod sbatch_common;

use clusterls_tests::Scratch;
use expect_test::expect;
use sbatch_common::{clusterls, data};
use serde_json::Value;

const BAD: &str = "#!/bin/bash\n#SBATCH --partiton=gpu\n#SBATCH --time=1:30\necho hi\n";
const GOOD: &str = "#!/bin/bash\n#SBATCH --partition=gpu\n#SBATCH --time=01:30:00\necho hi\n";

fn scratch(name: &str) -> Scratch {
    Scratch::new(&format!("sbatch-cli-{name}"))
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn text_output_and_exit_codes_with_a_hostile_name() {
    let dir = scratch("text");
    let bad = dir.join("my job; $(rm -rf x) 'q\".sh");
    std::fs::write(&bad, BAD).unwrap();
    let good = dir.join("good.sbatch");
    std::fs::write(&good, GOOD).unwrap();
    let out =
        clusterls(&["check", "--no-shellcheck", bad.to_str().unwrap(), good.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out).replace(dir.to_str().unwrap(), "DIR");
    expect![[r#"
        error[sbatch/unknown-option]: sbatch has no option `--partiton`: it refuses the script ("Invalid directive found in batch script"). Did you mean --partition?
         --> DIR/my job; $(rm -rf x) 'q".sh:2:9
          |
        2 | #SBATCH --partiton=gpu
          |         ^^^^^^^^^^
          |
          = help: Change to --partition (`clusterls check --fix` applies it)

        info[sbatch/time-minutes-seconds]: `1:30` means 1 min 30 s, not 1 h 30 min. If you meant hours, write 1:30:00.
         --> DIR/my job; $(rm -rf x) 'q".sh:3:16
          |
        3 | #SBATCH --time=1:30
          |                ^^^^
          |
          = help: Write 1:30:00 (`clusterls check --fix` applies it)

        2 file(s) checked: 1 error(s), 0 warning(s)
    "#]]
    .assert_eq(&text);
    let out = clusterls(&["check", "--no-shellcheck", good.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stdout(&out), "");
}

#[test]
fn usage_and_io_failures_exit_2() {
    let out = clusterls(&["check", "/nonexistent/job.sh"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /nonexistent/job.sh"));
    let dir = scratch("facts");
    let facts = dir.join("facts.json");
    std::fs::write(&facts, "{not json").unwrap();
    let out = clusterls(&["check", "--facts", facts.to_str().unwrap(), "-"], GOOD);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid facts JSON"));
    let out = clusterls(&["check", "--format", "xml", "-"], GOOD);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn json_output_with_facts_from_stdin() {
    let facts = data("local-cluster-facts.json");
    let script = "#!/bin/bash\n#SBATCH -p gpuu\n#SBATCH --time=3-00:00:00\necho\n";
    let out = clusterls(
        &["check", "--no-shellcheck", "--format", "json", "--facts", facts.to_str().unwrap(), "-"],
        script,
    );
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    expect![[r#"
        {
          "findings": [
            {
              "code": "sbatch/unknown-partition",
              "column": 12,
              "end_column": 16,
              "end_line": 2,
              "file": "<stdin>",
              "fixes": [
                {
                  "edits": [
                    {
                      "column": 12,
                      "end_column": 16,
                      "end_line": 2,
                      "line": 2,
                      "replacement": "gpu"
                    }
                  ],
                  "title": "Change to gpu"
                }
              ],
              "line": 2,
              "message": "The cluster has no partition `gpuu`: sbatch refuses the job. Did you mean `gpu`? Partitions: cpu, test, gpu.",
              "severity": "error"
            }
          ],
          "notes": [],
          "skipped": []
        }"#]]
    .assert_eq(&serde_json::to_string_pretty(&v).unwrap());
}

#[test]
fn sarif_is_2_1_0_with_rules_results_locations_and_fixes() {
    let dir = scratch("sarif");
    let path = dir.join("a job.sh");
    std::fs::write(&path, BAD).unwrap();
    let out =
        clusterls(&["check", "--no-shellcheck", "--format", "sarif", path.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "clusterls");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "sbatch/unknown-option"
        && r["shortDescription"]["text"] == "An option sbatch does not have."));
    assert_eq!(results.len(), 2);
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(loc["artifactLocation"]["uri"].as_str().unwrap().ends_with("a%20job.sh"));
        for k in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(loc["region"][k].as_u64().unwrap() >= 1, "{k}");
        }
    }
    let fix = &results[0]["fixes"][0];
    assert_eq!(fix["description"]["text"], "Change to --partition");
    let rep = &fix["artifactChanges"][0]["replacements"][0];
    assert_eq!(rep["insertedContent"]["text"], "--partition");
    assert_eq!(rep["deletedRegion"]["startColumn"], 9);
    assert_eq!(rep["deletedRegion"]["endColumn"], 19);
}

#[test]
fn dockerfiles_are_dispatched_by_name() {
    let out = clusterls(
        &["check", "--stdin-filename", "Dockerfile", "-"],
        "FROM ubuntu:22.04\nUSER 1000\n",
    );
    let text = stdout(&out);
    assert!(!text.contains("sbatch/"), "{text}");
    assert!(text.contains("Dockerfile:"), "{text}");
    // Standard input without a name: a Dockerfile when it starts like one.
    let out = clusterls(
        &["check", "--format", "json", "-"],
        "# syntax=docker/dockerfile:1\nFROM ubuntu:22.04\nUSER 1000\n",
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> =
        v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(!codes.is_empty() && codes.iter().all(|c| !c.starts_with("sbatch/")), "{v}");
    let dir = scratch("docker");
    let path = dir.join("gpu.Dockerfile");
    std::fs::write(&path, "FROM ubuntu\n").unwrap();
    let out = clusterls(&["check", "--format", "json", path.to_str().unwrap()], "");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["findings"].as_array().unwrap().iter().all(|f| f["code"]
            .as_str()
            .unwrap()
            .starts_with("docker/")
            || f["code"].as_str().unwrap().starts_with("apptainer/")),
        "{v}"
    );
}

#[test]
fn shellcheck_findings_are_mapped_when_installed() {
    sbatch_common::require_shellcheck();
    let script = "#!/bin/bash\n#SBATCH --time=10\nfor f in $(ls *.txt); do echo $f; done\n";
    let out = clusterls(&["check", "--format", "json", "-"], script);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let sc: Vec<(String, u64, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("shellcheck/"))
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(sc.contains(&("shellcheck/SC2045".to_string(), 3, 10)), "{sc:?}");
    assert!(sc.contains(&("shellcheck/SC2086".to_string(), 3, 31)), "{sc:?}");
}

#[test]
fn check_against_the_live_cluster_with_host() {
    let cluster = clusterls_tests::require_cluster();
    let dir = scratch("host");
    let script = dir.join("job.sbatch");
    std::fs::write(&script, "#!/bin/bash\n#SBATCH -p gpuu\n#SBATCH -A lab_grads\necho hi\n")
        .unwrap();
    let out = cluster
        .clusterls(&["check".as_ref(), "--format".as_ref(), "json".as_ref(), script.as_os_str()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", clusterls_tests::describe("check --host", &out));
    let findings: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"sbatch/unknown-partition"), "{codes:?}");
    let message = findings["findings"][0]["message"].as_str().unwrap();
    assert!(message.contains("Did you mean `gpu`?"), "{message}");
}

/// `--output`/`--error` directories are asked about in the facts' round trip: an absolute
/// one that does not exist on the cluster is reported, one that does is not.
#[test]
fn output_directories_are_probed_on_the_live_cluster() {
    let cluster = clusterls_tests::require_cluster();
    let dir = scratch("outdir");
    let script = dir.join("job.sbatch");
    let missing = format!("/tmp/clusterls-no-such-dir-{}", std::process::id());
    std::fs::write(
        &script,
        format!("#!/bin/bash\n#SBATCH -A lab_grads\n#SBATCH -o {missing}/%j.out\n#SBATCH -e /tmp/%j.err\necho hi\n"),
    )
    .unwrap();
    let out = cluster
        .clusterls(&[
            "check".as_ref(),
            "--no-shellcheck".as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
            script.as_os_str(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", clusterls_tests::describe("check --host", &out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap().to_string(), f["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(found, [("sbatch/output-dir-missing".to_string(), 3)], "{v}");
    let skipped: Vec<&str> =
        v["skipped"].as_array().unwrap().iter().map(|s| s["code"].as_str().unwrap()).collect();
    assert!(!skipped.contains(&"sbatch/output-dir-missing"), "{skipped:?}");
}

/// `--format json` says which checks against the cluster were skipped and why: all of
/// them without facts, those whose facts are missing with facts that lack them.
#[test]
fn json_lists_the_skipped_checks_and_why() {
    let script = "#!/bin/bash\n#SBATCH -p gpu -L matlab:9 --array=0-99999\necho\n";
    let out = clusterls(&["check", "--no-shellcheck", "--format", "json", "-"], script);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let skipped = |v: &Value| -> Vec<String> {
        v["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| format!("{}: {}", s["code"].as_str().unwrap(), s["reason"].as_str().unwrap()))
            .collect()
    };
    let none = skipped(&v);
    assert!(
        none.contains(&"sbatch/unknown-partition: no cluster given; pass --host ALIAS, or --facts FILE (from `clusterls facts --json`)".to_string()),
        "{none:#?}"
    );
    assert!(v["notes"][0].as_str().unwrap().contains("were skipped"), "{v}");
    // Facts of an older Slurm that lack licenses, MaxArraySize, groups, QOS limits.
    let dir = scratch("skipped");
    let facts = dir.join("facts.json");
    std::fs::write(
        &facts,
        r#"{"slurm_version": "20.11.9", "partitions": [{"name": "gpu", "nodes": ["n1"], "cpus_per_node": 8,
            "mem_per_node_mb": 1000, "features": []}], "associations": [{"account": "a"}], "qos": ["normal"],
            "reservations": []}"#,
    )
    .unwrap();
    let out = clusterls(
        &["check", "--no-shellcheck", "--format", "json", "--facts", facts.to_str().unwrap(), "-"],
        script,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "an unknown fact is never a false error: {}",
        stdout(&out)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    expect![[r#"
        sbatch/array-too-large: the facts (Slurm 20.11.9) do not carry MaxArraySize
        sbatch/feature-combination: the facts (Slurm 20.11.9) do not carry the partitions' nodes with their features
        sbatch/image-not-found: the facts (Slurm 20.11.9) do not name the cluster's image directory
        sbatch/qos-limit: the facts (Slurm 20.11.9) do not carry the QOS limits
        sbatch/qos-submit-limit: the facts (Slurm 20.11.9) do not carry the QOS limits
        sbatch/reservation-denied: the facts (Slurm 20.11.9) do not carry who may use each reservation
        sbatch/signal-needs-preemption: the facts (Slurm 20.11.9) do not say whether preemption is enabled (PreemptType)
        sbatch/unknown-license: the facts (Slurm 20.11.9) do not carry the cluster's licenses"#]]
    .assert_eq(&skipped(&v).join("\n"));
    // The text output counts them in a note on stderr.
    let out =
        clusterls(&["check", "--no-shellcheck", "--facts", facts.to_str().unwrap(), "-"], script);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("8 check(s) against the cluster were skipped, the facts lack what they need: sbatch/array-too-large,"), "{err}");
}

#[test]
fn check_with_an_unreachable_host_says_what_to_do() {
    let out = clusterls(&["--host", "no-such-host.invalid", "check", "-"], GOOD);
    assert_eq!(out.status.code(), Some(3), "3: the cluster cannot be reached");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot read the facts of no-such-host.invalid"), "{err}");
    assert!(err.contains("--facts FILE"), "{err}");
}

#[test]
fn codes_disabled_in_clusterls_toml_are_not_reported() {
    let dir = scratch("disable");
    std::fs::write(dir.join("clusterls.toml"), "[check]\ndisable = [\"sbatch\"]\n").unwrap();
    std::fs::write(dir.join("job.sh"), BAD).unwrap();
    std::fs::write(dir.join("Dockerfile"), "FROM python\nUSER alice\n").unwrap();
    let out = std::process::Command::new(sbatch_common::binary())
        .args(["check", "--no-shellcheck", "job.sh", "Dockerfile"])
        .current_dir(&dir)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(!text.contains("sbatch/"), "{text}");
    assert!(text.contains("docker/untagged-image"), "{text}");
    std::fs::write(dir.join("clusterls.toml"), "[check]\ndisable = 5\n").unwrap();
    let out = std::process::Command::new(sbatch_common::binary())
        .args(["check", "job.sh"])
        .current_dir(&dir)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("clusterls.toml"));
}
