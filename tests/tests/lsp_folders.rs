//! Multi-root workspaces through the real binary over stdio: each workspace folder's
//! clusterls.toml applies to the files of that folder, and to no other; folders added
//! later too.

mod lsp_common;

use lsp_common::{Server, file_uri, render_diagnostics, workspace_with_facts};
use serde_json::json;

/// Two findings against the cluster's facts: the partition (silenced in one folder) and
/// the account (never silenced: it shows the facts were applied).
const SCRIPT: &str =
    "#!/bin/bash\n#SBATCH --partition=gpuu\n#SBATCH --account=physics_lab\npython3 train.py\n";

#[test]
fn each_folder_has_its_own_project_file() {
    let (ws, facts) = workspace_with_facts();
    let (a, b) = (ws.path().join("a"), ws.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    // The second folder silences the partition check; the first says nothing.
    std::fs::write(b.join("clusterls.toml"), "[check]\ndisable = [\"sbatch/unknown-partition\"]\n")
        .unwrap();
    let mut s = Server::spawn();
    let resp = s.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": file_uri(&a),
            "workspaceFolders": [
                {"uri": file_uri(&a), "name": "a"},
                {"uri": file_uri(&b), "name": "b"},
            ],
            "capabilities": {},
            "initializationOptions": {"factsFile": facts},
        }),
    );
    assert!(resp.get("result").is_some(), "initialize failed: {resp}");
    s.notify("initialized", json!({}));

    let in_a = file_uri(&a.join("job.sbatch"));
    let in_b = file_uri(&b.join("job.sbatch"));
    s.open(&in_a, "shellscript", SCRIPT);
    s.open(&in_b, "shellscript", SCRIPT);
    let d = s.diagnostics_where(&in_a, |p| p["diagnostics"].to_string().contains("gpuu"));
    assert!(render_diagnostics(&d).contains("sbatch/unknown-partition"), "{d}");
    // Folder b's file is checked against the same facts, without the silenced code.
    let d = s.diagnostics_where(&in_b, |p| p["diagnostics"].to_string().contains("physics_lab"));
    assert!(!render_diagnostics(&d).contains("sbatch/unknown-partition"), "{d}");

    // Folder a's own file, written later, applies to a's files; b's stay as they are.
    std::fs::write(a.join("clusterls.toml"), "[check]\ndisable = [\"sbatch/unknown-partition\"]\n")
        .unwrap();
    let d = s.diagnostics_where(&in_a, |p| {
        let d = p["diagnostics"].to_string();
        d.contains("physics_lab") && !d.contains("gpuu")
    });
    assert!(render_diagnostics(&d).contains("sbatch/unknown-account"), "{d}");
    // And b's file no longer silencing it brings the finding back in b only.
    std::fs::write(b.join("clusterls.toml"), "partition = \"gpu\"\n").unwrap();
    let d = s.diagnostics_where(&in_b, |p| p["diagnostics"].to_string().contains("gpuu"));
    assert!(render_diagnostics(&d).contains("sbatch/unknown-partition"), "{d}");

    // A folder added to the workspace later brings its own file: it silences nothing,
    // where the first folder's (which applied to the file before) silences the partition.
    let c = ws.path().join("c");
    std::fs::create_dir_all(&c).unwrap();
    std::fs::write(c.join("clusterls.toml"), "partition = \"gpu\"\n").unwrap();
    let in_c = file_uri(&c.join("job.sbatch"));
    s.open(&in_c, "shellscript", SCRIPT);
    s.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [{"uri": file_uri(&c), "name": "c"}], "removed": []}}),
    );
    let d = s.diagnostics_where(&in_c, |p| p["diagnostics"].to_string().contains("gpuu"));
    assert!(render_diagnostics(&d).contains("sbatch/unknown-partition"), "{d}");
    s.shutdown();
}
