use super::*;
use expect_test::{Expect, expect};

const SCRIPT: &str = "#!/bin/bash\n#SBATCH --partition=cpu\n#SBATCH -t 10 --output=logs/%x-%j.out\n#SBATCH --mem-per-cpu=2G\nsrun hostname\n";

#[track_caller]
fn check(text: &str, flags: Flags, config: Resources, expect: Expect) {
    let actual = match plan(text, &flags, &config, "dir/my train.sbatch", "job.sbatch") {
        Ok(p) => format!(
            "argv: {:?}\nlogs: {:?}\nchdir: {:?} array: {:?}\n{}",
            p.argv,
            p.logs,
            p.chdir,
            p.array,
            p.copy.replace(crate::VERSION, "VERSION")
        ),
        Err(e) => format!("error: {e}"),
    };
    expect.assert_eq(&actual);
}

#[test]
fn flags_override_the_script_and_config_fills_the_rest() {
    let flags = Resources { partition: Some("gpu".into()), gpus: Some(2), ..Default::default() };
    let config = Resources {
        partition: Some("never".into()),
        account: Some("lab".into()),
        time: Some("30".into()),
        mem: Some("16G".into()),
        ..Default::default()
    };
    check(
        SCRIPT,
        Flags { resources: flags.clone(), array: Some("0-5%2".into()), ..Default::default() },
        config,
        expect![[r#"
            argv: ["--partition=gpu", "--account=lab", "--gres=gpu:2", "--array=0-5%2", "--job-name=my_train.sbatch"]
            logs: LogNames { output: "logs/%x-%j.out", error: None }
            chdir: None array: Some("0-5%2")
            #!/bin/bash
            # clusterls VERSION submitted 'dir/my train.sbatch' as written, with these settings:
            #   --partition=gpu             from the command line (the script says cpu)
            #   --account=lab               from clusterls.toml (neither the script nor the command line sets it)
            #   --gres=gpu:2                from the command line
            #   --mem-per-cpu=2G            from the script
            #   --time=10                   from the script
            #   --array=0-5%2               from the command line
            #   --job-name=my_train.sbatch  from the file's name (the name sbatch gives it)
            # Run it again from this directory with: sbatch --partition=gpu --account=lab --gres=gpu:2 --array=0-5%2 --job-name=my_train.sbatch job.sbatch
            #SBATCH --partition=cpu
            #SBATCH -t 10 --output=logs/%x-%j.out
            #SBATCH --mem-per-cpu=2G
            srun hostname
        "#]],
    );
}

#[test]
fn overridden_directives_are_named_by_span() {
    let flags = Flags {
        resources: Resources { partition: Some("gpu".into()), ..Default::default() },
        ..Default::default()
    };
    let text = "#!/bin/bash\n#SBATCH -p nope\n#SBATCH --partition=cpu -t 10\necho\n";
    let p = plan(text, &flags, &Resources::default(), "a", "job.sbatch").unwrap();
    let spans: Vec<&str> = p.overridden.iter().map(|r| &text[r.clone()]).collect();
    expect![[r#"["-p nope", "--partition=cpu"]"#]].assert_eq(&format!("{spans:?}"));
}

#[test]
fn gpu_flags_take_the_scripts_form() {
    let text = "#!/bin/bash\n#SBATCH --gres=shard:1,gpu:a100:4 -J train -D /scratch/x -e err-%A_%a.log\n#SBATCH --array=1-3\necho\n";
    let flags = Resources { gpus: Some(1), ..Default::default() };
    check(
        text,
        Flags { resources: flags.clone(), gpu_type: Some("h100".into()), ..Default::default() },
        Resources { gpus: Some(8), ..Default::default() },
        expect![[r#"
            argv: ["--gres=shard:1,gpu:h100:1"]
            logs: LogNames { output: "slurm-%A_%a.out", error: Some("err-%A_%a.log") }
            chdir: Some("/scratch/x") array: Some("1-3")
            #!/bin/bash
            # clusterls VERSION submitted 'dir/my train.sbatch' as written, with these settings:
            #   --gres=shard:1,gpu:h100:1  from the command line (the script says shard:1,gpu:a100:4)
            #   --array=1-3                from the script
            #   --job-name=train           from the script
            # Run it again from this directory with: sbatch --gres=shard:1,gpu:h100:1 job.sbatch
            #SBATCH --gres=shard:1,gpu:a100:4 -J train -D /scratch/x -e err-%A_%a.log
            #SBATCH --array=1-3
            echo
        "#]],
    );
    let per_node = "#!/bin/bash\n#SBATCH --gpus-per-node=4\n";
    let flags = Resources { gpus: Some(2), ..Default::default() };
    let p = plan(
        per_node,
        &Flags { resources: flags.clone(), ..Default::default() },
        &Resources::default(),
        "a",
        "job.sbatch",
    )
    .unwrap();
    expect![[r#"["--gpus-per-node=2", "--job-name=a"]"#]].assert_eq(&format!("{:?}", p.argv));
    let flags = Resources { gpus: Some(0), ..Default::default() };
    let p = plan(
        "#!/bin/sh\n#SBATCH --gres=gpu:1\n",
        &Flags { resources: flags.clone(), ..Default::default() },
        &Resources::default(),
        "a",
        "job.sbatch",
    )
    .unwrap();
    expect![[r#"["--gres=none", "--job-name=a"]"#]].assert_eq(&format!("{:?}", p.argv));
}

#[test]
fn refusals() {
    let none = Resources::default();
    let mem = Resources { mem: Some("8G".into()), ..Default::default() };
    check(
        SCRIPT,
        Flags { resources: mem, ..Default::default() },
        none.clone(),
        expect![
            "error: the script asks with `--mem-per-cpu=2G`, and --mem means memory per node: sbatch refuses the two together. Drop --mem or change the script's directive."
        ],
    );
    let gpus = Resources { gpus: Some(2), ..Default::default() };
    check(
        "#!/bin/bash\n#SBATCH --gpus-per-task=1\n",
        Flags { resources: gpus, ..Default::default() },
        none.clone(),
        expect![
            "error: the script asks with `--gpus-per-task=1`, and --gpus means GPUs per node: sbatch refuses the two together. Drop --gpus or change the script's directive."
        ],
    );
    let bad = Resources { time: Some("1 hour".into()), ..Default::default() };
    check(
        SCRIPT,
        Flags { resources: bad, ..Default::default() },
        none.clone(),
        expect![
            "error: --time `1 hour` is not a valid Slurm value (letters, digits, `_-.:,` only, not starting with `-`)"
        ],
    );
    check(
        SCRIPT,
        Flags { resources: none.clone(), array: Some("0-9%x".into()), ..Default::default() },
        none.clone(),
        expect![[
            r#"error: --array 0-9%x: `%x` must be the number of array tasks to run at once (sbatch: "Invalid job array specification")"#
        ]],
    );
    check(
        "#SBATCH -p gpu\necho\n",
        Flags { resources: none.clone(), ..Default::default() },
        none.clone(),
        expect![
            "error: `dir/my train.sbatch` does not start with a `#!` line, which sbatch requires; add `#!/bin/bash` as its first line"
        ],
    );
    check(
        "#!/bin/bash\n#SBATCH -n1\n#SBATCH hetjob\n#SBATCH -n2\n",
        Flags { resources: none.clone(), ..Default::default() },
        none,
        expect![
            "error: `dir/my train.sbatch` is a heterogeneous job (`#SBATCH hetjob`), which clusterls does not submit; submit it with `sbatch` on the cluster"
        ],
    );
}

#[test]
fn log_dirs_to_create() {
    let none = Resources::default();
    let dirs = |text: &str| {
        plan(text, &Flags::default(), &none, "a", "job.sbatch").unwrap().log_dirs("/run/x/")
    };
    let d = dirs("#!/bin/sh\n#SBATCH -o logs/%x-%j.out -e /abs/err/%j\n");
    expect![[r#"["/abs/err", "/run/x/logs"]"#]].assert_eq(&format!("{d:?}"));
    let d = dirs("#!/bin/sh\n#SBATCH -o logs/%j/out -e 'lit\\\\%j/e'\n");
    expect![[r#"["/run/x/lit%j"]"#]].assert_eq(&format!("{d:?}"));
    assert!(dirs("#!/bin/sh\n#SBATCH -o out-%j\n").is_empty());
    assert!(dirs("#!/bin/sh\n#SBATCH -J x\n").is_empty());
}

#[test]
fn detection() {
    assert!(is_batch_script(SCRIPT));
    assert!(is_batch_script("#!/bin/sh\n# comment\n\n#SBATCH -N 2\n"));
    assert!(!is_batch_script("#!/bin/bash\necho hi\n#SBATCH -p gpu\n"));
    assert!(!is_batch_script("import os\n"));
    assert!(!is_batch_script("#!/bin/bash\n # SBATCH -p x\n"));
}

/// The copy's comment block never hides or adds a directive, whatever the names hold.
#[test]
fn hostile_names_keep_the_directives() {
    let none = Resources::default();
    let p = plan(
        SCRIPT,
        &Flags { resources: none.clone(), ..Default::default() },
        &none,
        "a\n#SBATCH --partition=evil $(x); 'q'",
        "job $(x).sbatch",
    )
    .unwrap();
    let original = clusterls_sbatch::parse(SCRIPT);
    let copy = clusterls_sbatch::parse(&p.copy);
    let opts = |s: &clusterls_sbatch::Script| {
        s.directives.iter().map(|d| (d.name(), d.value.clone())).collect::<Vec<_>>()
    };
    assert_eq!(opts(&original), opts(&copy));
    assert!(copy.ignored.is_empty(), "{:?}", copy.ignored);
    let rerun = p.copy.lines().find(|l| l.starts_with("# Run it again")).unwrap();
    let cmd = rerun.split_once(": ").unwrap().1;
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("sbatch() {{ printf '<%s>' \"$@\"; }}; {cmd}"))
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .output()
        .unwrap();
    expect!["<--job-name=a__SBATCH_--partition_evil___x____q_><job $(x).sbatch>"]
        .assert_eq(&String::from_utf8_lossy(&out.stdout));
}

#[track_caller]
fn check_record(text: &str, flags: Resources, config: Resources, expect: Expect) {
    let flags = Flags { resources: flags, ..Default::default() };
    let actual = match plan(text, &flags, &config, "a.sbatch", "job.sbatch") {
        Ok(p) => format!("{:?}", p.resources()),
        Err(e) => format!("error: {e}"),
    };
    expect.assert_eq(&actual);
}

#[test]
fn the_record_holds_what_is_submitted() {
    let toml = Resources {
        partition: Some("gpu".into()),
        gpus: Some(1),
        time: Some("30".into()),
        account: Some("lab".into()),
        ..Default::default()
    };
    let array = "#!/bin/bash\n#SBATCH --partition=cpu\n#SBATCH --array=0-3\n#SBATCH -c 2 --mem=1G\nhostname\n";
    // The script's partition, not clusterls.toml's; the toml fills what the script
    // does not set (GPUs, account, time), as the submission does.
    check_record(
        array,
        Resources::default(),
        toml.clone(),
        expect![[
            r#"Resources { partition: Some("cpu"), account: Some("lab"), qos: None, gpus: Some(1), cpus: Some(2), mem: Some("1G"), time: Some("30") }"#
        ]],
    );
    // A flag over the script.
    check_record(
        array,
        Resources { partition: Some("test".into()), time: Some("5".into()), ..Default::default() },
        toml.clone(),
        expect![[
            r#"Resources { partition: Some("test"), account: Some("lab"), qos: None, gpus: Some(1), cpus: Some(2), mem: Some("1G"), time: Some("5") }"#
        ]],
    );
    // The script's GPUs in its own forms; GRES other than GPUs do not count.
    check_record(
        "#!/bin/bash\n#SBATCH --gres=gpu:a100:2,shard:1\nhostname\n",
        Resources::default(),
        toml.clone(),
        expect![[
            r#"Resources { partition: Some("gpu"), account: Some("lab"), qos: None, gpus: Some(2), cpus: None, mem: None, time: Some("30") }"#
        ]],
    );
    check_record(
        "#!/bin/bash\n#SBATCH --gpus-per-node=a100:4\n#SBATCH --mem-per-cpu=2G\nhostname\n",
        Resources::default(),
        Resources::default(),
        expect![[
            r#"Resources { partition: None, account: None, qos: None, gpus: Some(4), cpus: None, mem: None, time: None }"#
        ]],
    );
    check_record(
        "#!/bin/bash\n#SBATCH --gres=none\nhostname\n",
        Resources::default(),
        toml,
        expect![[
            r#"Resources { partition: Some("gpu"), account: Some("lab"), qos: None, gpus: Some(0), cpus: None, mem: None, time: Some("30") }"#
        ]],
    );
}
