//! Snapshot tests of the parse: every instruction with its spans' text.

use clusterls_dockerfile::parse;
use expect_test::{Expect, expect};

#[track_caller]
fn check(text: &str, expect: Expect) {
    let df = parse(text);
    let mut out = String::new();
    let s = |r: &std::ops::Range<usize>| format!("{:?}", &text[r.clone()]);
    for d in &df.directives {
        out += &format!("directive {}={:?} {}\n", d.name, d.value, s(&d.span));
    }
    if df.escape != '\\' {
        out += &format!("escape {:?}\n", df.escape);
    }
    for c in &df.comments {
        out += &format!("comment {}\n", s(&c.span));
    }
    for r in &df.empty_continuation_lines {
        out += &format!("empty-continuation {}\n", s(r));
    }
    for i in &df.instructions {
        out += &format!("{:?} {} stage={:?}\n", i.kind, s(&i.span), i.stage);
        for f in &i.flags {
            out += &format!(
                "  flag {} {:?} {}\n",
                f.name,
                f.value,
                f.value_span.as_ref().map_or(String::new(), s)
            );
        }
        if let Some(j) = &i.args.json {
            let items: Vec<String> =
                j.iter().map(|w| format!("{:?}@{}", w.value, s(&w.span))).collect();
            out += &format!("  json [{}]\n", items.join(", "));
        } else {
            let words: Vec<String> = i.args.words.iter().map(|w| s(&w.span)).collect();
            out += &format!("  words [{}]\n", words.join(" "));
        }
        if i.args.bad_json {
            out += "  bad-json\n";
        }
        for h in &i.heredocs {
            out += &format!(
                "  heredoc {} strip={} quoted={} body={} end={}\n",
                h.delimiter,
                h.strip_tabs,
                h.quoted,
                s(&h.body_span),
                h.terminator_span.as_ref().map_or("none".into(), s)
            );
        }
        if let Some(t) = &i.trigger {
            out += &format!("  trigger {:?} {}\n", t.kind, s(&t.span));
        }
    }
    for st in &df.stages {
        out += &format!(
            "stage {} image={:?} name={:?} instructions={:?}\n",
            st.index, st.image, st.name, st.instructions
        );
    }
    expect.assert_eq(&out);
}

#[test]
fn simple() {
    check(
        "FROM ubuntu:22.04 AS base\nRUN apt-get update\n",
        expect![[r#"
            From "FROM ubuntu:22.04 AS base" stage=Some(0)
              words ["ubuntu:22.04" "AS" "base"]
            Run "RUN apt-get update" stage=Some(0)
              words ["apt-get" "update"]
            stage 0 image="ubuntu:22.04" name=Some("base") instructions=0..2
        "#]],
    );
}

#[test]
fn continuation_with_comments_and_blank_lines() {
    check(
        "FROM x\nRUN apt-get update && \\\n    # a comment\n\n    apt-get install -y curl \\  \n  && echo done\nCMD [\"a\"]\n",
        expect![[r##"
            comment "# a comment"
            empty-continuation "\n"
            From "FROM x" stage=Some(0)
              words ["x"]
            Run "RUN apt-get update && \\\n    # a comment\n\n    apt-get install -y curl \\  \n  && echo done" stage=Some(0)
              words ["apt-get" "update" "&&" "apt-get" "install" "-y" "curl" "&&" "echo" "done"]
            Cmd "CMD [\"a\"]" stage=Some(0)
              json ["a"@"\"a\""]
            stage 0 image="x" name=None instructions=0..3
        "##]],
    );
}

#[test]
fn escape_directive_backtick() {
    check(
        "# escape=`\n# syntax=docker/dockerfile:1\nFROM x\nRUN dir `\n  c:\\\n",
        expect![[r##"
        directive escape="`" "# escape=`"
        directive syntax="docker/dockerfile:1" "# syntax=docker/dockerfile:1"
        escape '`'
        comment "# escape=`"
        comment "# syntax=docker/dockerfile:1"
        From "FROM x" stage=Some(0)
          words ["x"]
        Run "RUN dir `\n  c:\\" stage=Some(0)
          words ["dir" "c:\\"]
        stage 0 image="x" name=None instructions=0..2
    "##]],
    );
}

#[test]
fn directives_stop_at_first_other_line() {
    check(
        "# syntax=a\n\n# escape=`\nFROM x\n",
        expect![[r##"
        directive syntax="a" "# syntax=a"
        comment "# syntax=a"
        comment "# escape=`"
        From "FROM x" stage=Some(0)
          words ["x"]
        stage 0 image="x" name=None instructions=0..1
    "##]],
    );
}

#[test]
fn flags_and_json() {
    check(
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nCOPY --from=build --chown=1000:1000 [\"/a b\", \"/c\"]\nRUN --mount=type=cache,target=/root/.cache pip install x\nCMD ['python', 'x.py']\n",
        expect![[r#"
            From "FROM --platform=$BUILDPLATFORM golang:1.22 AS build" stage=Some(0)
              flag platform Some("$BUILDPLATFORM") "$BUILDPLATFORM"
              words ["golang:1.22" "AS" "build"]
            Copy "COPY --from=build --chown=1000:1000 [\"/a b\", \"/c\"]" stage=Some(0)
              flag from Some("build") "build"
              flag chown Some("1000:1000") "1000:1000"
              json ["/a b"@"\"/a b\"", "/c"@"\"/c\""]
            Run "RUN --mount=type=cache,target=/root/.cache pip install x" stage=Some(0)
              flag mount Some("type=cache,target=/root/.cache") "type=cache,target=/root/.cache"
              words ["pip" "install" "x"]
            Cmd "CMD ['python', 'x.py']" stage=Some(0)
              words ["['python'," "'x.py']"]
              bad-json
            stage 0 image="golang:1.22" name=Some("build") instructions=0..4
        "#]],
    );
}

#[test]
fn heredocs() {
    check(
        "FROM x\nRUN <<EOF\napt-get update\nEOF\nCOPY <<-\"A\" <<B /dest/\n\thello\n\tA\nworld\nB\nRUN cat <<<here\nRUN <<EOF\nunterminated\n",
        expect![[r#"
            From "FROM x" stage=Some(0)
              words ["x"]
            Run "RUN <<EOF\napt-get update\nEOF" stage=Some(0)
              words ["<<EOF"]
              heredoc EOF strip=false quoted=false body="apt-get update\n" end="EOF"
            Copy "COPY <<-\"A\" <<B /dest/\n\thello\n\tA\nworld\nB" stage=Some(0)
              words ["<<-\"A\"" "<<B" "/dest/"]
              heredoc A strip=true quoted=true body="\thello\n" end="\tA"
              heredoc B strip=false quoted=false body="world\n" end="B"
            Run "RUN cat <<<here" stage=Some(0)
              words ["cat" "<<<here"]
            Run "RUN <<EOF\nunterminated" stage=Some(0)
              words ["<<EOF"]
              heredoc EOF strip=false quoted=false body="unterminated\n" end=none
            stage 0 image="x" name=None instructions=0..5
        "#]],
    );
}

#[test]
fn onbuild_and_unknown() {
    check(
        "FROM x\nONBUILD RUN make\nRUNN echo hi\nfrom y as Z\n",
        expect![[r#"
        From "FROM x" stage=Some(0)
          words ["x"]
        Onbuild "ONBUILD RUN make" stage=Some(0)
          words ["RUN" "make"]
          trigger Run "RUN make"
        Unknown "RUNN echo hi" stage=Some(0)
          words ["echo" "hi"]
        From "from y as Z" stage=Some(1)
          words ["y" "as" "Z"]
        stage 0 image="x" name=None instructions=0..3
        stage 1 image="y" name=Some("Z") instructions=3..4
    "#]],
    );
}

#[test]
fn crlf_and_unicode() {
    check(
        "FROM x\r\nRUN echo \"héllo wörld\" \\\r\n  ünïcode\r\nLABEL a=\"b c\" d=e\r\n",
        expect![[r#"
        From "FROM x" stage=Some(0)
          words ["x"]
        Run "RUN echo \"héllo wörld\" \\\r\n  ünïcode" stage=Some(0)
          words ["echo" "\"héllo wörld\"" "ünïcode"]
        Label "LABEL a=\"b c\" d=e" stage=Some(0)
          words ["a=\"b c\"" "d=e"]
        stage 0 image="x" name=None instructions=0..3
    "#]],
    );
}

#[test]
fn continuation_at_eof() {
    check(
        "FROM x\nRUN a \\\n\n\n",
        expect![[r#"
        From "FROM x" stage=Some(0)
          words ["x"]
        Run "RUN a \\" stage=Some(0)
          words ["a"]
        stage 0 image="x" name=None instructions=0..2
    "#]],
    );
}
