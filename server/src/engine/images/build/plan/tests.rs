use super::*;
use expect_test::{Expect, expect};

fn file(path: &str, hash: &str) -> LocalFile {
    LocalFile { path: path.into(), size: 1, hash: hash.into(), mode: 0o644 }
}

#[track_caller]
fn check_ignore(text: &str, expect: Expect) {
    expect.assert_eq(&dockerignore(text).join("\n"));
}

#[test]
fn dockerignore_is_anchored_like_docker() {
    check_ignore(
        "# comment\nfoo\n/bar/\n./baz/*.py\n!keep.txt\n  spaced  \n\n**/*.pyc\na/../b\n.\n",
        expect![[r#"
        /foo
        /bar
        /baz/*.py
        !/keep.txt
        /spaced
        /**/*.pyc
        /b"#]],
    );
}

/// The matcher the engine builds from those lines: Docker's meaning, not git's.
#[test]
fn dockerignore_matches_like_docker() {
    let mut b = ignore::gitignore::GitignoreBuilder::new("/ctx");
    for l in dockerignore("data\n*.log\n!keep.log\nsub/*.tmp\n") {
        b.add_line(None, &l).unwrap();
    }
    let ig = b.build().unwrap();
    let m = |p: &str| ig.matched(format!("/ctx/{p}"), false).is_ignore();
    assert!(m("data") && m("x.log") && m("sub/a.tmp"));
    assert!(!m("keep.log"), "! re-includes");
    assert!(!m("sub/data"), "`data` is the root's only, unlike git");
    assert!(!m("sub/x.log"), "`*.log` is the root's only, unlike git");
    assert!(!m("a.tmp"));
}

/// The key of a charliecloud build of `df` FROM `bases` with `args` and `files`.
fn k(df: &str, bases: &[&str], args: &[(&str, &str)], files: &[LocalFile]) -> String {
    let bases: Vec<String> = bases.iter().map(|s| s.to_string()).collect();
    let args: Vec<(String, String)> =
        args.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    key(&KeyInputs {
        kind: RuntimeKind::Charliecloud,
        dockerfile: df,
        definition: None,
        bases: &bases,
        args: &args,
        files,
    })
}

#[test]
fn key_changes_with_every_input() {
    let files = [file("a", "1"), file("b", "2")];
    let base = k("FROM x\n", &["x"], &[("A", "1")], &files);
    assert_eq!(base.len(), 64);
    // Order of files and args does not matter; every value does.
    assert_eq!(base, k("FROM x\n", &["x"], &[("A", "1")], &[file("b", "2"), file("a", "1")]));
    let apptainer = |definition| {
        let (bases, args) = (["x".to_string()], [("A".to_string(), "1".to_string())]);
        key(&KeyInputs {
            kind: RuntimeKind::Apptainer,
            dockerfile: "FROM x\n",
            definition,
            bases: &bases,
            args: &args,
            files: &files,
        })
    };
    let others = [
        k("FROM x \n", &["x"], &[("A", "1")], &files),
        k("FROM x\n", &["y"], &[("A", "1")], &files),
        k("FROM x\n", &["x"], &[("A", "2")], &files),
        k("FROM x\n", &["x"], &[("A1", "")], &files),
        k("FROM x\n", &["x"], &[("A", "1")], &[file("a", "1"), file("b", "3")]),
        k("FROM x\n", &["x"], &[("A", "1")], &[file("a", "1")]),
        k(
            "FROM x\n",
            &["x"],
            &[("A", "1")],
            &[file("a", "1"), LocalFile { mode: 0o755, ..file("b", "2") }],
        ),
        // A file made private: COPY keeps the mode, so the image differs.
        k(
            "FROM x\n",
            &["x"],
            &[("A", "1")],
            &[file("a", "1"), LocalFile { mode: 0o600, ..file("b", "2") }],
        ),
        // A file renamed, same content.
        k("FROM x\n", &["x"], &[("A", "1")], &[file("a", "1"), file("c", "2")]),
        apptainer(None),
        apptainer(Some("Bootstrap: docker\nFrom: x\n")),
        apptainer(Some("Bootstrap: docker\nFrom: x\n%post\n")),
    ];
    for (i, o) in others.iter().enumerate() {
        assert_ne!(&base, o, "input {i} left the key unchanged");
        for (j, p) in others.iter().enumerate().skip(i + 1) {
            assert_ne!(o, p, "inputs {i} and {j} have one key");
        }
    }
    // What the unpack under umask 022 drops does not rebuild.
    assert_eq!(
        base,
        k(
            "FROM x\n",
            &["x"],
            &[("A", "1")],
            &[file("a", "1"), LocalFile { mode: 0o666, ..file("b", "2") }]
        )
    );
}

/// `COPY . .` reaches every file `.dockerignore` leaves: the key covers the files the
/// context walk yields, a file the Dockerfile never names included, and only those.
#[test]
fn key_covers_the_context_after_dockerignore() {
    let dir = std::env::temp_dir().join(format!("clusterls-key-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("Dockerfile"), "FROM x\nCOPY . /app\n").unwrap();
    std::fs::write(dir.join(".dockerignore"), "data\n*.log\n").unwrap();
    std::fs::write(dir.join("unnamed.txt"), "1").unwrap();
    std::fs::write(dir.join("data/big.bin"), "1").unwrap();
    std::fs::write(dir.join("x.log"), "1").unwrap();
    let files = |dir: &std::path::Path| {
        let lines = dockerignore(&std::fs::read_to_string(dir.join(".dockerignore")).unwrap());
        let run = super::super::super::super::upload::plan::Upload::default();
        let rules = super::super::super::super::upload::Rules::Anchored(lines);
        super::super::super::super::upload::scan(dir, &rules, &run, None).unwrap().files
    };
    let key_of = |dir: &std::path::Path| k("FROM x\nCOPY . /app\n", &["x"], &[], &files(dir));
    let names: Vec<String> = files(&dir).into_iter().map(|f| f.path).collect();
    assert_eq!(names, [".dockerignore", "Dockerfile", "unnamed.txt"]);
    let first = key_of(&dir);
    std::fs::write(dir.join("data/big.bin"), "2").unwrap();
    std::fs::write(dir.join("x.log"), "2").unwrap();
    assert_eq!(key_of(&dir), first, "ignored files do not rebuild");
    std::fs::write(dir.join("unnamed.txt"), "2").unwrap();
    assert_ne!(key_of(&dir), first, "a file only `COPY .` reaches rebuilds");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn targets() {
    let key = "0123456789abcdef0123";
    let t = |kind, tag| match target(kind, "/img/", tag, key) {
        Ok(t) => format!("{} {}", t.name, t.path),
        Err(e) => format!("error: {e}"),
    };
    expect!["clusterls-build:0123456789abcdef /img/clusterls-build+0123456789abcdef"]
        .assert_eq(&t(RuntimeKind::Charliecloud, None));
    expect!["lab/train:0123456789abcdef /img/train_0123456789abcdef.sif"]
        .assert_eq(&t(RuntimeKind::Apptainer, Some("lab/train")));
    expect![
        "error: --tag `x:1` names a tag or digest; give only a name (the content key is the tag)"
    ]
    .assert_eq(&t(RuntimeKind::Apptainer, Some("x:1")));
    assert!(t(RuntimeKind::Apptainer, Some("--evil $(x)")).starts_with("error: --tag"));
}

#[test]
fn program_arguments() {
    let res = Resources { partition: Some("test".into()), ..Default::default() };
    let args = [("A".to_string(), "$(touch /tmp/x); b".to_string())];
    expect![[r#"["charliecloud", "/img/c", "1", "--build-arg=A=$(touch /tmp/x); b", "--job-name=clusterls-build-0123456789abcdef", "--partition=test"]"#]]
        .assert_eq(&format!("{:?}", build_args(RuntimeKind::Charliecloud, "/img/c", "0123456789abcdef99", &args, &res)));
    // Apptainer's definition has the args written in: none on the command line.
    expect![[
        r#"["apptainer", "/img/c.sif", "0", "--job-name=clusterls-build-0123456789abcdef", "--partition=test"]"#
    ]]
    .assert_eq(&format!("{:?}", build_args(RuntimeKind::Apptainer, "/img/c.sif", "0123456789abcdef99", &args, &res)));
}

#[test]
fn build_arg_values() {
    assert_eq!(parse_build_arg("A=b=c").unwrap(), ("A".into(), "b=c".into()));
    assert_eq!(parse_build_arg("A").unwrap(), ("A".into(), "".into()));
    assert!(parse_build_arg("1A=x").is_err());
    assert!(parse_build_arg("--x=y").is_err());
    assert!(parse_build_arg("=y").is_err());
}

/// ch-image's own output (recorded on the test cluster, ch-image 0.31) and the
/// converter's step markers both name the failing line.
#[test]
fn failing_lines() {
    let ch = "copying image ...\n  2. ARG X='1'\n  6. RUN echo built > /app/built.txt\n  7. RUN false\nerror: build failed: RUN command exited with 1\nsrun: error: node01: task 0: Exited with exit code 1\n";
    assert_eq!(failed_line(ch), Some(7));
    let app = "+ echo 'clusterls-step: Dockerfile line 4'\nclusterls-step: Dockerfile line 4\nFATAL: While performing build: exit status 1\n";
    assert_eq!(failed_line(app), Some(4));
    assert_eq!(failed_line("FATAL: no space left\n"), None);
    let text = "FROM x\nARG X=1\nENV A=1\nWORKDIR /app\nCOPY a /app/\nRUN echo built\nRUN false\n";
    let e = read_build("h", "/img/c", "Dockerfile", text, 1, "", ch).unwrap_err().to_string();
    expect_test::expect![[r#"
        build failed at Dockerfile:7: `RUN false` (on h). No image was kept: fix that line and build again. The build's last lines:
        copying image ...
          2. ARG X='1'
          6. RUN echo built > /app/built.txt
          7. RUN false
        error: build failed: RUN command exited with 1
        srun: error: node01: task 0: Exited with exit code 1"#]].assert_eq(&e);
    assert!(read_build("h", "/img/c", "Dockerfile", text, 0, "built /img/c\n", "").unwrap());
    assert!(!read_build("h", "/img/c", "Dockerfile", text, 0, "present /img/c\n", "").unwrap());
    let e = read_build(
        "h",
        "/i",
        "D",
        text,
        1,
        "",
        "srun: error: Unable to allocate resources: Invalid partition name specified\n",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("[pull] in clusterls.toml"), "{e}");
}

#[test]
fn refusals() {
    let text = "FROM python:3.11 AS a\nCOPY --from=a x y\n";
    let findings = clusterls_dockerfile::check(text, None);
    let msg = refusal("Dockerfile", text, &findings);
    let Some(msg) = msg else { panic!("not refused: {findings:?}") };
    assert!(
        msg.starts_with(
            "Dockerfile has 1 error(s), so it was not built (nothing was uploaded):\nDockerfile:2: "
        ),
        "{msg}"
    );
    assert_eq!(
        refusal(
            "Dockerfile",
            "FROM python:3.11\n",
            &clusterls_dockerfile::check("FROM python:3.11\n", None)
        ),
        None
    );
}
