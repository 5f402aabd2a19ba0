//! Completion and hover on small documents, rendered compactly.

use expect_test::{Expect, expect};

use super::*;

fn facts() -> ClusterFacts {
    serde_json::from_str(
        r#"{"slurm_version":"22.05.8","partitions":[
            {"name":"cpu","is_default":true,"max_time_minutes":null},
            {"name":"gpu","max_time_minutes":2880,"gpus":[{"type":"a100","count":4}]}],
          "associations":[{"account":"lab_dev"},{"account":"lab_grads","partition":"cpu"}],
          "qos":["normal","high"],
          "images":[{"name":"python.sif","path":"/scratch/img/python.sif"}]}"#,
    )
    .unwrap()
}

/// `$0` marks the cursor. Renders each item as `label [replaced text] detail`.
#[track_caller]
fn check_completion(kind: DocKind, input: &str, expect: Expect) {
    let offset = input.find("$0").expect("cursor");
    let text = input.replace("$0", "");
    let f = facts();
    let items = completion(kind, &text, offset, Some(&f));
    let mut out = String::new();
    for it in items.iter().take(6) {
        let _ = writeln!(
            out,
            "{} [{}] {}",
            it.label,
            &text[it.replace.clone()],
            it.detail.as_deref().unwrap_or("")
        );
    }
    if items.len() > 6 {
        let _ = writeln!(out, "... {} items", items.len());
    }
    expect.assert_eq(&out);
}

#[test]
fn sbatch_completion() {
    check_completion(
        DocKind::Sbatch,
        "#!/bin/bash\n#SB$0",
        expect![[r#"
        #SBATCH [#SB] sbatch directive
    "#]],
    );
    check_completion(
        DocKind::Sbatch,
        "#SBATCH --partition=$0\n",
        expect![[r#"
        cpu [] default, MaxTime UNLIMITED
        gpu [] MaxTime 2-00:00:00, 4 GPUs/node
    "#]],
    );
    check_completion(
        DocKind::Sbatch,
        "#SBATCH -A lab$0",
        expect![[r#"
        lab_dev [lab] all partitions
        lab_grads [lab] cpu
    "#]],
    );
    check_completion(
        DocKind::Sbatch,
        "#SBATCH --gres=$0",
        expect![[r#"
        gpu:1 [] one GPU of any type
        gpu:a100:1 [] 4 per node
    "#]],
    );
    check_completion(
        DocKind::Sbatch,
        "#SBATCH --qos $0",
        expect![[r#"
        normal [] 
        high [] 
    "#]],
    );
    check_completion(
        DocKind::Sbatch,
        "#SBATCH\nsrun apptainer exec $0",
        expect![[r#"
        /scratch/img/python.sif [] python.sif
    "#]],
    );
    check_completion(DocKind::Sbatch, "echo $0", expect![""]);
}

#[test]
fn sbatch_option_names() {
    let text = "#SBATCH --par";
    let items = completion(DocKind::Sbatch, text, text.len(), None);
    let p = items.iter().find(|i| i.label == "--partition").expect("--partition offered");
    assert_eq!(&text[p.replace.clone()], "--par");
    assert_eq!(p.insert, "--partition=");
    assert!(p.retrigger);
}

#[test]
fn dockerfile_completion_keywords() {
    check_completion(
        DocKind::Dockerfile,
        "FROM debian\nWOR$0",
        expect![[r#"
        ADD [WOR] Copy files, URLs or git repositories into the image; local tar archives are extracted.
        ARG [WOR] Declare a build-time variable (before FROM: usable in FROM lines; re-declare inside a stage to use it there).
        CMD [WOR] Default command (or default arguments to ENTRYPOINT) when the container starts; only the last CMD counts.
        COPY [WOR] Copy files from the build context (or another stage with --from) into the image.
        ENTRYPOINT [WOR] The executable the container runs; CMD supplies its default arguments.
        ENV [WOR] Set environment variables for the following instructions and the running container.
        ... 18 items
    "#]],
    );
    check_completion(
        DocKind::Dockerfile,
        "COPY --ch$0",
        expect![[r#"
        --from [--ch] 
        --chown [--ch] 
        --chmod [--ch] 
        --link [--ch] 
        --parents [--ch] 
        --exclude [--ch] 
    "#]],
    );
}

#[track_caller]
fn check_hover(kind: DocKind, input: &str, expect: Expect) {
    let offset = input.find("$0").expect("cursor");
    let text = input.replace("$0", "");
    let f = facts();
    let h = hover(kind, &text, offset, Some(&f));
    let out = match h {
        Some(h) => format!("[{}]\n{}", &text[h.range], h.markdown),
        None => "none".into(),
    };
    expect.assert_eq(&out);
}

#[test]
fn hovers() {
    check_hover(
        DocKind::Sbatch,
        "#SBATCH --par$0tition=gpu\n",
        expect![[r#"
        [--partition]
        ```
        -p, --partition=<partition_names>
        ```
        Partition(s) to run in; a comma list lets Slurm pick the first that can start the job."#]],
    );
    check_hover(
        DocKind::Sbatch,
        "#SBATCH --partition=g$0pu\n",
        expect![[r#"
        [gpu]
        **Partition `gpu`**

        - State: UP
        - MaxTime: 2-00:00:00
        - GPUs per node: 4 × a100
        - Your accounts here: lab_dev
    "#]],
    );
    check_hover(
        DocKind::Sbatch,
        "#SBATCH -A lab_gr$0ads\n",
        expect![[r#"
        [lab_grads]
        **Account `lab_grads`**

        Usable on: cpu"#]],
    );
    check_hover(DocKind::Sbatch, "echo $0hi\n", expect!["none"]);
    check_hover(
        DocKind::Dockerfile,
        "FROM x\nWORK$0DIR /a\n",
        expect![[r#"
        [WORKDIR]
        **WORKDIR**: Set the working directory for the following instructions and the container.

        ```dockerfile
        WORKDIR /path/to/workdir
        ```

        **On the cluster (Apptainer/Singularity):** Not honoured by `apptainer exec`: it starts in your current host directory; use --pwd."#]],
    );
}
