use super::*;
use expect_test::{Expect, expect};

fn file(path: &str, size: u64, content: &str) -> LocalFile {
    let mut h = ContentHasher::new();
    h.update(content.as_bytes());
    LocalFile { path: path.into(), size, hash: h.finish(), mode: 0o644 }
}

#[track_caller]
fn check(local: &[LocalFile], remote: Option<&str>, expect: Expect) {
    let p = plan_upload(local, remote);
    let actual = format!(
        "send {:?} ({} B)\ndelete {:?}\nclear_dirs {:?}\nunchanged {} of {} B\nproblems {:#?}\n{}",
        p.send,
        p.send_bytes,
        p.delete,
        p.clear_dirs,
        p.unchanged,
        p.total_bytes,
        p.problems,
        short_hashes(&p.manifest)
    );
    expect.assert_eq(&actual);
}

/// Hashes shortened to 8 characters, for readable snapshots.
fn short_hashes(manifest: &str) -> String {
    manifest
        .lines()
        .map(|l| match l.split_once(' ') {
            Some((h, rest)) if h.len() == 64 => format!("{}… {rest}\n", &h[..8]),
            _ => format!("{l}\n"),
        })
        .collect()
}

const HOSTILE: &str = "run $(touch X); 'a\"b'\n\\c\t.py";

#[test]
fn hashes() {
    expect!["ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"]
        .assert_eq(&file("a", 3, "abc").hash);
}

#[test]
fn first_upload_sends_everything() {
    let local = [file("train.py", 10, "x"), file(HOSTILE, 3, "y"), file("data/a b.csv", 5, "z")];
    check(
        &local,
        None,
        expect![[r#"
            send ["data/a b.csv", "run $(touch X); 'a\"b'\n\\c\t.py", "train.py"] (18 B)
            delete []
            clear_dirs []
            unchanged 0 of 18 B
            problems []
            clusterls-manifest 1 sha256
            594e519a… 5 644 data/a b.csv
            a1fce436… 3 644 run $(touch X); 'a"b'\n\\c\t.py
            2d711642… 10 644 train.py
        "#]],
    );
}

#[test]
fn second_upload_sends_only_changes() {
    let before = [file("train.py", 10, "x"), file(HOSTILE, 3, "y"), file("old.py", 1, "o")];
    let remote = render_manifest(&before);
    let mut exec = file("run.sh", 2, "r");
    exec.mode = 0o755;
    let now = [file("train.py", 11, "x2"), file(HOSTILE, 3, "y"), exec];
    check(
        &now,
        Some(&remote),
        expect![[r#"
            send ["run.sh", "train.py"] (13 B)
            delete ["old.py"]
            clear_dirs []
            unchanged 1 of 16 B
            problems []
            clusterls-manifest 1 sha256
            a1fce436… 3 644 run $(touch X); 'a"b'\n\\c\t.py
            454349e4… 2 755 run.sh
            844ecc08… 11 644 train.py
        "#]],
    );
    // Same files, mode changed: sent again.
    let mut x = file("train.py", 10, "x");
    let remote = render_manifest(std::slice::from_ref(&x));
    x.mode = 0o755;
    assert_eq!(plan_upload(&[x], Some(&remote)).send, ["train.py"]);
}

#[test]
fn a_file_where_a_directory_was() {
    let remote = render_manifest(&[
        file("a/b.py", 1, "1"),
        file("a/c/d.py", 1, "2"),
        file("a.txt", 1, "3"),
        file("e", 1, "4"),
    ]);
    check(
        &[file("a", 1, "now a file"), file("e/f", 1, "now a dir")],
        Some(&remote),
        expect![[r#"
            send ["a", "e/f"] (2 B)
            delete ["a.txt", "e"]
            clear_dirs ["a"]
            unchanged 0 of 2 B
            problems []
            clusterls-manifest 1 sha256
            92af885f… 1 644 a
            76122d70… 1 644 e/f
        "#]],
    );
}

/// A tampered or broken remote manifest never makes clusterls delete outside the sync
/// directory; an unknown format means a full upload.
#[test]
fn hostile_remote_manifests() {
    let h = "a".repeat(64);
    let remote = format!(
        "{HEADER}\n{h} 1 644 ../../.ssh/authorized_keys\n{h} 1 644 /etc/passwd\n{h} 1 644 a//b\n{h} 1 644 ./x\n{h} x 644 y\nshort 1 644 z\n{h} 1 644 bad\\q\n{h} 1 644 ok\n{h} 2 644 ok\n"
    );
    check(
        &[],
        Some(&remote),
        expect![[r#"
            send [] (0 B)
            delete ["ok"]
            clear_dirs []
            unchanged 0 of 0 B
            problems [
                "remote manifest line 2: not `HASH SIZE MODE PATH` with a relative path; ignored",
                "remote manifest line 3: not `HASH SIZE MODE PATH` with a relative path; ignored",
                "remote manifest line 4: not `HASH SIZE MODE PATH` with a relative path; ignored",
                "remote manifest line 5: not `HASH SIZE MODE PATH` with a relative path; ignored",
                "remote manifest line 6: not `HASH SIZE MODE PATH` with a relative path; ignored",
                "remote manifest line 7: not `HASH SIZE MODE PATH` with a relative path; ignored",
                "remote manifest line 8: not `HASH SIZE MODE PATH` with a relative path; ignored",
                "remote manifest line 10: `ok` listed twice",
            ]
            clusterls-manifest 1 sha256
        "#]],
    );
    check(
        &[file("a.py", 1, "a")],
        Some("clusterls-manifest 2 blake3\nwhatever\n"),
        expect![[r#"
            send ["a.py"] (1 B)
            delete []
            clear_dirs []
            unchanged 0 of 1 B
            problems [
                "the remote manifest starts `clusterls-manifest 2 blake3`, not `clusterls-manifest 1 sha256`: sending every file",
            ]
            clusterls-manifest 1 sha256
            ca978112… 1 644 a.py
        "#]],
    );
    check(
        &[file("../up", 1, "a"), file("/abs", 1, "b"), file("x", 1, "c"), file("x", 1, "c")],
        None,
        expect![[r#"
            send ["x"] (1 B)
            delete []
            clear_dirs []
            unchanged 0 of 1 B
            problems [
                "`../up` is not a relative path; not sent",
                "`/abs` is not a relative path; not sent",
                "`x` listed twice; sent once",
            ]
            clusterls-manifest 1 sha256
            2e7d2c03… 1 644 x
        "#]],
    );
}

#[test]
fn names_round_trip() {
    for name in [HOSTILE, "a b", "\u{1}\u{7f}ü/\\x41", "tab\there", "trailing space ", "\\"] {
        let escaped = escape_path(name);
        assert!(!escaped.contains(['\n', '\r', '\0']), "{escaped:?}");
        assert_eq!(unescape_path(&escaped).as_deref(), Some(name));
    }
    expect![[r#""\\x01\\x7fü/\\\\x41""#]]
        .assert_eq(&format!("{:?}", escape_path("\u{1}\u{7f}ü/\\x41")));
    assert_eq!(unescape_path("\\x4"), None);
    assert_eq!(unescape_path("\\q"), None);
    assert_eq!(unescape_path("a\\"), None);
}

#[test]
fn size_guard_names_the_largest_files() {
    let files: Vec<LocalFile> = [
        ("data/train.bin", 150_000_000),
        ("ckpt/model.pt", 60_000_000),
        (HOSTILE, 2_500_000),
        ("a.py", 1_200),
        ("b.py", 12),
        ("c.py", 12),
    ]
    .iter()
    .map(|(p, s)| LocalFile { path: p.to_string(), size: *s, hash: String::new(), mode: 0o644 })
    .collect();
    expect![[r#"
        the project is 212.5 MB in 6 files, over the upload limit of 200.0 MB. The largest:
           150.0 MB  data/train.bin
            60.0 MB  ckpt/model.pt
             2.5 MB  run $(touch X); 'a"b'\n\\c\t.py
             1.2 kB  a.py
               12 B  b.py
        List what the run does not need in .clusterlsignore (data, checkpoints, environments), put data on the cluster once and read it from there, or raise `upload_limit` in clusterls.toml."#]]
    .assert_eq(&check_size(&files, DEFAULT_LIMIT).unwrap_err());
    assert_eq!(check_size(&files[1..], DEFAULT_LIMIT), Ok(62_501_224));
}
