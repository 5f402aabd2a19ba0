//! Dockerfile → Apptainer definition file: one small case per construct
//! (`check(dockerfile, expect)` shows the definition and the findings), every output
//! read back by our definition-file reader. `UPDATE_EXPECT=1` refreshes the snapshots.

use clusterls_dockerfile::convert::{self, Conversion, codes};
use clusterls_dockerfile::deffile;
use clusterls_dockerfile::rules;
use expect_test::{Expect, expect};

#[path = "common/fuzz.rs"]
mod fuzz_support;

/// Every conversion must read back cleanly with the stages and sections it says it wrote.
pub fn round_trip(c: &Conversion) -> Result<(), String> {
    let d = deffile::parse(&c.definition);
    if !d.problems.is_empty() {
        return Err(format!("problems: {:?}", d.problems));
    }
    let got: Vec<(Option<&str>, Option<&str>, Vec<String>)> = d
        .stages
        .iter()
        .map(|s| {
            (
                s.name(),
                s.get("from"),
                s.sections
                    .iter()
                    .map(|x| {
                        if x.args.is_empty() {
                            format!("%{}", x.name)
                        } else {
                            format!("%{} {}", x.name, x.args)
                        }
                    })
                    .collect(),
            )
        })
        .collect();
    let want: Vec<(Option<&str>, Option<&str>, Vec<String>)> = c
        .stages
        .iter()
        .map(|s| {
            (
                Some(s.name.as_str()),
                (s.bootstrap == "docker").then_some(s.from.as_str()),
                s.sections.clone(),
            )
        })
        .collect();
    if got != want {
        return Err(format!("read back {got:?}\nwrote {want:?}"));
    }
    Ok(())
}

/// A finding says why the output does not read back cleanly: a script line that looks
/// like a section, or no base image (an error: the build is refused).
fn explained(c: &Conversion) -> bool {
    c.findings.iter().any(|f| f.code == codes::SCRIPT_LINE.code || f.code == codes::NO_BASE.code)
}

fn render(text: &str, c: &Conversion) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for l in c.definition.lines().skip(3) {
        if skipping {
            skipping = l != "}";
            continue;
        }
        if let Some(what) = ["# COPY as Docker", "# ADD: a local", "# ADD of a URL"]
            .iter()
            .position(|p| l.starts_with(p))
        {
            out += ["[clusterls_copy]\n", "[clusterls_add]\n", "[clusterls_fetch]\n"][what];
            skipping = true;
            continue;
        }
        out += l;
        out.push('\n');
    }
    if !c.findings.is_empty() {
        out += "--- findings\n";
    }
    for f in &c.findings {
        let line = text[..f.range.start].matches('\n').count() + 1;
        out += &format!(
            "{line} `{}` {} ({}): {}\n",
            &text[f.range.clone()],
            f.code,
            f.severity.as_str(),
            f.message
        );
    }
    out
}

fn check_args(text: &str, args: &[(&str, &str)], expect: Expect) {
    let args: Vec<(String, String)> =
        args.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let c = convert::convert(text, &args);
    if let Err(e) = round_trip(&c)
        && !explained(&c)
    {
        panic!("round trip failed: {e}\n{}", c.definition);
    }
    if let Err(e) = scripts_parse(&c.definition) {
        panic!("{e}");
    }
    for f in &c.findings {
        assert!(rules::RULES.iter().any(|r| r.code == f.code), "{} is not registered", f.code);
    }
    expect.assert_eq(&render(text, &c));
}

fn check(text: &str, expect: Expect) {
    check_args(text, &[], expect);
}

#[test]
fn single_stage() {
    check(
        "FROM python:3.11\nRUN pip install numpy\nCMD [\"python\", \"train.py\"]\n",
        expect![[r#"
            Bootstrap: docker
            From: python:3.11
            Stage: stage0

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            cd /
            echo 'clusterls-step: Dockerfile line 2 RUN'
            /bin/sh -c 'pip install numpy'

            %runscript
            if [ "$#" -eq 0 ]; then set -- python train.py; fi
            exec "$@"
        "#]],
    );
}

#[test]
fn multi_stage_copies_from_stages() {
    check(
        r#"FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod main.go ./
RUN go build -o /out/app .
FROM alpine:3.19 AS unused
RUN echo never built
FROM debian:12
COPY --from=build /out/app /usr/local/bin/app
COPY --from=0 /src/go.mod /opt/
RUN /usr/local/bin/app --version
ENTRYPOINT ["/usr/local/bin/app"]
"#,
        expect![[r#"
            Bootstrap: docker
            From: golang:1.22
            Stage: build

            %files
            . /.clusterls-context

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            [clusterls_copy]
            cd /
            mkdir -p /src && cd /src
            echo 'clusterls-step: Dockerfile line 3 COPY'
            clusterls_copy '/.clusterls-context/go.mod' '/src/'
            clusterls_copy '/.clusterls-context/main.go' '/src/'
            echo 'clusterls-step: Dockerfile line 4 RUN'
            /bin/sh -c 'go build -o /out/app .'
            rm -rf /.clusterls-context

            Bootstrap: docker
            From: debian:12
            Stage: stage2

            %files from build
            /out/app /.clusterls-from/1/
            /src/go.mod /.clusterls-from/2/

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            [clusterls_copy]
            cd /
            echo 'clusterls-step: Dockerfile line 8 COPY'
            clusterls_copy '/.clusterls-from/1/app' '/usr/local/bin/app'
            echo 'clusterls-step: Dockerfile line 9 COPY'
            clusterls_copy '/.clusterls-from/2/go.mod' '/opt/'
            echo 'clusterls-step: Dockerfile line 10 RUN'
            /bin/sh -c '/usr/local/bin/app --version'
            rm -rf /.clusterls-from

            %runscript
            exec /usr/local/bin/app "$@"
        "#]],
    );
}

#[test]
fn stage_built_on_a_stage_is_replayed() {
    check(
        r#"FROM ubuntu:22.04 AS base
ARG V=1
ENV A=from-base
RUN echo base $V
CMD ["base"]
FROM base AS dev
RUN echo dev $A
"#,
        expect![[r#"
            Bootstrap: docker
            From: ubuntu:22.04
            Stage: dev

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            cd /
            export V="1"
            export A="from-base"
            echo 'clusterls-step: Dockerfile line 4 RUN'
            /bin/sh -c 'echo base $V'
            unset V
            # Dockerfile stage `dev` (built on the one above)
            echo 'clusterls-step: Dockerfile line 7 RUN'
            /bin/sh -c 'echo dev $A'

            %environment
            export A="from-base"

            %runscript
            if [ "$#" -eq 0 ]; then set -- base; fi
            exec "$@"
        "#]],
    );
}

#[test]
fn args_defaults_and_build_args() {
    check_args(
        r#"ARG CUDA=11.8.0
ARG FLAVOR
FROM nvidia/cuda:${CUDA}-${FLAVOR:-runtime}-ubuntu22.04
ARG CUDA
ARG TORCH=2.3.0
ARG NOVALUE
RUN echo $CUDA $TORCH
ENV TV=torch-$TORCH
"#,
        &[("TORCH", "2.4.1"), ("FLAVOR", "devel")],
        expect![[r#"
            Bootstrap: docker
            From: nvidia/cuda:11.8.0-devel-ubuntu22.04
            Stage: stage0

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            cd /
            export CUDA="11.8.0"
            export TORCH="2.4.1"
            echo 'clusterls-step: Dockerfile line 7 RUN'
            /bin/sh -c 'echo $CUDA $TORCH'
            export TV="torch-2.4.1"

            %environment
            export TV="torch-2.4.1"
        "#]],
    );
}

#[test]
fn automatic_platform_args() {
    check(
        "FROM python:3.11\nARG TARGETARCH\nARG TARGETOS\nRUN echo $TARGETOS/$TARGETARCH\n",
        expect![[r#"
            Bootstrap: docker
            From: python:3.11
            Stage: stage0

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            cd /
            export TARGETARCH="$(uname -m | sed -e s/x86_64/amd64/ -e s/aarch64/arm64/)"
            export TARGETOS="linux"
            echo 'clusterls-step: Dockerfile line 4 RUN'
            /bin/sh -c 'echo $TARGETOS/$TARGETARCH'
        "#]],
    );
}

#[test]
fn from_without_a_value_for_its_arg() {
    check(
        r#"ARG BASE
FROM ${BASE}
RUN true
"#,
        expect![[r#"
            Bootstrap: docker
            From: ${BASE}
            Stage: stage0

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            cd /
            echo 'clusterls-step: Dockerfile line 3 RUN'
            /bin/sh -c 'true'
            --- findings
            2 `${BASE}` apptainer/convert-no-base-image (error): The base image `${BASE}` uses a build argument without a value, so the definition file names `${BASE}`. Give it with `--build-arg NAME=VALUE` or a default in `ARG NAME=VALUE` before the first FROM.
        "#]],
    );
}

#[test]
fn from_without_a_usable_image() {
    check(
        "FROM\nRUN true\n",
        expect![[r#"
            Bootstrap: docker
            From: 
            Stage: stage0

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            cd /
            echo 'clusterls-step: Dockerfile line 2 RUN'
            /bin/sh -c 'true'
            --- findings
            1 `FROM` apptainer/convert-no-base-image (error): FROM names no base image, so the definition file has none. Give the image to build on (e.g. `FROM python:3.11`).
        "#]],
    );
    check(
        "FROM 'two words'\n",
        expect![[r#"
        Bootstrap: docker
        From: twowords
        Stage: stage0
        --- findings
        1 `'two words'` apptainer/convert-no-base-image (error): `two words` is not an image reference (name[:tag][@digest]). Give the image to build on (e.g. `FROM python:3.11`).
    "#]],
    );
}

#[test]
fn env_forms_and_expansion() {
    check(
        r#"FROM python:3.11
ENV CONDA=/opt/conda PATH=/opt/conda/bin:$PATH
ENV LEGACY some value with spaces
ENV A=1 B=$A
ENV Q="it's \"quoted\"" D='$NOT_EXPANDED'
ENV my.var=1
RUN echo $Q
"#,
        expect![[r#"
            Bootstrap: docker
            From: python:3.11
            Stage: stage0

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            cd /
            export CONDA="/opt/conda" PATH="/opt/conda/bin:${PATH}"
            export LEGACY="some value with spaces"
            export A="1" B="${A}"
            export Q="it's \"quoted\"" D="\$NOT_EXPANDED"
            echo 'clusterls-step: Dockerfile line 7 RUN'
            /bin/sh -c 'echo $Q'

            %environment
            export CONDA="/opt/conda" PATH="/opt/conda/bin:${PATH}"
            export LEGACY="some value with spaces"
            export A="1" B="${A}"
            export Q="it's \"quoted\"" D="\$NOT_EXPANDED"
            --- findings
            6 `ENV` apptainer/convert-env-name (warning): `my.var` is not a name a shell can export, and Apptainer sets the environment with a shell script: it is left out. Use letters, digits and `_`.
        "#]],
    );
}

#[test]
fn workdir_and_relative_destinations() {
    check(
        r#"FROM python:3.11
WORKDIR app
WORKDIR src
COPY . .
COPY requirements.txt ../
RUN pip install -r ../requirements.txt
"#,
        expect![[r#"
            Bootstrap: docker
            From: python:3.11
            Stage: stage0

            %files
            . /.clusterls-context

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            [clusterls_copy]
            cd /
            mkdir -p /app && cd /app
            mkdir -p /app/src && cd /app/src
            echo 'clusterls-step: Dockerfile line 4 COPY'
            clusterls_copy '/.clusterls-context' '/app/src/'
            echo 'clusterls-step: Dockerfile line 5 COPY'
            clusterls_copy '/.clusterls-context/requirements.txt' '/app/'
            echo 'clusterls-step: Dockerfile line 6 RUN'
            /bin/sh -c 'pip install -r ../requirements.txt'
            rm -rf /.clusterls-context
            --- findings
            3 `WORKDIR` apptainer/workdir-ignored (info): `apptainer run` starts in WORKDIR `/app/src` (the runscript changes there), but `apptainer exec` and `shell` start in your current directory: pass `--pwd /app/src`, or `cd /app/src` in the job's command.
        "#]],
    );
}

#[test]
fn copy_forms() {
    check(
        r#"FROM python:3.11
COPY a.txt b.txt /opt/data
COPY ["with space.txt", "/opt/x y/"]
COPY src/*.py /app/
COPY --chown=1000:1000 --chmod=755 run.sh /usr/local/bin/run
COPY --link ./conf/ /etc/app
COPY ../outside.txt /opt/
RUN ls /opt
"#,
        expect![[r#"
            Bootstrap: docker
            From: python:3.11
            Stage: stage0

            %files
            . /.clusterls-context

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            [clusterls_copy]
            cd /
            echo 'clusterls-step: Dockerfile line 2 COPY'
            clusterls_copy '/.clusterls-context/a.txt' '/opt/data/'
            clusterls_copy '/.clusterls-context/b.txt' '/opt/data/'
            echo 'clusterls-step: Dockerfile line 3 COPY'
            clusterls_copy '/.clusterls-context/with space.txt' '/opt/x y/'
            echo 'clusterls-step: Dockerfile line 4 COPY'
            for f in '/.clusterls-context/src/'*'.py'; do clusterls_copy "$f" '/app/'; done
            echo 'clusterls-step: Dockerfile line 5 COPY'
            clusterls_copy '/.clusterls-context/run.sh' '/usr/local/bin/run' 755
            echo 'clusterls-step: Dockerfile line 6 COPY'
            clusterls_copy '/.clusterls-context/conf' '/etc/app'
            echo 'clusterls-step: Dockerfile line 7 COPY'
            clusterls_copy '/.clusterls-context/outside.txt' '/opt/'
            echo 'clusterls-step: Dockerfile line 8 RUN'
            /bin/sh -c 'ls /opt'
            rm -rf /.clusterls-context
            --- findings
            5 `--chown=1000:1000` apptainer/convert-chown (info): `--chown=1000:1000` is not applied: files in an Apptainer image belong to root and you run as your own user. Make them readable by all instead (`--chmod=a+rX`).
        "#]],
    );
}

#[test]
fn add_forms() {
    check(
        r#"FROM ubuntu:22.04
ADD . /opt/app/
ADD deps.tar.gz /opt/deps
ADD https://example.com/model.bin /models/
ADD --checksum=sha256:abc https://example.com/x.tgz /tmp/x.tgz
ADD git@github.com:org/repo.git /src
RUN ls /opt
"#,
        expect![[r#"
            Bootstrap: docker
            From: ubuntu:22.04
            Stage: stage0

            %files
            . /.clusterls-context

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            [clusterls_copy]
            [clusterls_add]
            [clusterls_fetch]
            cd /
            echo 'clusterls-step: Dockerfile line 2 ADD'
            clusterls_add '/.clusterls-context' '/opt/app/'
            echo 'clusterls-step: Dockerfile line 3 ADD'
            clusterls_add '/.clusterls-context/deps.tar.gz' '/opt/deps'
            echo 'clusterls-step: Dockerfile line 4 ADD'
            clusterls_fetch 'https://example.com/model.bin' '/models/'
            echo 'clusterls-step: Dockerfile line 5 ADD'
            clusterls_fetch 'https://example.com/x.tgz' '/tmp/x.tgz'
            echo 'clusterls-step: Dockerfile line 7 RUN'
            /bin/sh -c 'ls /opt'
            rm -rf /.clusterls-context
            --- findings
            3 `ADD` apptainer/convert-add-archive (info): `deps.tar.gz` looks like an archive: it is unpacked with the image's `tar` (which must exist, with its decompressor). Prefer COPY plus an explicit `RUN tar -xf`.
            4 `ADD` apptainer/convert-add-remote (warning): ADD of `https://example.com/model.bin` becomes a download with curl or wget in %post: the image needs one of them, and --checksum is not verified. An explicit `RUN curl -fsSL URL -o FILE` builds the same everywhere.
            5 `ADD` apptainer/convert-add-remote (warning): ADD of `https://example.com/x.tgz` becomes a download with curl or wget in %post: the image needs one of them, and --checksum is not verified. An explicit `RUN curl -fsSL URL -o FILE` builds the same everywhere.
            5 `--checksum=sha256:abc` apptainer/convert-copy-flag (warning): `--checksum` has no counterpart in the definition file and is not applied: verify it with `RUN sha256sum -c`.
            6 `ADD` apptainer/convert-add-remote (warning): ADD of `git@github.com:org/repo.git` is not converted: it is a git repository. Use `RUN git clone`.
        "#]],
    );
}

#[test]
fn run_keeps_lines_when_the_shell_joins_them_alike() {
    check(
        "FROM ubuntu:22.04
RUN apt-get update \\
    # a comment line Docker drops
    && apt-get install -y curl \\   
    && rm -rf /var/lib/apt/lists/*
RUN echo 'a \\
b'
RUN echo a # trailing \\
    && echo b
RUN echo a\\\\
    b
RUN [\"python3\", \"-c\", \"print('hi there')\"]
",
        expect![[r#"
            Bootstrap: docker
            From: ubuntu:22.04
            Stage: stage0

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            cd /
            echo 'clusterls-step: Dockerfile line 2 RUN'
            /bin/sh -c 'apt-get update \
                && apt-get install -y curl \
                && rm -rf /var/lib/apt/lists/*'
            echo 'clusterls-step: Dockerfile line 6 RUN'
            /bin/sh -c 'echo '\''a b'\'''
            echo 'clusterls-step: Dockerfile line 8 RUN'
            /bin/sh -c 'echo a # trailing     && echo b'
            echo 'clusterls-step: Dockerfile line 10 RUN'
            /bin/sh -c 'echo a\    b'
            echo 'clusterls-step: Dockerfile line 12 RUN'
            python3 -c 'print('\''hi there'\'')'
        "#]],
    );
}

#[test]
fn run_heredocs() {
    check(
        r#"FROM python:3.11
RUN <<EOF
apt-get update
apt-get install -y git
EOF
RUN <<'EOF'
#!/usr/bin/env python3
print("hello $USER")
EOF
RUN python3 <<EOF > /out.txt
print(1)
EOF
RUN <<-EOF
	echo tabs stripped
	EOF
"#,
        expect![[r#"
            Bootstrap: docker
            From: python:3.11
            Stage: stage0

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            cd /
            echo 'clusterls-step: Dockerfile line 2 RUN'
            /bin/sh -c 'apt-get update
            apt-get install -y git
            '
            echo 'clusterls-step: Dockerfile line 6 RUN'
            cat > /.clusterls-run <<'CLUSTERLS_EOF'
            #!/usr/bin/env python3
            print("hello $USER")
            CLUSTERLS_EOF
            chmod 755 /.clusterls-run && /.clusterls-run
            rm -f /.clusterls-run
            echo 'clusterls-step: Dockerfile line 10 RUN'
            /bin/sh -c 'python3 <<EOF > /out.txt
            print(1)
            EOF'
            echo 'clusterls-step: Dockerfile line 13 RUN'
            /bin/sh -c 'echo tabs stripped
            '
        "#]],
    );
}

#[test]
fn heredoc_without_terminator() {
    check(
        r#"FROM python:3.11
COPY <<EOF /x
cut off"#,
        expect![[r#"
            Bootstrap: docker
            From: python:3.11
            Stage: stage0

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            cd /
            echo 'clusterls-step: Dockerfile line 2 COPY'
            mkdir -p '/' && cat > '/x' <<'CLUSTERLS_EOF'
            cut off
            CLUSTERLS_EOF
            --- findings
            2 `COPY` apptainer/convert-heredoc (warning): This heredoc has no terminator line, so its body runs to the end of the file. Add the terminator line.
        "#]],
    );
    check(
        r#"FROM python:3.11
RUN <<EOF
echo never ends
"#,
        expect![[r#"
            Bootstrap: docker
            From: python:3.11
            Stage: stage0

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            cd /
            echo 'clusterls-step: Dockerfile line 2 RUN'
            /bin/sh -c 'echo never ends
            '
            --- findings
            2 `RUN` apptainer/convert-heredoc (warning): This heredoc has no terminator line, so its body runs to the end of the file. Add the terminator line.
        "#]],
    );
}

#[test]
fn copy_heredoc() {
    check(
        r#"FROM python:3.11
ARG NAME=world
COPY <<EOF /etc/greeting
hello $NAME
EOF
COPY <<'EOF' /opt/
literal $NAME
EOF
COPY --chmod=755 <<EOF /usr/local/bin/hello
#!/bin/sh
echo hello
EOF
RUN cat /etc/greeting /opt/EOF && hello
"#,
        expect![[r#"
            Bootstrap: docker
            From: python:3.11
            Stage: stage0

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            cd /
            export NAME="world"
            echo 'clusterls-step: Dockerfile line 3 COPY'
            mkdir -p '/etc' && cat > '/etc/greeting' <<'CLUSTERLS_EOF'
            hello world
            CLUSTERLS_EOF
            echo 'clusterls-step: Dockerfile line 6 COPY'
            mkdir -p '/opt' && cat > '/opt/EOF' <<'CLUSTERLS_EOF'
            literal $NAME
            CLUSTERLS_EOF
            echo 'clusterls-step: Dockerfile line 9 COPY'
            mkdir -p '/usr/local/bin' && cat > '/usr/local/bin/hello' <<'CLUSTERLS_EOF'
            #!/bin/sh
            echo hello
            CLUSTERLS_EOF
            chmod 755 '/usr/local/bin/hello'
            echo 'clusterls-step: Dockerfile line 13 RUN'
            /bin/sh -c 'cat /etc/greeting /opt/EOF && hello'
        "#]],
    );
}

#[test]
fn shell_instruction_applies_to_run_and_cmd() {
    check(
        r#"FROM ubuntu:22.04
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN curl -s x | tee y
CMD echo $HOME
"#,
        expect![[r#"
            Bootstrap: docker
            From: ubuntu:22.04
            Stage: stage0

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            cd /
            echo 'clusterls-step: Dockerfile line 3 RUN'
            /bin/bash -o pipefail -c 'curl -s x | tee y'

            %runscript
            if [ "$#" -eq 0 ]; then set -- /bin/bash -o pipefail -c 'echo $HOME'; fi
            exec "$@"
        "#]],
    );
}

#[test]
fn user_runs_as_root() {
    check(
        r#"FROM python:3.11
RUN useradd -m bob
USER bob
RUN pip install --user numpy
USER root
RUN echo root again
USER bob
"#,
        expect![[r#"
            Bootstrap: docker
            From: python:3.11
            Stage: stage0

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            cd /
            echo 'clusterls-step: Dockerfile line 2 RUN'
            /bin/sh -c 'useradd -m bob'
            echo 'clusterls-step: Dockerfile line 4 RUN'
            /bin/sh -c 'pip install --user numpy'
            echo 'clusterls-step: Dockerfile line 6 RUN'
            /bin/sh -c 'echo root again'
            --- findings
            3 `USER` apptainer/convert-run-as-root (warning): RUN after `USER bob` runs as root in the Apptainer build (a definition file cannot switch users): files it creates belong to root and ~ is /root. Install to system paths (/opt, /usr/local) and make files readable by all.
            3 `USER` apptainer/user-ignored (info): Apptainer ignores USER: the container runs as your own cluster user, not `bob`. Make what it needs readable by all (`chmod -R a+rX`) instead of owned by `bob`.
            7 `USER` apptainer/user-ignored (info): Apptainer ignores USER: the container runs as your own cluster user, not `bob`. Make what it needs readable by all (`chmod -R a+rX`) instead of owned by `bob`.
        "#]],
    );
}

#[test]
fn entrypoint_and_cmd_semantics() {
    check(
        r#"FROM python:3.11 AS a
ENTRYPOINT ["python3", "-m", "app"]
CMD ["--help"]
FROM a AS b
ENTRYPOINT ["/entry.sh"]
"#,
        expect![[r#"
            Bootstrap: docker
            From: python:3.11
            Stage: b

            %runscript
            exec /entry.sh "$@"
        "#]],
    );
    check(
        r#"FROM python:3.11
CMD ["--port", "80"]
ENTRYPOINT python3 serve.py
"#,
        expect![[r#"
            Bootstrap: docker
            From: python:3.11
            Stage: stage0

            %runscript
            if [ "$#" -eq 0 ]; then set -- --port 80; fi
            exec /bin/sh -c 'python3 serve.py' "$@"
        "#]],
    );
    check(
        r#"FROM python:3.11
WORKDIR /w
ENTRYPOINT ["tini", "--"]
CMD python3 train.py --epochs 3
"#,
        expect![[r#"
            Bootstrap: docker
            From: python:3.11
            Stage: stage0

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            cd /
            mkdir -p /w && cd /w

            %runscript
            cd /w
            if [ "$#" -eq 0 ]; then set -- /bin/sh -c 'python3 train.py --epochs 3'; fi
            exec tini -- "$@"
            --- findings
            2 `WORKDIR` apptainer/workdir-ignored (info): `apptainer run` starts in WORKDIR `/w` (the runscript changes there), but `apptainer exec` and `shell` start in your current directory: pass `--pwd /w`, or `cd /w` in the job's command.
        "#]],
    );
}

#[test]
fn labels() {
    check(
        r#"FROM python:3.11
MAINTAINER Ann <ann@example.com>
LABEL org.opencontainers.image.title="My image" version=1.0
LABEL "key with space"=x
"#,
        expect![[r#"
            Bootstrap: docker
            From: python:3.11
            Stage: stage0

            %labels
            maintainer Ann <ann@example.com>
            org.opencontainers.image.title My image
            version 1.0
            key_with_space x
            --- findings
            4 `LABEL` apptainer/convert-label (info): `%labels` holds one `NAME VALUE` per line: label `key with space` is written as `key_with_space` with line breaks in its value turned into spaces.
        "#]],
    );
}

#[test]
fn runtime_only_instructions() {
    check(
        r#"FROM python:3.11
EXPOSE 8080
VOLUME /data
HEALTHCHECK CMD curl -f http://localhost/ || exit 1
STOPSIGNAL SIGINT
ONBUILD RUN echo later
RUN true
"#,
        expect![[r#"
            Bootstrap: docker
            From: python:3.11
            Stage: stage0

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            cd /
            echo 'clusterls-step: Dockerfile line 7 RUN'
            /bin/sh -c 'true'
            --- findings
            2 `EXPOSE` apptainer/expose-no-effect (info): EXPOSE has no effect under Apptainer: the container uses the node's network directly, so a server listens on the node's port (pick a free one per job).
            3 `VOLUME` apptainer/volume-no-effect (info): VOLUME has no effect under Apptainer, and the image is read-only: bind a host directory there with `--bind /host/dir:/path`.
            4 `HEALTHCHECK` apptainer/healthcheck-no-effect (info): HEALTHCHECK has no effect under Apptainer (nothing runs it); check the job from the script or Slurm instead.
            5 `STOPSIGNAL` apptainer/stopsignal-no-effect (info): STOPSIGNAL has no effect under Apptainer: Slurm sends SIGTERM (then SIGKILL) at the time limit; use `#SBATCH --signal=` to get an earlier signal.
            6 `ONBUILD` apptainer/convert-onbuild (info): ONBUILD is dropped: a SIF image has no triggers for images built from it. Put these steps in the Dockerfiles that build on this image.
        "#]],
    );
}

#[test]
fn run_flags() {
    check(
        r#"FROM python:3.11
RUN --mount=type=cache,target=/root/.cache/pip pip install numpy
RUN --mount=type=secret,id=token cat /run/secrets/token
RUN --network=none make test
"#,
        expect![[r#"
            Bootstrap: docker
            From: python:3.11
            Stage: stage0

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            cd /
            echo 'clusterls-step: Dockerfile line 2 RUN'
            /bin/sh -c 'pip install numpy'
            echo 'clusterls-step: Dockerfile line 3 RUN'
            /bin/sh -c 'cat /run/secrets/token'
            echo 'clusterls-step: Dockerfile line 4 RUN'
            /bin/sh -c 'make test'
            --- findings
            3 `--mount=type=secret,id=token` apptainer/convert-run-flag (warning): `--mount=type=secret,id=token` is dropped: Apptainer's %post has no secret mounts, so the command runs without it. Copy what it needs with COPY, or pass secrets at run time.
            4 `--network=none` apptainer/convert-run-flag (warning): `--network=none` is dropped: the command runs with the build's normal network and privileges.
        "#]],
    );
}

#[test]
fn from_platform() {
    check(
        "FROM --platform=linux/amd64 python:3.11\nRUN true\n",
        expect![[r#"
            Bootstrap: docker
            From: python:3.11
            Stage: stage0

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            cd /
            echo 'clusterls-step: Dockerfile line 2 RUN'
            /bin/sh -c 'true'
            --- findings
            1 `--platform=linux/amd64` apptainer/convert-platform (info): Apptainer ignores `--platform=linux/amd64`: it pulls the image for the build host's architecture. Build on a node of that architecture or pass `--arch` to `apptainer build`.
        "#]],
    );
}

#[test]
fn stage_without_run_uses_plain_files() {
    check(
        r#"FROM python:3.11 AS build
RUN pip wheel -w /wheels numpy
FROM gcr.io/distroless/python3
WORKDIR /app
COPY --from=build /wheels /wheels
COPY app.py .
ADD https://example.com/x /x
CMD ["app.py"]
"#,
        expect![[r#"
            Bootstrap: docker
            From: python:3.11
            Stage: build

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            cd /
            echo 'clusterls-step: Dockerfile line 2 RUN'
            /bin/sh -c 'pip wheel -w /wheels numpy'

            Bootstrap: docker
            From: gcr.io/distroless/python3
            Stage: stage1

            %files
            app.py /app/

            %files from build
            /wheels /wheels

            %runscript
            cd /app
            if [ "$#" -eq 0 ]; then set -- app.py; fi
            exec "$@"
            --- findings
            4 `WORKDIR` apptainer/workdir-ignored (info): `apptainer run` starts in WORKDIR `/app` (the runscript changes there), but `apptainer exec` and `shell` start in your current directory: pass `--pwd /app`, or `cd /app` in the job's command.
            5 `COPY` apptainer/convert-no-shell (info): This stage's image has no shell (scratch or distroless, and no RUN), so the files are copied with plain `%files` lines. Apptainer copies like `cp -r`: a directory copied onto an existing directory lands inside it instead of merging.
            7 `ADD` apptainer/convert-add-remote (warning): ADD of `https://example.com/x` is not converted: it is a download in a stage without RUN (no shell to run curl). Use a download with `RUN curl -fsSL URL -o FILE` in a stage that has a shell, then COPY --from.
        "#]],
    );
}

#[test]
fn scratch() {
    check(
        "FROM scratch\nCOPY hello /\nCMD [\"/hello\"]\n",
        expect![[r#"
            Bootstrap: scratch
            Stage: stage0

            %files
            hello /

            %runscript
            if [ "$#" -eq 0 ]; then set -- /hello; fi
            exec "$@"
            --- findings
            2 `COPY` apptainer/convert-no-shell (info): This stage's image has no shell (scratch or distroless, and no RUN), so the files are copied with plain `%files` lines. Apptainer copies like `cp -r`: a directory copied onto an existing directory lands inside it instead of merging.
        "#]],
    );
}

#[test]
fn copy_from_an_image() {
    check(
        r#"FROM python:3.11
COPY --from=ghcr.io/astral-sh/uv:0.4 /uv /bin/uv
COPY --from=ghcr.io/astral-sh/uv:0.4 /uvx /bin/uvx
RUN uv --version
"#,
        expect![[r#"
            Bootstrap: docker
            From: ghcr.io/astral-sh/uv:0.4
            Stage: image0

            Bootstrap: docker
            From: python:3.11
            Stage: stage0

            %files from image0
            /uv /.clusterls-from/1/
            /uvx /.clusterls-from/2/

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            [clusterls_copy]
            cd /
            echo 'clusterls-step: Dockerfile line 2 COPY'
            clusterls_copy '/.clusterls-from/1/uv' '/bin/uv'
            echo 'clusterls-step: Dockerfile line 3 COPY'
            clusterls_copy '/.clusterls-from/2/uvx' '/bin/uvx'
            echo 'clusterls-step: Dockerfile line 4 RUN'
            /bin/sh -c 'uv --version'
            rm -rf /.clusterls-from
            --- findings
            2 `--from=ghcr.io/astral-sh/uv:0.4` apptainer/convert-copy-from-image (info): `ghcr.io/astral-sh/uv:0.4` is not a stage of this Dockerfile: the definition file pulls it as the extra stage `image0` and copies from there (symbolic links are followed).
            3 `--from=ghcr.io/astral-sh/uv:0.4` apptainer/convert-copy-from-image (info): `ghcr.io/astral-sh/uv:0.4` is not a stage of this Dockerfile: the definition file pulls it as the extra stage `image0` and copies from there (symbolic links are followed).
        "#]],
    );
}

#[test]
fn script_lines_that_look_like_sections() {
    let text = r#"FROM python:3.11
RUN cat > /x <<EOF
%post
Bootstrap: docker
EOF
"#;
    let c = convert::convert(text, &[]);
    let codes: Vec<&str> = c.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, [codes::SCRIPT_LINE.code]);
    // The reader sees what Apptainer would: extra sections, so the round trip fails.
    assert!(round_trip(&c).is_err());
}

#[test]
fn hostile_names_are_quoted() {
    check(
        r#"FROM python:3.11
WORKDIR /it's $(here)
COPY ["a;b $(rm -rf x).txt", "/opt/`x`/"]
ENV X="$(touch /pwned)" Y='`id`'
RUN echo "$X"
"#,
        expect![[r#"
            Bootstrap: docker
            From: python:3.11
            Stage: stage0

            %files
            . /.clusterls-context

            %post
            set -e
            # The base image's ENV, as Docker's RUN sees it.
            if [ -f /.singularity.d/env/10-docker2singularity.sh ]; then . /.singularity.d/env/10-docker2singularity.sh; fi
            [clusterls_copy]
            cd /
            mkdir -p '/its $(here)' && cd '/its $(here)'
            echo 'clusterls-step: Dockerfile line 3 COPY'
            clusterls_copy '/.clusterls-context/a;b $(rm -rf x).txt' '/opt/`x`/'
            export X="\$(touch /pwned)" Y="\`id\`"
            echo 'clusterls-step: Dockerfile line 5 RUN'
            /bin/sh -c 'echo "$X"'
            rm -rf /.clusterls-context

            %environment
            export X="\$(touch /pwned)" Y="\`id\`"
            --- findings
            2 `WORKDIR` apptainer/workdir-ignored (info): `apptainer run` starts in WORKDIR `/its $(here)` (the runscript changes there), but `apptainer exec` and `shell` start in your current directory: pass `--pwd /its $(here)`, or `cd /its $(here)` in the job's command.
        "#]],
    );
}

#[test]
fn failed_step_names_the_line() {
    let log = "+ apt-get update\nclusterls-step: Dockerfile line 4 RUN\nok\nclusterls-step: Dockerfile line 9 RUN\nE: boom\nFATAL: failed\n";
    assert_eq!(convert::failed_step(log), Some(9));
    assert_eq!(convert::failed_step("nothing"), None);
}

#[test]
fn the_converters_rules_are_documented() {
    let own: Vec<_> =
        rules::RULES.iter().filter(|r| r.code.starts_with("apptainer/convert-")).collect();
    assert_eq!(own.len(), 16);
    for r in own {
        assert!(r.summary.ends_with('.') && r.explanation.len() > 80, "{}", r.code);
    }
}

/// The checker's codes the converter reuses are reported by the checker too, on the same
/// spans, so the two sets of findings can be merged by (code, range).
#[test]
fn reused_codes_match_the_checker() {
    let text = "FROM python:3.11\nUSER bob\nWORKDIR /app\nEXPOSE 80\nVOLUME /data\nHEALTHCHECK CMD true\nSTOPSIGNAL SIGINT\n";
    let checker = clusterls_dockerfile::check(text, None);
    let converter = convert::convert(text, &[]).findings;
    let mut reused: Vec<&str> = converter
        .iter()
        .map(|f| f.code.as_str())
        .filter(|c| !c.starts_with("apptainer/convert-"))
        .collect();
    reused.sort_unstable();
    reused.dedup();
    assert_eq!(
        reused,
        [
            "apptainer/expose-no-effect",
            "apptainer/healthcheck-no-effect",
            "apptainer/stopsignal-no-effect",
            "apptainer/user-ignored",
            "apptainer/volume-no-effect",
            "apptainer/workdir-ignored",
        ]
    );
    for code in reused {
        let a: Vec<_> = checker.iter().filter(|f| f.code == code).map(|f| &f.range).collect();
        let b: Vec<_> = converter.iter().filter(|f| f.code == code).map(|f| &f.range).collect();
        assert!(!a.is_empty() && a == b, "{code}: checker {a:?}, converter {b:?}");
    }
}

/// The whole Dockerfile corpus (tests/data/dockerfiles): every file converts without
/// panicking and reads back cleanly, and every construct that has no faithful
/// counterpart in the last stage got its finding. The summary, the per-line findings
/// and the output for a sample of files are snapshots.
#[test]
fn corpus() {
    use clusterls_dockerfile::{Kind, parse};
    use std::collections::BTreeMap;

    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/data/dockerfiles");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    assert!(files.len() >= 200, "the corpus has {} files", files.len());
    let mut per_code: BTreeMap<String, usize> = BTreeMap::new();
    let (mut stages, mut multi, mut context, mut clean, mut lines) = (0, 0, 0, 0, 0);
    let mut listing = String::new();
    let mut missing = Vec::new();
    let mut sample = String::new();
    for (k, p) in files.iter().enumerate() {
        let text = std::fs::read_to_string(p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let c = convert::convert(&text, &[]);
        stages += c.stages.len();
        multi += usize::from(c.stages.len() > 1);
        context += usize::from(c.uses_context);
        lines += c.definition.lines().count();
        // The full output of the hand-written files and every 20th generated one.
        if !name.starts_with("gen-") || k % 20 == 0 {
            sample += &format!("=== {name}\n{}\n", render(&text, &c));
        }
        match round_trip(&c) {
            Ok(()) => clean += 1,
            Err(e) => assert!(
                c.findings.iter().any(|f| f.code == codes::SCRIPT_LINE.code),
                "{name}: {e}\n{}",
                c.definition
            ),
        }
        for f in &c.findings {
            *per_code.entry(f.code.clone()).or_default() += 1;
            let line = text[..f.range.start].matches('\n').count() + 1;
            listing += &format!("{name}:{line} {}\n", f.code);
        }
        // An independent oracle on the AST: what the last stage does that Apptainer
        // cannot, each must have its finding on that instruction.
        let df = parse(&text);
        let Some(last) = df.stages.len().checked_sub(1) else { continue };
        let insts = df.stage_instructions(last);
        let last_health = insts.iter().rposition(|i| i.kind == Kind::Healthcheck);
        for (n, inst) in insts.iter().enumerate() {
            let arg = inst.args.text.trim();
            let flag = |n: &str| inst.flag(n).and_then(|f| f.value.clone());
            let mut want: Vec<&str> = Vec::new();
            match inst.kind {
                Kind::Expose => want.push("apptainer/expose-no-effect"),
                Kind::Volume => want.push("apptainer/volume-no-effect"),
                Kind::Stopsignal => want.push("apptainer/stopsignal-no-effect"),
                Kind::Onbuild => want.push(codes::ONBUILD.code),
                Kind::Healthcheck
                    if Some(n) == last_health && !arg.eq_ignore_ascii_case("none") =>
                {
                    want.push("apptainer/healthcheck-no-effect")
                }
                Kind::User if !matches!(arg, "root" | "0" | "root:root" | "0:0") => {
                    want.push("apptainer/user-ignored")
                }
                Kind::Run if flag("mount").is_some_and(|m| !m.contains("type=cache")) => {
                    want.push(codes::RUN_FLAG.code)
                }
                Kind::Copy | Kind::Add => {
                    if flag("chown").is_some() {
                        want.push(codes::CHOWN.code);
                    }
                    if flag("chmod").is_some() {
                        want.push(codes::COPY_FLAG.code);
                    }
                    if let Some(from) = flag("from")
                        && !df.stages.iter().any(|s| {
                            s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(&from))
                        })
                        && from.parse::<usize>().is_err()
                    {
                        want.push(codes::COPY_FROM_IMAGE.code);
                    }
                    if inst.kind == Kind::Add && arg.contains("://") {
                        want.push(codes::ADD_REMOTE.code);
                    }
                }
                _ => {}
            }
            for code in want {
                if !c.findings.iter().any(|f| f.code == code && inst.span.contains(&f.range.start))
                {
                    missing.push(format!("{name}: `{}` has no {code}", inst.keyword));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
    let mut summary = format!(
        "files {}, read back cleanly {clean}, stages written {stages}, multi-stage {multi}, \
         copying the build context {context}, definition lines {lines}\n",
        files.len()
    );
    for (code, n) in &per_code {
        summary += &format!("{n:5} {code}\n");
    }
    expect![[r#"
        files 249, read back cleanly 249, stages written 314, multi-stage 65, copying the build context 187, definition lines 12572
            4 apptainer/convert-base-workdir
            1 apptainer/convert-chown
           13 apptainer/convert-copy-from-image
            1 apptainer/convert-no-shell
            2 apptainer/convert-onbuild
           11 apptainer/convert-run-as-root
           52 apptainer/expose-no-effect
            2 apptainer/healthcheck-no-effect
            1 apptainer/stopsignal-no-effect
           57 apptainer/user-ignored
           31 apptainer/volume-no-effect
          197 apptainer/workdir-ignored
    "#]].assert_eq(&summary);
    expect_test::expect_file!["convert_corpus_findings.txt"].assert_eq(&listing);
    expect_test::expect_file!["convert_corpus_sample.txt"].assert_eq(&sample);
}

/// Random and mutated Dockerfiles: never a panic, and the output reads back cleanly
/// unless a finding says why not (a script line that looks like a section, or no base
/// image: an error, so the build is refused).
#[test]
fn random_dockerfiles_convert_and_read_back() {
    let mut rng = fuzz_support::Rng::new(11);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/data/dockerfiles");
    let mut corpus: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    corpus.sort();
    let mut texts = Vec::new();
    for k in 0..600 {
        let t = fuzz_support::generate(&mut rng);
        texts.push(fuzz_support::mutate(&mut rng, &t));
        texts.push(t);
        let base = &corpus[k % corpus.len()];
        texts.push(fuzz_support::mutate(&mut rng, base));
    }
    for (k, t) in texts.iter().enumerate() {
        let c = convert::convert(t, &[("A".into(), "x".into())]);
        if k % 4 == 0
            && let Err(e) = scripts_parse(&c.definition)
        {
            panic!("{e}\n--- Dockerfile\n{t}");
        }
        if let Err(e) = round_trip(&c)
            && !explained(&c)
        {
            panic!("{e}\n--- Dockerfile\n{t}\n--- definition\n{}", c.definition);
        }
        for f in &c.findings {
            assert!(t.is_char_boundary(f.range.start) && t.is_char_boundary(f.range.end));
            assert!(f.range.start <= f.range.end && f.range.end <= t.len());
        }
    }
}

/// `sh -n` on every script section (`%post`, `%runscript`, `%environment`): our quoting
/// and heredocs make valid POSIX shell. A missing `sh` fails the test.
fn scripts_parse(definition: &str) -> Result<usize, String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut n = 0;
    for st in deffile::parse(definition).stages {
        for s in st
            .sections
            .iter()
            .filter(|s| matches!(s.name.as_str(), "post" | "runscript" | "environment"))
        {
            let mut child = Command::new("sh")
                .arg("-n")
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("sh runs (the test needs a POSIX shell)");
            child.stdin.take().unwrap().write_all(s.body.as_bytes()).unwrap();
            let out = child.wait_with_output().unwrap();
            if !out.status.success() {
                return Err(format!(
                    "%{} does not parse: {}\n{}",
                    s.name,
                    String::from_utf8_lossy(&out.stderr),
                    s.body
                ));
            }
            n += 1;
        }
    }
    Ok(n)
}

/// Every script section the converter writes for the corpus is valid shell.
#[test]
fn corpus_scripts_are_valid_shell() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/data/dockerfiles");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    let mut checked = 0;
    for p in &files {
        let text = std::fs::read_to_string(p).unwrap();
        let c = convert::convert(&text, &[]);
        checked += scripts_parse(&c.definition).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }
    assert!(checked > 300, "only {checked} sections checked");
}

/// The shell helpers the definition uses for COPY and ADD follow Docker's rules, run for
/// real in a scratch directory: a directory's contents merge into the destination, a
/// file goes into `dest/` or an existing directory, else becomes `dest`; ADD unpacks a
/// tar archive (decided by content) and copies anything else.
#[test]
fn copy_helpers_follow_dockers_rules() {
    let c = convert::convert("FROM x\nADD a /b\nRUN true\n", &[]);
    let mut helpers = String::new();
    let mut inside = false;
    for l in c.definition.lines() {
        inside |= l.starts_with("clusterls_copy() {") || l.starts_with("clusterls_add() {");
        if inside {
            helpers += l;
            helpers.push('\n');
        }
        inside &= l != "}";
    }
    let dir = std::env::temp_dir().join(format!("clusterls-convert-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let script = format!(
        r#"set -e
{helpers}
mkdir -p ctx/dir/sub && echo f > ctx/dir/sub/f && echo a > ctx/a.txt
tar -cf ctx/pack.tar -C ctx dir
clusterls_copy ctx/dir out1
mkdir -p out2/keep && echo k > out2/keep/k && clusterls_copy ctx/dir out2
clusterls_copy ctx/a.txt out3/
clusterls_copy ctx/a.txt out4/renamed.txt
mkdir out5 && clusterls_copy ctx/a.txt out5
clusterls_add ctx/pack.tar out6
clusterls_add ctx/a.txt out7/
clusterls_copy ctx/a.txt out8/x.sh 755
clusterls_copy ctx/dir out9 700
find out* -type f | sort
stat -c '%a %n' out8/x.sh out9/sub out9/sub/f
"#
    );
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(&dir)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("sh runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    expect![[r#"
        out1/sub/f
        out2/keep/k
        out2/sub/f
        out3/a.txt
        out4/renamed.txt
        out5/a.txt
        out6/dir/sub/f
        out7/a.txt
        out8/x.sh
        out9/sub/f
        755 out8/x.sh
        700 out9/sub
        700 out9/sub/f
    "#]]
    .assert_eq(&String::from_utf8_lossy(&out.stdout));
}
