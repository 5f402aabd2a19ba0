//! `clusterls build` and `run --dockerfile` against the real local cluster through ssh:
//! a Dockerfile FROM the registry's image built with ch-image inside an allocation on
//! the light partition, cached by content (a second build makes no allocation), run on
//! an emulated GPU with the image's environment; a failing RUN named by its line; two
//! concurrent builds of one key build once; hostile names and values are data.
//!
//! Each test puts a nonce in its context, so its keys are its own (the images land in
//! alice's charliecloud storage, which `ch-run` reads by name, and are removed after).

mod engine_common;

use std::process::Stdio;
use std::time::Instant;

use engine_common::*;

/// A Dockerfile with ARG, ENV, WORKDIR, COPY and RUN (a comment and a blank line, so
/// instruction numbers and line numbers differ).
fn dockerfile(image: &str, tail: &str) -> String {
    format!(
        "# syntax=docker/dockerfile:1\nFROM {image}\n\nARG GREETING=hello\nENV GREETING=$GREETING\nWORKDIR /app\nCOPY data/ /app/data/\nRUN echo \"built with $GREETING\" > /app/built.txt\n{tail}"
    )
}

const PROBE: &str = r#"import os
print("msg=" + open("/app/data/msg.txt").read().strip())
print("built=" + open("/app/built.txt").read().strip())
print("GREETING=" + os.environ.get("GREETING", "<unset>"))
for f in sorted(os.listdir("/app/data")):
    print("file=" + f)
print("CUDA_VISIBLE_DEVICES=" + os.environ.get("CUDA_VISIBLE_DEVICES", ""))
"#;

/// A name the shell would love to run.
const HOSTILE: &str = "we ird $(touch pwned); 'q\" `id`.txt";

fn nonce(tag: &str) -> String {
    format!("{tag}-{}-{}", std::process::id(), clusterls_tests_nanos())
}

fn clusterls_tests_nanos() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
}

/// `key K` and `image PATH` from a build's stdout.
fn key_and_image(out: &std::process::Output) -> (String, String) {
    let text = stdout(out);
    let get = |p: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(p))
            .unwrap_or_else(|| panic!("no `{p}` line in {text}"))
            .to_string()
    };
    (get("key "), get("image "))
}

/// The allocations accounting recorded for a key's build (named `clusterls-build-KEY16`).
fn build_allocations(key: &str) -> usize {
    let name = format!("clusterls-build-{}", &key[..16]);
    let out = ssh(&["sacct", "-X", "-n", "-P", "-S", "now-1days", "--name", &name, "-o", "JobID"]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).lines().filter(|l| !l.trim().is_empty()).count()
}

fn remove_image(path: &str) {
    assert!(path.starts_with("/var/tmp/") && path.contains("clusterls-build+"), "{path}");
    let _ = ssh(&["rm", "-rf", "--", path]);
}

#[test]
fn build_run_cache_and_rebuild() {
    let p = Project::new("build");
    let c = cluster();
    let image = c.image.trim_start_matches("docker://");
    let n = nonce("a");
    p.write("Dockerfile", &dockerfile(image, ""));
    p.write("data/msg.txt", &format!("hello from the context {n}\n"));
    p.write(&format!("data/{HOSTILE}"), "hostile\n");
    p.write("data/secret.key", "not for the image\n");
    p.write(".dockerignore", "# Docker's rules: anchored at the root\ndata/*.key\n");
    let probe = p.write("probe.py", PROBE);

    // First build: in an allocation on the light partition.
    let t = Instant::now();
    let first = p.run(&["build"]);
    let first_time = t.elapsed();
    assert!(first.status.success(), "{}", stderr(&first));
    let (key, path) = key_and_image(&first);
    assert_eq!(key.len(), 64);
    assert!(path.ends_with(&format!("clusterls-build+{}", &key[..16])), "{path}");
    let err = stderr(&first);
    assert!(err.contains("building in an allocation (srun --job-name=clusterls-build-"), "{err}");
    assert!(err.contains("--partition=test"), "{err}");
    assert!(err.lines().any(|l| l == "clusterls: built"), "{err}");
    wait_for("accounting to show the build's allocation", || {
        (build_allocations(&key) == 1).then_some(())
    });
    // `facts` lists it.
    let facts = p.run(&["facts", "--json"]);
    assert!(stdout(&facts).contains(&format!("clusterls-build+{}", &key[..16])));

    // Unchanged: one round trip, no build, no allocation.
    let t = Instant::now();
    let second = p.run(&["build"]);
    let second_time = t.elapsed();
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(key_and_image(&second), (key.clone(), path.clone()));
    assert!(stderr(&second).contains("already built"), "{}", stderr(&second));
    assert!(!stderr(&second).contains("srun"), "{}", stderr(&second));
    assert_eq!(build_allocations(&key), 1, "the unchanged build made no allocation");
    eprintln!(
        "bench: build first {:.0} ms, unchanged {:.0} ms",
        first_time.as_secs_f64() * 1e3,
        second_time.as_secs_f64() * 1e3
    );

    // run --dockerfile: the copied files, the file RUN wrote and the ENV, on a GPU.
    let out = p.run(&[
        "run",
        "--dockerfile",
        "Dockerfile",
        "--partition",
        "gpu",
        "--gpus",
        "1",
        "--follow",
        probe.to_str().unwrap(),
    ]);
    let text = format!("{}{}", stderr(&out), stdout(&out));
    assert!(out.status.success(), "{text}");
    let o = stdout(&out);
    assert!(o.contains(&format!("msg=hello from the context {n}")), "{text}");
    assert!(o.contains("built=built with hello"), "{text}");
    assert!(o.contains("GREETING=hello"), "{text}");
    let files: Vec<&str> = o.lines().filter_map(|l| l.strip_prefix("file=")).collect();
    assert_eq!(files, ["msg.txt", HOSTILE], "the ignored file stays out: {text}");
    assert!(["0", "1", "2", "3"].iter().any(|g| o.contains(&format!("CUDA_VISIBLE_DEVICES={g}"))));
    assert_eq!(build_allocations(&key), 1, "the run used the built image");
    let err = stderr(&out);
    assert!(err.contains(&format!("clusterls: build: key {key}: already built")), "{err}");

    // One context file changes: a new key, built again by `run --dockerfile`, whose
    // build shows its progress on stderr; the context's upload sends that file alone.
    p.write("data/msg.txt", &format!("changed {n}\n"));
    let third = p.run(
        &["run", "--dockerfile", "Dockerfile", "--partition", "test", "--follow"]
            .into_iter()
            .chain([probe.to_str().unwrap()])
            .collect::<Vec<_>>(),
    );
    let err = stderr(&third);
    assert!(third.status.success(), "{err}");
    assert!(stdout(&third).contains(&format!("msg=changed {n}")), "{err}");
    assert!(err.contains("clusterls: build: building in an allocation (srun"), "{err}");
    assert!(err.lines().any(|l| l == "clusterls: build: built"), "{err}");
    assert!(err.contains("clusterls: build: context: sent 1 of "), "{err}");
    let key3 = err
        .lines()
        .find_map(|l| l.strip_prefix("clusterls: build: key ")?.split(':').next())
        .unwrap_or_else(|| panic!("no key line: {err}"))
        .to_string();
    assert_ne!(key3, key);
    let path3 = path.replace(&key[..16], &key3[..16]);
    // An ignored file does not change the key.
    p.write("data/secret.key", "still not for the image\n");
    let fourth = p.run(&["build"]);
    assert_eq!(key_and_image(&fourth).0, key3, "{}", stderr(&fourth));
    remove_image(&path);
    remove_image(&path3);
}

/// A hostile build-arg value is data: it reaches the image's ENV intact, and nothing
/// runs it (no `pwned` file anywhere).
#[test]
fn hostile_build_arg_is_data() {
    let p = Project::new("build-arg");
    let image = cluster().image.trim_start_matches("docker://");
    let n = nonce("b");
    p.write("Dockerfile", &dockerfile(image, ""));
    p.write("data/msg.txt", &format!("{n}\n"));
    let value = "$(touch /tmp/pwned-build); \"q\" 'x' `id`";
    let out = p.run(&["build", "--build-arg", &format!("GREETING={value}")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (key, path) = key_and_image(&out);
    let name = format!("clusterls-build:{}", &key[..16]);
    // As runs start it (`--set-env --env-no-expand`: the values are final, as in Docker).
    let env = ssh(&["ch-run", "--set-env", "--env-no-expand", &name, "--", "printenv", "GREETING"]);
    assert_eq!(stdout(&env).trim_end(), value, "{}", stderr(&env));
    let built = ssh(&["ch-run", &name, "--", "cat", "/app/built.txt"]);
    assert_eq!(stdout(&built).trim_end(), format!("built with {value}"));
    let pwned = ssh(&["ls", "/tmp/pwned-build"]);
    assert!(!pwned.status.success(), "the value ran");
    // Another value, another key.
    let other = p.run(&["build", "--build-arg", "GREETING=plain"]);
    assert_ne!(key_and_image(&other).0, key);
    remove_image(&path);
    remove_image(&key_and_image(&other).1);
}

/// A failing RUN: the build fails naming the Dockerfile line, and leaves no image.
#[test]
fn failing_run_reports_its_line() {
    let p = Project::new("build-fail");
    let image = cluster().image.trim_start_matches("docker://");
    let n = nonce("c");
    let text = dockerfile(image, "RUN echo about to fail && \\\n    false\n");
    let line = text.lines().position(|l| l.starts_with("RUN echo about")).unwrap() + 1;
    p.write("Dockerfile", &text);
    p.write("data/msg.txt", &format!("{n}\n"));
    let out = p.run(&["build"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("build failed at Dockerfile:{line}: `RUN echo about to fail && \\`")),
        "{err}"
    );
    // No image and no temporary directory of this build are left.
    let key = err
        .lines()
        .find_map(|l| l.strip_prefix("clusterls: key ")?.split(':').next())
        .unwrap_or_else(|| panic!("no key in {err}"));
    let ls = ssh(&["ls", "-A", "/var/tmp/alice.ch/img"]);
    let listing = stdout(&ls);
    assert!(ls.status.success() && listing.contains("clusterls-build"), "{listing}");
    assert!(!listing.contains(&format!("clusterls-build+{}", &key[..16])), "{listing}");
    assert!(!listing.lines().any(|l| l.starts_with("clusterls-tmp-")), "{listing}");
}

/// A Dockerfile with error findings is refused before anything is sent.
#[test]
fn dockerfile_with_errors_is_refused() {
    let p = Project::new("build-refused");
    p.write("Dockerfile", "FROM python:3.11 AS a\nCOPY --from=a x y\n");
    let out = p.run(&["build"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("so it was not built (nothing was uploaded)"), "{err}");
    assert!(err.contains("Dockerfile:2: docker/copy-from-self"), "{err}");
}

/// Two builds of one key at once: both succeed with the same image, one built it.
#[test]
fn concurrent_builds_of_one_key_build_once() {
    let p = Project::new("build-race");
    let image = cluster().image.trim_start_matches("docker://");
    let n = nonce("d");
    p.write("Dockerfile", &dockerfile(image, ""));
    p.write("data/msg.txt", &format!("{n}\n"));
    let spawn = || p.cmd(&["build"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let both = format!("{}{}", stderr(&a), stderr(&b));
    eprintln!("{both}");
    assert!(a.status.success() && b.status.success(), "{both}");
    assert_eq!(stdout(&a), stdout(&b), "both name the same image");
    assert_eq!(both.lines().filter(|l| *l == "clusterls: built").count(), 1, "{both}");
    assert!(both.contains("already built"), "{both}");
    let (key, path) = key_and_image(&a);
    wait_for("accounting to show the build", || (build_allocations(&key) >= 1).then_some(()));
    assert_eq!(build_allocations(&key), 1, "one allocation built: {both}");
    remove_image(&path);
}
