use super::*;
use expect_test::expect;

#[test]
fn ssh_g() {
    let m = parse_ssh_g(
        "user alice\nport 2222\ncontrolpath /tmp/cm-alice@h:22\nidentityfile ~/.ssh/a\nidentityfile ~/.ssh/b\n",
    );
    assert_eq!(m["controlpath"], "/tmp/cm-alice@h:22");
    assert_eq!(m["identityfile"], "~/.ssh/a");
}

#[test]
fn failures() {
    let cases = [
        "alice@127.0.0.1: Permission denied (publickey,password).",
        "Host key verification failed.",
        "ssh: connect to host 127.0.0.1 port 2222: Connection refused",
        "Received disconnect: keyboard-interactive required",
    ];
    let got: Vec<_> = cases.iter().map(|c| format!("{:?}", classify_ssh_failure(c))).collect();
    expect!["NeedsPrompt HostKey Other NeedsPrompt"].assert_eq(&got.join(" "));
}

#[tokio::test]
async fn local_argv_is_not_shell() {
    let t = LocalTransport::new();
    let dir = std::env::temp_dir().join(format!("clusterls-t-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let hostile = "$(touch MARKER); `touch MARKER2` 'q' \"d\"\nü";
    let out = t
        .exec(Exec::new("printf", vec!["printf".into(), "%s".into(), hostile.into()]))
        .await
        .unwrap();
    assert_eq!(out.stdout_str(), hostile);
    let out = t.exec(Exec::new("cat", vec!["cat".into()]).stdin(b"abc".to_vec())).await.unwrap();
    assert_eq!(out.stdout_str(), "abc");
    let e = t
        .exec(
            Exec::new("sleep", vec!["sleep".into(), "5".into()])
                .timeout(Duration::from_millis(100)),
        )
        .await
        .unwrap_err();
    expect!["`sleep` on local did not answer within 0 s; the cluster may be overloaded. Try again, or raise the timeout."]
        .assert_eq(&e.to_string());
    assert!(!Path::new("MARKER").exists());
    let _ = std::fs::remove_dir_all(dir);
}
