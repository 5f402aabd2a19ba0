//! The converter's own rules (`apptainer/convert-*`): what it cannot convert faithfully.
//! Each is registered in the Dockerfile registry ([`crate::rules`]), so `clusterls
//! explain`, SARIF and RULES.md know it. Where the converter finds what the checker
//! finds (USER, WORKDIR, EXPOSE, VOLUME, HEALTHCHECK, STOPSIGNAL), it pushes the
//! checker's own rule (`checks::apptainer`) on the same span (the instruction's keyword),
//! so the two sets of findings can be merged by (code, range).

use clusterls_core::{Rule, Severity};

use Severity::{Error, Info, Warning};

pub const RUN_AS_ROOT: Rule = Rule {
    code: "apptainer/convert-run-as-root",
    severity: Warning,
    summary: "RUN after USER runs as root in the Apptainer build.",
    explanation: "`apptainer build --fakeroot` runs every `%post` command as (fake) root: a \
              definition file cannot switch users. RUN commands after `USER name` therefore \
              run as root, with HOME=/root, and what they create is owned by root. Install \
              to system paths (`/opt`, `/usr/local`) rather than the user's home, and make \
              files readable by all (`chmod -R a+rX`); at run time the container runs as \
              your own cluster user anyway.",
    aliases: &[],
};

pub const COPY_FROM_IMAGE: Rule = Rule {
    code: "apptainer/convert-copy-from-image",
    severity: Info,
    summary: "COPY --from an image becomes an extra build stage.",
    explanation: "`COPY --from=image:tag` copies out of an image that is not a stage of this \
              Dockerfile. The definition file adds a stage that bootstraps from that image \
              and copies with `%files from`, so Apptainer pulls the whole image during the \
              build. Symbolic links in the copied paths are followed (Apptainer copies with \
              `cp -L`), where Docker keeps them as links.",
    aliases: &[],
};

pub const ADD_REMOTE: Rule = Rule {
    code: "apptainer/convert-add-remote",
    severity: Warning,
    summary: "ADD of a URL or git repository.",
    explanation: "ADD of an http(s) URL is converted to a download with `curl` (or `wget`) in \
              `%post`, so the image must have one of them, and `--checksum` is not verified. \
              ADD of a git repository is not converted at all. Prefer an explicit \
              `RUN curl -fsSL URL -o FILE && sha256sum -c` or `RUN git clone` in the \
              Dockerfile: both build the same way under Docker and Apptainer.",
    aliases: &[],
};

pub const ADD_ARCHIVE: Rule = Rule {
    code: "apptainer/convert-add-archive",
    severity: Info,
    summary: "ADD of a local archive is unpacked with the image's tar.",
    explanation: "Docker unpacks a local tar archive given to ADD (plain, gzip, bzip2 or xz). \
              The definition file does the same with the `tar` of the image being built, so \
              the image needs `tar` (and the decompressor). In a stage without RUN (no shell \
              to run tar) the archive is copied as it is. Use `COPY` plus an explicit \
              `RUN tar -xf` to make it obvious.",
    aliases: &[],
};

pub const CHOWN: Rule = Rule {
    code: "apptainer/convert-chown",
    severity: Info,
    summary: "COPY/ADD --chown is not applied.",
    explanation: "Files copied into an Apptainer image are owned by root (the build runs as \
              fake root, and a definition file cannot give them to a user that may not \
              exist on the cluster). At run time you are your own cluster user and the image \
              is read-only, so ownership rarely matters: make sure the files are readable \
              (`--chmod=a+rX` or `RUN chmod -R a+rX`).",
    aliases: &[],
};

pub const COPY_FLAG: Rule = Rule {
    code: "apptainer/convert-copy-flag",
    severity: Warning,
    summary: "A COPY/ADD flag the definition file cannot express.",
    explanation: "`--exclude`, `--parents`, `--checksum` and `--keep-git-dir` have no counterpart \
              in the definition file, nor has `--chmod` in an image without a shell (where \
              files are copied by plain `%files` lines; elsewhere it is applied). The files \
              are copied without them: remove excluded files with `RUN rm` or a \
              `.dockerignore`, give full destination paths instead of `--parents`, verify \
              downloads with `RUN sha256sum -c`.",
    aliases: &[],
};

pub const RUN_FLAG: Rule = Rule {
    code: "apptainer/convert-run-flag",
    severity: Warning,
    summary: "A RUN flag the definition file cannot express.",
    explanation: "`RUN --mount=type=secret|ssh|bind|tmpfs`, `--network` and `--security` are \
              BuildKit features with no counterpart in `%post`. The command runs without the \
              mount (a secret file or ssh agent is missing, a bind-mounted file is absent) \
              and with the build's normal network. Cache mounts are dropped silently: they \
              only speed up Docker builds. Copy what the command needs with COPY, or pass \
              secrets at run time instead of build time.",
    aliases: &[],
};

pub const HEREDOC: Rule = Rule {
    code: "apptainer/convert-heredoc",
    severity: Warning,
    summary: "A heredoc the converter cannot reproduce exactly.",
    explanation: "Heredocs in RUN and COPY are converted: a heredoc-only RUN runs its body with \
              the shell (or its `#!` interpreter), other RUNs pass the heredoc to the shell, \
              and COPY writes the body to the file. Not reproduced: a heredoc without its \
              terminator line, several heredocs where BuildKit would treat the first as the \
              whole script, and COPY heredocs in a stage without RUN (no shell to write the \
              file). Rewrite those as a script file in the build context plus COPY.",
    aliases: &[],
};

pub const ONBUILD: Rule = Rule {
    code: "apptainer/convert-onbuild",
    severity: Info,
    summary: "ONBUILD has no counterpart in Apptainer.",
    explanation: "ONBUILD registers a trigger that Docker runs when another image is built FROM \
              this one. SIF images have no triggers: the instruction is dropped. Put the \
              steps in the Dockerfiles that build on this image.",
    aliases: &[],
};

pub const PLATFORM: Rule = Rule {
    code: "apptainer/convert-platform",
    severity: Info,
    summary: "FROM --platform is not part of the definition file.",
    explanation: "A definition file's header has no platform: Apptainer pulls the image for the \
              build host's architecture, or the one given with `apptainer build --arch`. \
              Build on a node of the architecture you want, or pass `--arch`.",
    aliases: &[],
};

pub const NO_BASE: Rule = Rule {
    code: "apptainer/convert-no-base-image",
    severity: Error,
    summary: "FROM names no usable base image.",
    explanation: "The definition file's `From:` header must name an image. Here FROM names \
              none, or its image uses an ARG that has no default and was not given with \
              `--build-arg`, so it expands to nothing. Give the image, pass \
              `--build-arg NAME=VALUE`, or give the ARG a default (`ARG NAME=VALUE` before \
              the first FROM). The build is refused until then.",
    aliases: &[],
};

pub const ENV_NAME: Rule = Rule {
    code: "apptainer/convert-env-name",
    severity: Warning,
    summary: "An ENV name the shell cannot export.",
    explanation: "Apptainer applies the environment with a shell script (`%environment`), which \
              can only export names made of letters, digits and `_` that do not start with \
              a digit. This variable is left out; rename it.",
    aliases: &[],
};

pub const SCRIPT_LINE: Rule = Rule {
    code: "apptainer/convert-script-line",
    severity: Warning,
    summary: "A script line Apptainer would read as a new section.",
    explanation: "In a definition file, a line that starts with `%` followed by a section name \
              (`%post`, `%files`, ...) or with `Bootstrap:` starts a new section or stage, \
              even inside a heredoc or a quoted string of a script. Indent that line in the \
              Dockerfile (or generate it, e.g. with printf) so no line of the script starts \
              that way.",
    aliases: &[],
};

pub const NO_SHELL: Rule = Rule {
    code: "apptainer/convert-no-shell",
    severity: Info,
    summary: "A stage on an image without a shell copies files with plain `%files`.",
    explanation: "A stage based on `scratch` or a distroless/static image that has no RUN has no \
              shell for `%post`, so the converter copies its files with plain `%files` lines \
              instead of shell commands. Apptainer copies like `cp -r`: a directory copied \
              onto a directory that already exists lands inside it instead of merging, \
              WORKDIR directories are not created, ADD does not unpack archives or download \
              URLs, and COPY heredocs cannot be written. Copy directories to fresh \
              destinations.",
    aliases: &[],
};

pub const LABEL: Rule = Rule {
    code: "apptainer/convert-label",
    severity: Info,
    summary: "A LABEL that `%labels` cannot hold as written.",
    explanation: "Each `%labels` line is `NAME VALUE` on one line: a label name with spaces or a \
              value with line breaks cannot be written as is. Spaces in the name become `_` \
              and line breaks in the value become spaces.",
    aliases: &[],
};

pub const BASE_WORKDIR: Rule = Rule {
    code: "apptainer/convert-base-workdir",
    severity: Info,
    summary: "A relative destination before any WORKDIR.",
    explanation: "Docker resolves a relative COPY/ADD destination (and runs RUN) in the base \
              image's WORKDIR, which the converter cannot know without pulling the image: \
              the definition file uses `/`, so with a base image that sets a WORKDIR (e.g. \
              `/workspace` in NGC images) the files land elsewhere. Add an explicit WORKDIR \
              before the COPY, or use an absolute destination.",
    aliases: &[],
};
