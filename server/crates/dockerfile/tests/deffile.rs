//! The definition-file reader: stages, header keys and sections with their spans, and
//! problems. `UPDATE_EXPECT=1` refreshes the snapshots.

use clusterls_dockerfile::deffile;
use expect_test::{Expect, expect};

fn check(text: &str, expect: Expect) {
    let d = deffile::parse(text);
    let mut out = String::new();
    for (i, st) in d.stages.iter().enumerate() {
        out += &format!("stage {i} {:?}\n", st.span);
        for h in &st.header {
            out += &format!(
                "  {}: {:?} key {:?} value {:?}\n",
                h.key,
                h.value,
                &text[h.key_span.clone()],
                &text[h.value_span.clone()]
            );
        }
        for s in &st.sections {
            out += &format!(
                "  %{} {:?} head {:?} body {:?}\n",
                s.name,
                s.args,
                &text[s.head_span.clone()],
                &text[s.body_span.clone()]
            );
        }
    }
    for p in &d.problems {
        out += &format!("problem {:?} {:?}: {}\n", p.span, &text[p.span.clone()], p.message);
    }
    expect.assert_eq(&out);
}

#[test]
fn header_and_sections() {
    check(
        "# a comment\nBootstrap: docker\nFrom:ubuntu:22.04\n\n%post\n    apt-get update\n%runscript -c /bin/bash\nexec \"$@\"\n",
        expect![[r#"
            stage 0 12..108
              Bootstrap: "docker" key "Bootstrap" value "docker"
              From: "ubuntu:22.04" key "From" value "ubuntu:22.04"
              %post "" head "%post" body "    apt-get update\n"
              %runscript "-c /bin/bash" head "%runscript -c /bin/bash" body "exec \"$@\"\n"
        "#]],
    );
}

#[test]
fn multi_stage() {
    check(
        "Bootstrap: docker\nFrom: golang\nStage: build\n%post\ngo build\n\n# final\nBootstrap: docker\nFrom: alpine\nStage: final\n%files from build\n/out /bin/app\n",
        expect![[r#"
            stage 0 0..68
              Bootstrap: "docker" key "Bootstrap" value "docker"
              From: "golang" key "From" value "golang"
              Stage: "build" key "Stage" value "build"
              %post "" head "%post" body "go build\n\n# final\n"
            stage 1 68..144
              Bootstrap: "docker" key "Bootstrap" value "docker"
              From: "alpine" key "From" value "alpine"
              Stage: "final" key "Stage" value "final"
              %files "from build" head "%files from build" body "/out /bin/app\n"
        "#]],
    );
}

#[test]
fn problems() {
    check(
        "%post\necho no header\n",
        expect![[r#"
            stage 0 0..21
              %post "" head "%post" body "echo no header\n"
            problem 0..5 "%post": A section before any header: the file must start with `Bootstrap:`.
            problem 0..5 "%post": This stage has no `Bootstrap:` header: start it with `Bootstrap: docker` and `From: IMAGE`.
        "#]],
    );
    check(
        "Bootstrap: docker\nFrom: a\nFrom: b\nWhatever: x\nnot a header\n",
        expect![[r#"
            stage 0 0..59
              Bootstrap: "docker" key "Bootstrap" value "docker"
              From: "a" key "From" value "a"
              Whatever: "x" key "Whatever" value "x"
            problem 26..33 "From: b": `From` is given twice in this stage's header: keep one.
            problem 34..42 "Whatever": `Whatever` is not a header key Apptainer knows: check its spelling (Bootstrap, From, Stage, ...).
            problem 46..58 "not a header": `not a header` is not a header line (`Key: value`) and comes before any section: make it a header line, a `#` comment, or put it in a section (`%post`).
        "#]],
    );
    check(
        "Bootstrap: docker\n%weird\n%files from nowhere\n%files to\n%apprun\n",
        expect![[r#"
            stage 0 0..63
              Bootstrap: "docker" key "Bootstrap" value "docker"
              %weird "" head "%weird" body ""
              %files "from nowhere" head "%files from nowhere" body ""
              %files "to" head "%files to" body ""
              %apprun "" head "%apprun" body ""
            problem 0..17 "Bootstrap: docker": `Bootstrap: docker` needs a `From:` header naming the image.
            problem 18..24 "%weird": `%weird` is not a section Apptainer knows (setup, files, environment, post, runscript, startscript, test, labels, help, arguments, appinstall, appfiles, appenv, apphelp, applabels, apprun, appstart, apptest).
            problem 25..44 "%files from nowhere": `%files from nowhere` names no earlier stage: name a stage defined above (`Stage: nowhere`).
            problem 45..54 "%files to": `%files` takes only `from STAGE`.
            problem 55..62 "%apprun": `%apprun` needs an app name: `%apprun NAME`.
        "#]],
    );
    check(
        "Bootstrap: docker\nFrom: a\n%post\nx\nBootstrap: docker\nFrom: b\n%post\ny\n%post\nz\n",
        expect![[r#"
            stage 0 0..34
              Bootstrap: "docker" key "Bootstrap" value "docker"
              From: "a" key "From" value "a"
              %post "" head "%post" body "x\n"
            stage 1 34..76
              Bootstrap: "docker" key "Bootstrap" value "docker"
              From: "b" key "From" value "b"
              %post "" head "%post" body "y\n"
              %post "" head "%post" body "z\n"
            problem 68..73 "%post": `%post` appears twice in this stage: merge them into one.
        "#]],
    );
}

#[test]
fn crlf_and_scratch() {
    check(
        "Bootstrap: scratch\r\n%files\r\nhello /\r\n",
        expect![[r#"
        stage 0 0..37
          Bootstrap: "scratch" key "Bootstrap" value "scratch"
          %files "" head "%files" body "hello /\r\n"
    "#]],
    );
}
