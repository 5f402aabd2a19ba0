//! Language features through the real binary: diagnostics (published, republished on
//! facts/config changes, cleared on close), completion, hover, code actions, and
//! incremental edits with UTF-16 positions.

mod lsp_common;

use expect_test::expect;
use lsp_common::{Server, file_uri, render_diagnostics, workspace_with_facts};
use serde_json::{Value, json};

const SCRIPT: &str = "#!/bin/bash\n#SBATCH --partition=gpuu\n#SBATCH --account=lab_dev\n#SBATCH --gres=gpu:1\npython3 train.py\n";

fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

fn range(l0: u32, c0: u32, l1: u32, c1: u32) -> Value {
    json!({"start": pos(l0, c0), "end": pos(l1, c1)})
}

#[test]
fn diagnostics_with_facts_then_quick_fix_then_close() {
    let (ws, facts) = workspace_with_facts();
    let mut s = Server::start(json!({"factsFile": facts}), Some(ws.path()));
    let uri = file_uri(&ws.path().join("train job.sbatch"));
    s.open(&uri, "shellscript", SCRIPT);
    // The first publish may come before the facts are read; wait for the one with them.
    let d =
        s.diagnostics_where(&uri, |p| p["diagnostics"].as_array().is_some_and(|d| !d.is_empty()));
    expect![[r#"
        1:20-1:24 1 sbatch/unknown-partition: The cluster has no partition `gpuu`: sbatch refuses the job. Did you mean `gpu`? Partitions: cpu, test, gpu.
    "#]]
    .assert_eq(&render_diagnostics(&d));
    assert_eq!(d["version"], 1);

    let actions = s.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range(1, 21, 1, 21),
               "context": {"diagnostics": d["diagnostics"]}}),
    );
    let action = &actions[0];
    assert_eq!(action["title"], "Change to gpu");
    assert_eq!(action["kind"], "quickfix");
    let edits = &action["edit"]["changes"][&uri];
    assert_eq!(edits, &json!([{"range": range(1, 20, 1, 24), "newText": "gpu"}]));

    // Apply the fix as the editor would: an incremental change.
    s.change(&uri, 2, json!([{"range": range(1, 20, 1, 24), "text": "gpu"}]));
    let d = s.diagnostics(&uri, 2);
    assert_eq!(render_diagnostics(&d), "");

    s.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}}));
    let d = s.diagnostics_where(&uri, |p| p.get("version").is_none_or(Value::is_null));
    assert_eq!(d["diagnostics"], json!([]));
    s.shutdown();
}

#[test]
fn dockerfiles_by_name_and_sbatch_by_content() {
    let mut s = Server::start(Value::Null, None);
    let df = "file:///w/gpu.Dockerfile";
    s.open(df, "plaintext", "FROM python:3.11\nUSER bob\n");
    let d = s.diagnostics(df, 1);
    assert!(render_diagnostics(&d).contains("apptainer/user-ignored"), "{d}");
    // A shell script becomes an sbatch script when it gets a directive, and stops
    // being one when it loses it.
    let sh = "file:///w/run.sh";
    s.open(sh, "shellscript", "#!/bin/bash\necho hi\n");
    assert_eq!(render_diagnostics(&s.diagnostics(sh, 1)), "");
    s.change(sh, 2, json!([{"range": range(1, 0, 1, 0), "text": "#SBATCH --partiton=gpu\n"}]));
    let d = render_diagnostics(&s.diagnostics(sh, 2));
    assert!(d.contains("sbatch/") && d.contains("partition"), "{d}");
    s.change(sh, 3, json!([{"range": range(1, 0, 2, 0), "text": ""}]));
    assert_eq!(render_diagnostics(&s.diagnostics(sh, 3)), "");
    s.shutdown();
}

#[test]
fn incremental_edits_count_utf16() {
    let mut s = Server::start(Value::Null, None);
    let uri = "file:///w/job.slurm";
    // 𐐀 is two UTF-16 units; the edit after it must land after it.
    s.open(uri, "shellscript", "#!/bin/bash\n# 𐐀 é\n#SBATCH --time=1:00:00\n");
    s.diagnostics(uri, 1);
    // Replace "é" (line 1, UTF-16 columns 5..6) with "x", then misspell an option on line 2.
    s.change(uri, 2, json!([{"range": range(1, 5, 1, 6), "text": "x"}]));
    s.change(uri, 3, json!([{"range": range(2, 10, 2, 14), "text": "tme"}]));
    let d = s.diagnostics(uri, 3);
    expect![[r#"
        2:8-2:13 1 sbatch/unknown-option: sbatch has no option `--tme`: it refuses the script ("Invalid directive found in batch script"). Did you mean --time?
    "#]]
    .assert_eq(&render_diagnostics(&d));
    // Hover on the emoji line's end still maps correctly.
    let h =
        s.call("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": pos(2, 9)}));
    assert_eq!(h, Value::Null, "no hover on an unknown option");
    s.shutdown();
}

#[test]
fn completion_of_options_and_values_from_facts() {
    let (ws, facts) = workspace_with_facts();
    let mut s = Server::start(json!({"factsFile": facts}), Some(ws.path()));
    let uri = file_uri(&ws.path().join("a.sbatch"));
    s.open(&uri, "shellscript", "#!/bin/bash\n#SBATCH --par\n#SBATCH --partition=\n#SBATCH -A \n");
    // Wait until facts are in: the value completion depends on them.
    s.wait("facts progress end", |m| {
        m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
    });
    let r = s.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": pos(1, 13)}),
    );
    let partition = r.as_array().unwrap().iter().find(|i| i["label"] == "--partition").unwrap();
    assert_eq!(
        partition["textEdit"],
        json!({"range": range(1, 8, 1, 13), "newText": "--partition="})
    );
    assert_eq!(partition["command"]["command"], "editor.action.triggerSuggest");

    let labels = |r: &Value| -> String {
        r.as_array()
            .unwrap()
            .iter()
            .map(|i| {
                format!("{} ({})", i["label"].as_str().unwrap(), i["detail"].as_str().unwrap_or(""))
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let r = s.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": pos(2, 20)}),
    );
    expect![[r#"
        cpu (default, MaxTime UNLIMITED)
        test (MaxTime 08:00:00)
        gpu (MaxTime 2-00:00:00, 4 GPUs/node)"#]]
    .assert_eq(&labels(&r));
    let r = s.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": pos(3, 11)}),
    );
    expect![[r#"
        lab_dev (all partitions)
        lab_grads (default; test, cpu)"#]]
    .assert_eq(&labels(&r));
    s.shutdown();
}

#[test]
fn hover_shows_option_docs_and_partition_facts() {
    let (ws, facts) = workspace_with_facts();
    let mut s = Server::start(json!({"factsFile": facts}), Some(ws.path()));
    let uri = file_uri(&ws.path().join("a.sbatch"));
    s.open(&uri, "shellscript", "#!/bin/bash\n#SBATCH --partition=gpu\n");
    s.wait("facts progress end", |m| {
        m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
    });
    let h =
        s.call("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": pos(1, 12)}));
    assert_eq!(h["range"], range(1, 8, 1, 19));
    assert!(h["contents"]["value"].as_str().unwrap().contains("--partition"), "{h}");
    let h =
        s.call("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": pos(1, 21)}));
    expect![[r#"
        **Partition `gpu`**

        - State: UP
        - MaxTime: 2-00:00:00
        - GPUs per node: 4 × gpu
        - Your accounts here: lab_dev
    "#]]
    .assert_eq(h["contents"]["value"].as_str().unwrap());
    s.shutdown();
}

#[test]
fn diagnostics_follow_config_changes_and_the_project_file() {
    let (ws, facts) = workspace_with_facts();
    // No facts at first: the partition cannot be checked.
    let mut s = Server::start(Value::Null, Some(ws.path()));
    let uri = file_uri(&ws.path().join("a.sbatch"));
    s.open(&uri, "shellscript", SCRIPT);
    assert_eq!(render_diagnostics(&s.diagnostics(&uri, 1)), "");
    // Settings change: facts from a file; the script is checked again.
    s.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"clusterls": {"factsFile": facts}}}),
    );
    let d = s.diagnostics_where(&uri, |p| !p["diagnostics"].as_array().unwrap().is_empty());
    assert!(render_diagnostics(&d).contains("unknown-partition"), "{d}");
    // Back to no facts: the partition is no longer checked.
    s.notify("workspace/didChangeConfiguration", json!({"settings": {"clusterls": {}}}));
    s.diagnostics_where(&uri, |p| p["diagnostics"] == json!([]));
    // A broken clusterls.toml is reported as soon as it is written.
    std::fs::write(ws.path().join("clusterls.toml"), "partition = 5\n").unwrap();
    let m = s.wait("a warning about clusterls.toml", |m| m["method"] == "window/showMessage");
    assert!(m["params"]["message"].as_str().unwrap().contains("clusterls.toml"), "{m}");
    s.shutdown();
}

#[test]
fn codes_disabled_in_the_project_file_disappear_as_it_is_saved() {
    let (ws, facts) = workspace_with_facts();
    let mut s = Server::start(json!({"factsFile": facts}), Some(ws.path()));
    let uri = file_uri(&ws.path().join("a.sbatch"));
    s.open(&uri, "shellscript", SCRIPT);
    let d = s.diagnostics_where(&uri, |p| !p["diagnostics"].as_array().unwrap().is_empty());
    assert!(render_diagnostics(&d).contains("sbatch/unknown-partition"), "{d}");
    std::fs::write(
        ws.path().join("clusterls.toml"),
        "[check]\ndisable = [\"sbatch/unknown-partition\"]\n",
    )
    .unwrap();
    let d = s.diagnostics_where(&uri, |p| {
        !p["diagnostics"].to_string().contains("sbatch/unknown-partition")
    });
    assert!(!render_diagnostics(&d).contains("unknown-partition"), "{d}");
    s.shutdown();
}
