//! `clusterls run` for what researchers run, through ssh on the local cluster: a shell
//! script runs with bash in the container, a shebang is honoured (issue 10).

mod engine_common;

use engine_common::{Project, cluster, stderr, stdout};

/// `clusterls run --image IMAGE --partition test --follow SCRIPT ARGS`: (exit code, stdout, stderr).
fn run_followed(p: &Project, extra: &[&str], script: &str, args: &[&str]) -> (i32, String, String) {
    let c = cluster();
    let mut argv = vec!["run", "--image", &c.image, "--partition", "test", "--follow"];
    argv.extend(extra);
    argv.push(script);
    if !args.is_empty() {
        argv.push("--");
        argv.extend(args);
    }
    let out = p.run(&argv);
    (out.status.code().unwrap_or(-1), stdout(&out), stderr(&out))
}

#[test]
fn a_shell_script_runs_with_bash_and_a_shebang_is_honoured() {
    let Some(p) = Project::new("kinds") else { return };
    let pulled = p.run(&["pull", &cluster().image]);
    assert!(pulled.status.success(), "{}", stderr(&pulled));
    // No shebang, .sh: bash (BASH_VERSION is set only under bash), inside the container.
    let sh = p.write(
        "my job.sh",
        "echo \"bash=${BASH_VERSION:+yes} args=$*\"\npython3 -c 'print(\"python in image\")'\n",
    );
    let (code, out, err) = run_followed(&p, &[], sh.to_str().unwrap(), &["a b", "$(x)"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "bash=yes args=a b $(x)\npython in image\n", "{err}");
    // No extension, a Python shebang: the shebang's interpreter.
    let tool =
        p.write("tool", "#!/usr/bin/env python3\nimport sys\nprint('shebang', sys.argv[1:])\n");
    let (code, out, err) = run_followed(&p, &[], tool.to_str().unwrap(), &["x"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "shebang ['x']\n", "{err}");
    // Neither: refused before anything is uploaded, saying what to add.
    let bad = p.write("notes.txt", "echo hi\n");
    let (code, _, err) = run_followed(&p, &[], bad.to_str().unwrap(), &[]);
    assert_ne!(code, 0);
    assert!(err.contains("Add a first line such as `#!/bin/bash`"), "{err}");
}
