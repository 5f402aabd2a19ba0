//! Data-driven tests of the checks: one small Dockerfile per case, and the findings
//! rendered as `line: code [severity] "underlined text": message`, each fix as the
//! text it would produce around the edit.

use clusterls_core::CodeFilter;
use clusterls_core::{ClusterFacts, Finding};
use clusterls_dockerfile::check_with;
use expect_test::{Expect, expect};

fn render(text: &str, findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let line = text[..f.range.start].matches('\n').count() + 1;
        out += &format!(
            "{line}: {} [{}] {:?}: {}\n",
            f.code,
            f.severity.as_str(),
            &text[f.range.clone()],
            f.message
        );
        for fix in &f.fixes {
            let mut fixed = text.to_string();
            let mut edits = fix.edits.clone();
            edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
            for e in &edits {
                fixed.replace_range(e.range.clone(), &e.replacement);
            }
            out += &format!("  fix {:?} => {:?}\n", fix.title, fixed);
        }
    }
    out
}

/// Only the findings whose code starts with `only` (so each case shows its rule).
#[track_caller]
fn check(only: &str, text: &str, expect: Expect) {
    check_facts(only, text, None, expect);
}

#[track_caller]
fn check_facts(only: &str, text: &str, facts: Option<&ClusterFacts>, expect: Expect) {
    let mut f = check_with(text, facts, &CodeFilter::default());
    f.retain(|f| f.code.starts_with(only));
    expect.assert_eq(&render(text, &f));
}

fn driver(v: &str) -> ClusterFacts {
    ClusterFacts { gpu_driver: Some(v.into()), ..Default::default() }
}

#[test]
fn unknown_instruction() {
    check(
        "docker/unknown-instruction",
        "FROM a:1\nRUNN echo\n",
        expect![[r#"
        2: docker/unknown-instruction [error] "RUNN": `RUNN` is not a Dockerfile instruction; did you mean `RUN`?
          fix "Change to `RUN`" => "FROM a:1\nRUN echo\n"
    "#]],
    );
    check(
        "docker/unknown-instruction",
        "FROM a:1\ncopy a b\nFOO bar\n",
        expect![[r#"
        3: docker/unknown-instruction [error] "FOO": `FOO` is not a Dockerfile instruction. Instructions are FROM, RUN, COPY, ADD, ENV, ARG, WORKDIR, CMD, ENTRYPOINT, ...
    "#]],
    );
}

#[test]
fn no_from() {
    check(
        "docker/no-from",
        "RUN echo\n",
        expect![[r#"
        1: docker/no-from [error] "RUN": The Dockerfile has no FROM: start it with `FROM <image>:<tag>`.
    "#]],
    );
    check(
        "docker/no-from",
        "",
        expect![[r#"
        1: docker/no-from [error] "": The Dockerfile has no FROM: start it with `FROM <image>:<tag>`.
    "#]],
    );
    check(
        "docker/instruction-before-from",
        "ARG V=1\nENV A=b\nFROM a:$V\n",
        expect![[r#"
        2: docker/instruction-before-from [error] "ENV": ENV before the first FROM: only ARG may come before FROM. Move it after FROM.
    "#]],
    );
}

#[test]
fn argument_counts() {
    check(
        "docker/argument-count",
        "FROM\n",
        expect![[r#"
        1: docker/argument-count [error] "FROM": FROM needs an image: `FROM <image>:<tag> [AS <name>]`.
    "#]],
    );
    check(
        "docker/argument-count",
        "FROM a:1 AS\nFROM b:1 c\n",
        expect![[r#"
        1: docker/argument-count [error] "AS": FROM takes `<image> [AS <name>]`; remove the extra words.
        2: docker/argument-count [error] "c": FROM takes `<image> [AS <name>]`; remove the extra words.
    "#]],
    );
    check(
        "docker/argument-count",
        "FROM a:1\nCOPY onlyone\nUSER a b\nENV X\nWORKDIR\n",
        expect![[r#"
        2: docker/argument-count [error] "COPY": COPY needs a source and a destination: `<src>... <dest>`.
        3: docker/argument-count [error] "USER": USER needs exactly one argument.
        4: docker/argument-count [error] "ENV": ENV X has no value: write `ENV X=<value>`.
        5: docker/argument-count [error] "WORKDIR": WORKDIR needs a path.
    "#]],
    );
    check(
        "docker/argument-count",
        "FROM a:1\nSHELL /bin/bash -c\nONBUILD\n",
        expect![[r#"
        2: docker/argument-count [error] "SHELL": SHELL must be a JSON array, e.g. `SHELL ["/bin/bash", "-o", "pipefail", "-c"]`.
        3: docker/argument-count [error] "ONBUILD": ONBUILD needs an instruction to register, e.g. `ONBUILD COPY . /app`.
    "#]],
    );
}

#[test]
fn flags() {
    check(
        "docker/unknown-flag",
        "FROM a:1\nCOPY --form=build /a /b\nENV --x=1 A=b\n",
        expect![[r#"
        2: docker/unknown-flag [error] "form": COPY has no flag `--form`; it takes --from, --chown, --chmod, --link, --parents, --exclude.
        3: docker/unknown-flag [error] "x": ENV takes no flags; remove `--x`.
    "#]],
    );
    check(
        "docker/duplicate-flag",
        "FROM a:1\nCOPY --chown=1 --chown=2 a b\nRUN --mount=type=cache,target=/a --mount=type=cache,target=/b make\n",
        expect![[r#"
        2: docker/duplicate-flag [error] "--chown=2": `--chown` is given twice; keep one.
          fix "Remove this flag" => "FROM a:1\nCOPY --chown=1 a b\nRUN --mount=type=cache,target=/a --mount=type=cache,target=/b make\n"
    "#]],
    );
    check(
        "docker/flag-missing-value",
        "FROM a:1\nCOPY --from a b\nCOPY --link a b\n",
        expect![[r#"
        2: docker/flag-missing-value [error] "--from": `--from` needs a value: `--from=<value>`.
    "#]],
    );
}

#[test]
fn values() {
    check(
        "docker/invalid-duration",
        "FROM a:1\nHEALTHCHECK --interval=30 --timeout=1m30s CMD true\n",
        expect![[r#"
        2: docker/invalid-duration [error] "30": `30` is not a duration: write a number with a unit, e.g. `30s`, `1m30s`, `500ms`.
    "#]],
    );
    check(
        "docker/invalid-retries",
        "FROM a:1\nHEALTHCHECK --retries=0 CMD true\n",
        expect![[r#"
        2: docker/invalid-retries [error] "0": `--retries=0`: write a positive whole number, e.g. `--retries=3`.
    "#]],
    );
    check(
        "docker/invalid-port",
        "FROM a:1\nEXPOSE 80 8080/tcp 53/udp 70000 80/http 8000-8010 $PORT\n",
        expect![[r#"
        2: docker/invalid-port [error] "70000": `70000` is not a port: write `<port>[/tcp|/udp|/sctp]` (0-65535) or a range `8000-8010`.
        2: docker/invalid-port [error] "80/http": `80/http` is not a port: write `<port>[/tcp|/udp|/sctp]` (0-65535) or a range `8000-8010`.
    "#]],
    );
    check(
        "docker/invalid-signal",
        "FROM a:1\nSTOPSIGNAL SIGTERM\nSTOPSIGNAL 9\nSTOPSIGNAL KILLME\n",
        expect![[r#"
        4: docker/invalid-signal [error] "KILLME": `KILLME` is not a signal: use a name such as SIGTERM or SIGINT, or a number.
    "#]],
    );
    check(
        "docker/invalid-healthcheck",
        "FROM a:1\nHEALTHCHECK curl x\nHEALTHCHECK NONE\n",
        expect![[r#"
        2: docker/invalid-healthcheck [error] "HEALTHCHECK": HEALTHCHECK takes `NONE` or `CMD <command>`, e.g. `HEALTHCHECK CMD curl -f http://localhost/ || exit 1`.
    "#]],
    );
}

#[test]
fn stages() {
    check(
        "docker/invalid-stage-name",
        "FROM a:1 AS 1st\nFROM a:1 AS ok_name.v2\nFROM a:1 AS scratch\n",
        expect![[r#"
            1: docker/invalid-stage-name [error] "1st": `1st` is not a valid stage name: start with a letter and use only letters, digits, `-`, `_` and `.`.
            3: docker/invalid-stage-name [error] "scratch": `scratch` is a reserved name (BuildKit uses it for the empty image / the build context); name the stage differently.
        "#]],
    );
    check(
        "docker/duplicate-stage-name",
        "FROM a:1 AS build\nFROM b:1 AS Build\n",
        expect![[r#"
        2: docker/duplicate-stage-name [error] "Build": Stage `Build` is already defined on line 1; give this stage another name.
    "#]],
    );
    check(
        "docker/copy-from",
        "FROM a:1 AS builder\nFROM b:1 AS app\nCOPY --from=biulder /x /y\nCOPY --from=app /x /y\nCOPY --from=later /x /y\nCOPY --from=0 /x /y\nCOPY --from=5 /x /y\nCOPY --from=nginx:1.25 /x /y\nFROM c:1 AS later\n",
        expect![[r#"
            3: docker/copy-from-unknown-stage [warning] "biulder": No earlier stage is named `biulder`, so Docker will pull an image called `biulder`. Name a stage `AS biulder`, or write the image with its tag.
              fix "Change to `builder`" => "FROM a:1 AS builder\nFROM b:1 AS app\nCOPY --from=builder /x /y\nCOPY --from=app /x /y\nCOPY --from=later /x /y\nCOPY --from=0 /x /y\nCOPY --from=5 /x /y\nCOPY --from=nginx:1.25 /x /y\nFROM c:1 AS later\n"
            4: docker/copy-from-self [error] "app": `--from=app` names the stage this COPY is in; copy from an earlier stage.
            5: docker/copy-from-unknown-stage [warning] "later": Stage `later` is defined later (line 9); COPY --from can only use earlier stages. Move that stage up.
            7: docker/copy-from-unknown-stage [warning] "5": `--from=5` must name an earlier stage, 0 to 0; stages are numbered from 0 in order.
        "#]],
    );
}

#[test]
fn workdir() {
    check(
        "docker/relative-workdir",
        "FROM a:1\nWORKDIR app\nWORKDIR /app\nWORKDIR $HOME/x\n",
        expect![[r#"
        2: docker/relative-workdir [warning] "app": WORKDIR `app` is relative to the previous WORKDIR; write an absolute path such as `/app`.
    "#]],
    );
}

#[test]
fn multiple_per_stage() {
    check(
        "docker/multiple-",
        "FROM a:1\nCMD [\"a\"]\nENTRYPOINT [\"x\"]\nCMD [\"b\"]\nFROM b:1\nCMD [\"c\"]\n",
        expect![[r#"
        2: docker/multiple-cmd [warning] "CMD": This CMD is overridden by the one on line 4: only the last in a stage takes effect. Delete this one.
          fix "Delete this line" => "FROM a:1\nENTRYPOINT [\"x\"]\nCMD [\"b\"]\nFROM b:1\nCMD [\"c\"]\n"
    "#]],
    );
}

#[test]
fn maintainer() {
    check(
        "docker/maintainer",
        "FROM a:1\nMAINTAINER Jane \"JD\" Doe\n",
        expect![[r#"
        2: docker/maintainer-deprecated [warning] "MAINTAINER": MAINTAINER is deprecated; use `LABEL maintainer="..."`.
          fix "Use LABEL maintainer" => "FROM a:1\nLABEL maintainer=\"Jane \\\"JD\\\" Doe\"\n"
    "#]],
    );
}

#[test]
fn json_form() {
    check(
        "docker/json-single-quotes",
        "FROM a:1\nCMD ['python', 'x.py']\nENTRYPOINT [\"ok\"]\n",
        expect![[r#"
        2: docker/json-single-quotes [error] "['python', 'x.py']": JSON form needs double quotes: as written Docker runs `['python', 'x.py']` through /bin/sh -c. Use `"` around each item.
          fix "Use double quotes" => "FROM a:1\nCMD [\"python\", \"x.py\"]\nENTRYPOINT [\"ok\"]\n"
    "#]],
    );
    check(
        "docker/exec-form",
        "FROM a:1\nCMD python train.py --lr 3e-4\nENTRYPOINT exec \"$@\"\n",
        expect![[r#"
        2: docker/exec-form-recommended [info] "CMD": CMD in shell form runs under /bin/sh -c, which does not pass signals (docker stop, Slurm's SIGTERM) to your program. Use the JSON form.
          fix "Use the JSON form" => "FROM a:1\nCMD [\"python\", \"train.py\", \"--lr\", \"3e-4\"]\nENTRYPOINT exec \"$@\"\n"
        3: docker/exec-form-recommended [info] "ENTRYPOINT": ENTRYPOINT in shell form runs under /bin/sh -c, which does not pass signals (docker stop, Slurm's SIGTERM) to your program. Use the JSON form.
    "#]],
    );
}

#[test]
fn continuation_and_casing() {
    check(
        "docker/empty-continuation-line",
        "FROM a:1\nRUN echo a \\\n\n  && echo b\n",
        expect![[r#"
        3: docker/empty-continuation-line [warning] "": Empty line inside a continued instruction: BuildKit skips it but warns, and it will become an error. Delete it.
          fix "Delete the empty line" => "FROM a:1\nRUN echo a \\\n  && echo b\n"
    "#]],
    );
    check(
        "docker/inconsistent-casing",
        "FROM a:1 as b\nRUN x\nrun y\nCOPY a b\n",
        expect![[r#"
        1: docker/inconsistent-casing [warning] "as": `as` does not match the casing of `FROM`; write `AS`.
          fix "Write `AS`" => "FROM a:1 AS b\nRUN x\nrun y\nCOPY a b\n"
        3: docker/inconsistent-casing [warning] "run": `run` differs from the casing of the other instructions; write `RUN`.
          fix "Write `RUN`" => "FROM a:1 as b\nRUN x\nRUN y\nCOPY a b\n"
    "#]],
    );
    check(
        "docker/inconsistent-casing",
        "from a:1 AS b\nrun x\n",
        expect![[r#"
        1: docker/inconsistent-casing [warning] "AS": `AS` does not match the casing of `from`; write `as`.
          fix "Write `as`" => "from a:1 as b\nrun x\n"
    "#]],
    );
}

#[test]
fn directives() {
    check(
        "docker/invalid-directive",
        "# escape=x\n# escape=\\\nFROM a:1\n",
        expect![[r##"
        1: docker/invalid-directive [error] "x": The escape character must be `\` or `` ` ``, not `x`.
        2: docker/invalid-directive [error] "# escape=\\": `escape` is given twice; keep one (BuildKit rejects the file).
          fix "Delete this line" => "# escape=x\nFROM a:1\n"
    "##]],
    );
    check(
        "docker/misplaced-directive",
        "FROM a:1\n# escape=`\nRUN x\n",
        expect![[r##"
        2: docker/misplaced-directive [warning] "# escape=`": `escape` is a parser directive only at the very top of the file (before any comment, blank line or instruction); here it is just a comment. Move it to the first line.
    "##]],
    );
}

#[test]
fn heredoc() {
    check(
        "docker/unterminated-heredoc",
        "FROM a:1\nRUN <<EOF\napt-get update\n",
        expect![[r#"
        2: docker/unterminated-heredoc [error] "<<EOF": The heredoc `EOF` is never closed: add a line with just `EOF` after its body.
    "#]],
    );
    check(
        "docker/apt",
        "FROM a:1\nRUN <<EOF\napt-get update\napt-get install -y --no-install-recommends curl\nrm -rf /var/lib/apt/lists/*\nEOF\n",
        expect![[""]],
    );
}

#[test]
fn arg_scoping() {
    check(
        "docker/undefined-arg-in-from",
        "ARG CUDA=12.1.0\nFROM nvidia/cuda:${CUDA}-base-ubuntu22.04\nFROM x:${TAG}\nFROM --platform=$BUILDPLATFORM y:${TARGETARCH}\n",
        expect![[r#"
        3: docker/undefined-arg-in-from [warning] "x:${TAG}": `$TAG` is not declared by an ARG before the first FROM, so it expands to nothing. Add `ARG TAG=<default>` at the top.
    "#]],
    );
}

#[test]
fn env_legacy() {
    check(
        "docker/legacy-env-format",
        "FROM a:1\nENV PATH /opt/conda/bin:$PATH\nENV A=b C=d\n",
        expect![[r#"
        2: docker/legacy-env-format [warning] "PATH": `ENV PATH <value>` is the legacy form; write `ENV PATH=<value>`.
          fix "Use `key=value`" => "FROM a:1\nENV PATH=\"/opt/conda/bin:$PATH\"\nENV A=b C=d\n"
    "#]],
    );
}

#[test]
fn base_image_tags() {
    check(
        "docker/untagged",
        "FROM ubuntu\nFROM ubuntu AS u\nFROM u\nFROM scratch\nFROM x@sha256:abc\n",
        expect![[r#"
        1: docker/untagged-image [warning] "ubuntu": `ubuntu` has no tag, so it means `latest` and changes under you. Pin a version, e.g. `ubuntu:<version>`.
        2: docker/untagged-image [warning] "ubuntu": `ubuntu` has no tag, so it means `latest` and changes under you. Pin a version, e.g. `ubuntu:<version>`.
    "#]],
    );
    check(
        "docker/latest-tag",
        "FROM python:latest\nARG BASE=ubuntu:latest\nFROM $BASE\n",
        expect![[r#"
        1: docker/latest-tag [warning] "python:latest": `python:latest` uses `latest`, which changes under you. Pin a version.
    "#]],
    );
}

#[test]
fn apt() {
    check(
        "docker/apt-get-missing-yes",
        "FROM a:1\nRUN apt-get update && apt-get install curl\nRUN apt-get -qq install x\nRUN apt-get install -yq y\n",
        expect![[r#"
        2: docker/apt-get-missing-yes [warning] "install": `apt-get install` asks for confirmation and the build has no terminal: add `-y`.
          fix "Add `-y`" => "FROM a:1\nRUN apt-get update && apt-get install -y curl\nRUN apt-get -qq install x\nRUN apt-get install -yq y\n"
    "#]],
    );
    check(
        "docker/apt-missing-no-install-recommends",
        "FROM a:1\nRUN apt-get install -y curl\n",
        expect![[r#"
        2: docker/apt-missing-no-install-recommends [info] "install": `apt-get install` also installs recommended packages, which bloats the image: add `--no-install-recommends`.
          fix "Add `--no-install-recommends`" => "FROM a:1\nRUN apt-get install --no-install-recommends -y curl\n"
    "#]],
    );
    check(
        "docker/apt-lists-not-cleaned",
        "FROM a:1\nRUN apt-get update && apt-get install -y curl\n",
        expect![[r#"
        2: docker/apt-lists-not-cleaned [info] "RUN": `apt-get update` leaves its package lists (tens of MB) in this layer: end this RUN with `&& rm -rf /var/lib/apt/lists/*`.
          fix "Remove the apt lists" => "FROM a:1\nRUN apt-get update && apt-get install -y curl \\\n    && rm -rf /var/lib/apt/lists/*\n"
    "#]],
    );
    check(
        "docker/apt-lists-not-cleaned",
        "FROM a:1 AS build\nRUN apt-get update\nFROM b:1\nRUN apt-get update && rm -rf /var/lib/apt/lists/*\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update\n",
        expect![[""]],
    );
    check(
        "docker/use-apt-get",
        "FROM a:1\nRUN apt install -y curl\n",
        expect![[r#"
        2: docker/use-apt-get [warning] "apt": `apt` has no stable command-line interface for scripts; use `apt-get`.
          fix "Use `apt-get`" => "FROM a:1\nRUN apt-get install -y curl\n"
    "#]],
    );
}

#[test]
fn pip() {
    check(
        "docker/pip-no-cache-dir",
        "FROM a:1\nRUN pip install numpy==1.26\nRUN python3 -m pip install --no-cache-dir x==1\nRUN pip3 install -U pip==24.0\n",
        expect![[r#"
        2: docker/pip-no-cache-dir [info] "install": pip keeps its download cache in the image: add `--no-cache-dir`.
          fix "Add `--no-cache-dir`" => "FROM a:1\nRUN pip install --no-cache-dir numpy==1.26\nRUN python3 -m pip install --no-cache-dir x==1\nRUN pip3 install -U pip==24.0\n"
        4: docker/pip-no-cache-dir [info] "install": pip keeps its download cache in the image: add `--no-cache-dir`.
          fix "Add `--no-cache-dir`" => "FROM a:1\nRUN pip install numpy==1.26\nRUN python3 -m pip install --no-cache-dir x==1\nRUN pip3 install --no-cache-dir -U pip==24.0\n"
    "#]],
    );
    check(
        "docker/pip-no-cache-dir",
        "FROM a:1\nENV PIP_NO_CACHE_DIR=1\nRUN pip install x==1\nRUN --mount=type=cache,target=/root/.cache/pip pip install y==1\n",
        expect![[""]],
    );
    check(
        "docker/pip-unpinned",
        "FROM a:1\nRUN pip install --no-cache-dir torch numpy==1.26 'scipy>=1.11' -r requirements.txt . git+https://x/y --index-url https://z/simple\n",
        expect![[r#"
        2: docker/pip-unpinned [info] "torch": `torch` has no version, so rebuilds may install a different one: pin it, e.g. `torch==<version>` (or use a requirements file).
    "#]],
    );
}

#[test]
fn rpm_and_apk() {
    check(
        "docker/yum",
        "FROM centos:7\nRUN yum install git\nRUN yum install -y git && yum clean all\n",
        expect![[r#"
        2: docker/yum-missing-yes [warning] "install": `yum install` asks for confirmation and the build has no terminal: add `-y`.
          fix "Add `-y`" => "FROM centos:7\nRUN yum install -y git\nRUN yum install -y git && yum clean all\n"
        2: docker/yum-no-clean [info] "install": `yum install` leaves its cache in this layer: end this RUN with `&& yum clean all`.
    "#]],
    );
    check(
        "docker/dnf",
        "FROM fedora:40\nRUN dnf install gcc\nRUN dnf -y install gcc && rm -rf /var/cache/dnf\nRUN microdnf install gcc\n",
        expect![[r#"
        2: docker/dnf-missing-yes [warning] "install": `dnf install` asks for confirmation and the build has no terminal: add `-y`.
          fix "Add `-y`" => "FROM fedora:40\nRUN dnf install -y gcc\nRUN dnf -y install gcc && rm -rf /var/cache/dnf\nRUN microdnf install gcc\n"
        2: docker/dnf-no-clean [info] "install": `dnf install` leaves its cache in this layer: end this RUN with `&& dnf clean all`.
        4: docker/dnf-no-clean [info] "install": `microdnf install` leaves its cache in this layer: end this RUN with `&& microdnf clean all`.
    "#]],
    );
    check(
        "docker/apk",
        "FROM alpine:3.19\nRUN apk add curl\nRUN apk add --no-cache curl\nRUN --mount=type=cache,target=/var/cache/apk apk add git\n",
        expect![[r#"
        2: docker/apk-no-cache [info] "add": `apk add` keeps its package index in the image: add `--no-cache`.
          fix "Add `--no-cache`" => "FROM alpine:3.19\nRUN apk add --no-cache curl\nRUN apk add --no-cache curl\nRUN --mount=type=cache,target=/var/cache/apk apk add git\n"
    "#]],
    );
}

#[test]
fn arg_not_in_scope() {
    check(
        "docker/arg-not-in-scope",
        "ARG PYTORCH=2.3.0\nARG CUDA=12.1\nFROM pytorch/pytorch:${PYTORCH}-cuda${CUDA}-cudnn8-runtime\nRUN pip install torchaudio==${PYTORCH}\nARG CUDA\nRUN echo $CUDA\nENV PYTORCH=2\nRUN echo $PYTORCH\n",
        expect![[r#"
            4: docker/arg-not-in-scope [warning] "torchaudio==${PYTORCH}": `$PYTORCH` is a global ARG (declared before FROM), which is not visible inside a stage, so it is empty here. Re-declare it in this stage with `ARG PYTORCH` after the FROM.
              fix "Add `ARG PYTORCH` to this stage" => "ARG PYTORCH=2.3.0\nARG CUDA=12.1\nFROM pytorch/pytorch:${PYTORCH}-cuda${CUDA}-cudnn8-runtime\nARG PYTORCH\nRUN pip install torchaudio==${PYTORCH}\nARG CUDA\nRUN echo $CUDA\nENV PYTORCH=2\nRUN echo $PYTORCH\n"
        "#]],
    );
    check(
        "docker/arg-not-in-scope",
        "ARG V=1\nFROM a:1\nCOPY --chown=$V x /y",
        expect![[r#"
        3: docker/arg-not-in-scope [warning] "$V": `$V` is a global ARG (declared before FROM), which is not visible inside a stage, so it is empty here. Re-declare it in this stage with `ARG V` after the FROM.
          fix "Add `ARG V` to this stage" => "ARG V=1\nFROM a:1\nARG V\nCOPY --chown=$V x /y"
    "#]],
    );
}

#[test]
fn conda() {
    check(
        "docker/conda-no-clean",
        "FROM a:1\nRUN conda install -y numpy\nRUN conda install -y scipy && conda clean -afy\n",
        expect![[r#"
        2: docker/conda-no-clean [info] "conda": conda keeps downloaded packages and tarballs in the image: end this RUN with `&& conda clean -afy`.
    "#]],
    );
}

#[test]
fn shell_habits() {
    check(
        "docker/sudo",
        "FROM a:1\nRUN sudo apt-get update\n",
        expect![[r#"
        2: docker/sudo [warning] "sudo": RUN already runs as root (or as USER); `sudo` adds a TTY/password prompt risk. Drop `sudo`, or switch with USER.
    "#]],
    );
    check(
        "docker/cd-in-run",
        "FROM a:1\nRUN cd /src && make\n",
        expect![[r#"
        2: docker/cd-in-run [info] "cd": `cd` lasts only for this RUN; use `WORKDIR /path` to change directory for the following instructions.
    "#]],
    );
    check(
        "docker/pipefail",
        "FROM a:1\nRUN curl -s x | sh\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl -s x | sh\nFROM b:1\nRUN set -o pipefail && curl x | sh\n",
        expect![[r#"
        2: docker/pipefail [warning] "RUN": A pipe's status is its last command's, so a failing first command goes unnoticed. Put `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before this RUN (or start it with `set -o pipefail &&` in bash).
    "#]],
    );
    check(
        "docker/consecutive-run",
        "FROM a:1\nRUN a\n# comment\nRUN b\nRUN --mount=type=cache,target=/x c\nENV X=1\nRUN d\n",
        expect![[r#"
        4: docker/consecutive-run [info] "RUN": This RUN follows another (line 2): each RUN is a layer; join them with `&&`.
    "#]],
    );
}

#[test]
fn add() {
    check(
        "docker/add-instead-of-copy",
        "FROM a:1\nADD . /app\nADD data.tar.gz /data\nADD https://x/y.txt /y\nadd req.txt /r\n",
        expect![[r#"
        2: docker/add-instead-of-copy [warning] "ADD": ADD of local files behaves like COPY but also extracts archives and fetches URLs; use COPY to say what you mean.
          fix "Use COPY" => "FROM a:1\nCOPY . /app\nADD data.tar.gz /data\nADD https://x/y.txt /y\nadd req.txt /r\n"
        5: docker/add-instead-of-copy [warning] "add": ADD of local files behaves like COPY but also extracts archives and fetches URLs; use COPY to say what you mean.
          fix "Use COPY" => "FROM a:1\nADD . /app\nADD data.tar.gz /data\nADD https://x/y.txt /y\ncopy req.txt /r\n"
    "#]],
    );
}

#[test]
fn secrets() {
    check(
        "docker/secret-in-arg-env",
        "FROM a:1\nARG HF_TOKEN\nENV WANDB_API_KEY=abc DB_PASSWORD_FILE=/run/x\nARG TOKENIZERS_PARALLELISM=false\n",
        expect![[r#"
        2: docker/secret-in-arg-env [warning] "HF_TOKEN": ARG `HF_TOKEN` looks like a secret: ARG values are stored in the image and its history. Use `RUN --mount=type=secret,id=hf_token` instead.
        3: docker/secret-in-arg-env [warning] "WANDB_API_KEY=abc": ENV `WANDB_API_KEY` looks like a secret: ENV values are stored in the image and its history. Use `RUN --mount=type=secret,id=wandb_api_key` instead.
    "#]],
    );
}

#[test]
fn apptainer_metadata() {
    check(
        "apptainer/",
        "FROM a:1 AS build\nUSER builder\nEXPOSE 1\nFROM b:1\nUSER alice\nWORKDIR /src\nWORKDIR /app\nEXPOSE 8888\nVOLUME /data\nHEALTHCHECK CMD true\nSTOPSIGNAL SIGINT\nENTRYPOINT [\"/entry.sh\"]\nCMD [\"a\"]\nCMD [\"b\"]\n",
        expect![[r#"
            5: apptainer/user-ignored [info] "USER": Apptainer ignores USER: the container runs as your own cluster user, not `alice`. Make what it needs readable by all (`chmod -R a+rX`) instead of owned by `alice`.
            7: apptainer/workdir-ignored [info] "WORKDIR": `apptainer exec` starts in your current host directory, not in WORKDIR `/app`: pass `--pwd /app` (or `cd /app` in the job's command).
            8: apptainer/expose-no-effect [info] "EXPOSE": EXPOSE has no effect under Apptainer: the container uses the node's network directly, so a server listens on the node's port (pick a free one per job).
            9: apptainer/volume-no-effect [info] "VOLUME": VOLUME has no effect under Apptainer, and the image is read-only: bind a host directory there with `--bind /host/dir:/path`.
            10: apptainer/healthcheck-no-effect [info] "HEALTHCHECK": HEALTHCHECK has no effect under Apptainer (nothing runs it); check the job from the script or Slurm instead.
            11: apptainer/stopsignal-no-effect [info] "STOPSIGNAL": STOPSIGNAL has no effect under Apptainer: Slurm sends SIGTERM (then SIGKILL) at the time limit; use `#SBATCH --signal=` to get an earlier signal.
            12: apptainer/entrypoint-bypassed [info] "ENTRYPOINT": `apptainer exec IMAGE cmd` runs cmd directly and skips ENTRYPOINT (only `apptainer run` uses it). If it sets things up (activating an environment, exporting variables), do that with ENV so every command gets it.
            14: apptainer/cmd-bypassed [info] "CMD": `apptainer exec` ignores CMD: it is only the default for `apptainer run`. Give the command explicitly in the job script.
        "#]],
    );
}

#[test]
fn apptainer_home() {
    check(
        "apptainer/home",
        "FROM a:1\nCOPY model.pt /root/models/\nRUN git clone https://x/y /home/user/y\nRUN rm -rf /root/.cache\nRUN echo 'conda activate x' >> ~/.bashrc\nRUN bash Miniconda3-latest-Linux-x86_64.sh -b\nRUN bash Miniforge3.sh -b -p /opt/conda\nENV PATH=/root/.local/bin:$PATH\n",
        expect![[r#"
            2: apptainer/home-bound-over [warning] "/root/models/": Under Apptainer you run as yourself, not root: /root is unreadable and $HOME is your host home, so files copied there (/root/models/) cannot be used. Install under /opt (or /usr/local) instead.
            3: apptainer/home-bound-over [warning] "/home/user/y": Apptainer binds your host home directory, and many clusters bind all of /home, so what this installs there (/home/user/y) may be hidden at run time. Install under /opt (or /usr/local) instead.
            5: apptainer/home-bound-over [warning] "~/.bashrc": Nothing in ~/.bashrc runs under Apptainer: `apptainer exec` starts no login or interactive shell, and $HOME is your host home anyway. Put the setup in ENV instead (e.g. `ENV PATH=/opt/conda/envs/NAME/bin:$PATH` rather than `conda activate NAME`).
            6: apptainer/home-bound-over [warning] "Miniconda3-latest-Linux-x86_64.sh": The conda installer without `-p` installs into ~/miniconda3 (/root/...), which is hidden under Apptainer (your host home is mounted as $HOME). Install with `-b -p /opt/conda`.
            8: apptainer/home-bound-over [warning] "PATH=/root/.local/bin:$PATH": Under Apptainer you run as yourself, not root: /root is unreadable and $HOME is your host home, so programs on this PATH (/root/.local/bin:$PATH) cannot be used. Install under /opt (or /usr/local) instead.
        "#]],
    );
    check(
        "apptainer/home",
        "FROM a:1 AS base\nCOPY x /root/x\nFROM base\nRUN true\n",
        expect![[r#"
        2: apptainer/home-bound-over [warning] "/root/x": Under Apptainer you run as yourself, not root: /root is unreadable and $HOME is your host home, so files copied there (/root/x) cannot be used. Install under /opt (or /usr/local) instead.
    "#]],
    );
    check(
        "apptainer/home",
        "FROM a:1 AS build\nCOPY x /root/x\nFROM b:1\nCOPY --from=build /root/x /opt/x\n",
        expect![[""]],
    );
}

#[test]
fn apptainer_pip_user_and_env() {
    check(
        "apptainer/pip-user",
        "FROM a:1\nRUN pip install --user --no-cache-dir x==1\n",
        expect![[r#"
        2: apptainer/pip-user [warning] "--user": `pip install --user` installs into ~/.local of the build user; under Apptainer $HOME is your host home, so these packages vanish. Drop `--user` (install system-wide or into a venv under /opt).
          fix "Remove `--user`" => "FROM a:1\nRUN pip install --no-cache-dir x==1\n"
    "#]],
    );
    check(
        "apptainer/host-env-leaks",
        "FROM a:1\nRUN pip install --no-cache-dir x==1\n",
        expect![[r#"
        2: apptainer/host-env-leaks [info] "RUN": Apptainer passes the host environment in and mounts your home, so a host PYTHONPATH or packages in ~/.local shadow the image's. Set `ENV PYTHONNOUSERSITE=1` in the image (and run with --cleanenv if host variables interfere).
          fix "Add `ENV PYTHONNOUSERSITE=1`" => "FROM a:1\nENV PYTHONNOUSERSITE=1\nRUN pip install --no-cache-dir x==1\n"
    "#]],
    );
    check(
        "apptainer/host-env-leaks",
        "FROM a:1\nENV PYTHONNOUSERSITE=1\nRUN pip install --no-cache-dir x==1\n",
        expect![[""]],
    );
    check(
        "apptainer/read-only-image",
        "FROM a:1\nENV HF_HOME=/opt/hf TORCH_HOME=/tmp/torch XDG_CACHE_HOME=$HOME/.cache\n",
        expect![[r#"
        2: apptainer/read-only-image [warning] "HF_HOME=/opt/hf": `HF_HOME` points into the image (/opt/hf), which is read-only under Apptainer, so writes there fail at run time. Point it at $HOME, /tmp or a directory you --bind (e.g. a scratch path).
    "#]],
    );
}

#[test]
fn apptainer_chmod_does_not_make_writable() {
    check(
        "apptainer/read-only-image",
        "FROM a:1\nRUN mkdir -p /opt/out && chmod 777 /opt/out\nRUN chmod -R a+w /tmp/x\n",
        expect![[r#"
        2: apptainer/read-only-image [warning] "/opt/out": Making /opt/out writable does not help under Apptainer: the image is read-only at run time. Write to $HOME, /tmp or a host directory bound there with `--bind /scratch/...:/opt/out` (or run with --writable-tmpfs for scratch space).
    "#]],
    );
}

#[test]
fn apptainer_skipped_for_charliecloud() {
    let facts = ClusterFacts {
        runtime: Some(clusterls_core::facts::ContainerRuntime {
            kind: clusterls_core::facts::RuntimeKind::Charliecloud,
            version: None,
            path: None,
        }),
        ..Default::default()
    };
    check_facts("apptainer/", "FROM a:1\nUSER x\n", Some(&facts), expect![[""]]);
}

#[test]
fn gpu_base() {
    check(
        "gpu/",
        "FROM python:3.11-slim\nRUN pip install --no-cache-dir torch==2.3.0\n",
        expect![[r#"
        1: gpu/base-without-cuda [info] "python:3.11-slim": `python:3.11-slim` has no CUDA. PyTorch/JAX pip wheels bring their own CUDA runtime, but anything built against CUDA (nvcc, custom kernels, system cuDNN) needs a CUDA base such as `nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04`. Run with `apptainer exec --nv` either way.
    "#]],
    );
    check(
        "gpu/",
        "FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04\nRUN pip install --no-cache-dir torch==2.3.0\n",
        expect![[""]],
    );
    check(
        "gpu/",
        "FROM python:3.11-slim\nRUN pip install --no-cache-dir flask==3.0\n",
        expect![[""]],
    );
}

#[test]
fn gpu_driver() {
    let old = driver("470.82.01");
    let mid = driver("535.104.05");
    let new = driver("570.86.10");
    check_facts(
        "gpu/cuda",
        "FROM nvidia/cuda:12.4.1-devel-ubuntu22.04\n",
        Some(&old),
        expect![[r#"
        1: gpu/cuda-too-new [error] "nvidia/cuda:12.4.1-devel-ubuntu22.04": base image `nvidia/cuda:12.4.1-devel-ubuntu22.04` uses CUDA 12.4, which needs NVIDIA driver 550.54.14 or newer; the cluster's driver is 470.82.01, so CUDA will fail to initialise ("driver version is insufficient"). The newest CUDA this driver fully supports is 11.4.
    "#]],
    );
    check_facts(
        "gpu/cuda",
        "FROM nvidia/cuda:12.4.1-devel-ubuntu22.04\n",
        Some(&mid),
        expect![[r#"
        1: gpu/cuda-too-new [warning] "nvidia/cuda:12.4.1-devel-ubuntu22.04": base image `nvidia/cuda:12.4.1-devel-ubuntu22.04` uses CUDA 12.4, which needs NVIDIA driver 550.54.14 or newer; the cluster has 535.104.05. It runs only through CUDA minor-version compatibility (no PTX JIT, so kernels not built for the GPU fail). The newest CUDA this driver fully supports is 12.2.
    "#]],
    );
    check_facts(
        "gpu/cuda",
        "FROM nvidia/cuda:12.4.1-devel-ubuntu22.04\n",
        Some(&new),
        expect![[""]],
    );
    check_facts(
        "gpu/cuda",
        "ARG CUDA=11.8.0\nFROM nvidia/cuda:${CUDA}-runtime-ubuntu22.04\n",
        Some(&old),
        expect![[r#"
        2: gpu/cuda-too-new [warning] "nvidia/cuda:${CUDA}-runtime-ubuntu22.04": base image `nvidia/cuda:11.8.0-runtime-ubuntu22.04` uses CUDA 11.8, which needs NVIDIA driver 520.61.05 or newer; the cluster has 470.82.01. It runs only through CUDA minor-version compatibility (no PTX JIT, so kernels not built for the GPU fail). The newest CUDA this driver fully supports is 11.4.
    "#]],
    );
    check_facts(
        "gpu/cuda",
        "FROM nvcr.io/nvidia/pytorch:24.05-py3\n",
        Some(&mid),
        expect![[r#"
        1: gpu/cuda-too-new [warning] "nvcr.io/nvidia/pytorch:24.05-py3": base image `nvcr.io/nvidia/pytorch:24.05-py3` uses CUDA 12.4, which needs NVIDIA driver 550.54.14 or newer; the cluster has 535.104.05. It runs only through CUDA minor-version compatibility (no PTX JIT, so kernels not built for the GPU fail). The newest CUDA this driver fully supports is 12.2.
    "#]],
    );
    check_facts(
        "gpu/cuda",
        "FROM python:3.11\nRUN pip install --no-cache-dir torch==2.4.0 --index-url https://download.pytorch.org/whl/cu124\n",
        Some(&old),
        expect![[r#"
        2: gpu/cuda-too-new [error] "https://download.pytorch.org/whl/cu124": `https://download.pytorch.org/whl/cu124` uses CUDA 12.4, which needs NVIDIA driver 550.54.14 or newer; the cluster's driver is 470.82.01, so CUDA will fail to initialise ("driver version is insufficient"). The newest CUDA this driver fully supports is 11.4.
    "#]],
    );
}

#[test]
fn silencing() {
    let text = "FROM ubuntu\n# clusterls-ignore: docker/sudo\nRUN sudo apt-get update\n# hadolint ignore=DL3004\nRUN sudo ls\nRUN sudo x\n";
    check(
        "docker/sudo",
        text,
        expect![[r#"
        6: docker/sudo [warning] "sudo": RUN already runs as root (or as USER); `sudo` adds a TTY/password prompt risk. Drop `sudo`, or switch with USER.
    "#]],
    );
    check(
        "docker/untagged",
        "# clusterls-ignore-file: docker/untagged-image\nFROM ubuntu\n",
        expect![[""]],
    );
    check("apptainer", "# clusterls-ignore-file: apptainer\nFROM u:1\nUSER x\n", expect![[""]]);
    check(
        "docker/exec-form",
        "# check=skip=JSONArgsRecommended,FromAsCasing\nFROM a:1\nCMD python x.py\n",
        expect![[""]],
    );
    let cfg = CodeFilter { disabled: vec!["apptainer/*".into(), "docker/sudo".into()] };
    let f = check_with("FROM u:1\nUSER x\nRUN sudo x\n", None, &cfg);
    assert!(
        f.iter().all(|f| !f.code.starts_with("apptainer/") && f.code != "docker/sudo"),
        "{f:?}"
    );
}

#[test]
fn clean_file_has_no_findings() {
    let text = "# syntax=docker/dockerfile:1\nFROM nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nENV PYTHONNOUSERSITE=1\nRUN apt-get update \\\n    && apt-get install -y --no-install-recommends python3-pip \\\n    && rm -rf /var/lib/apt/lists/*\nCOPY requirements.txt /opt/app/\nRUN pip install --no-cache-dir -r /opt/app/requirements.txt\n";
    check("", text, expect![[""]]);
}
