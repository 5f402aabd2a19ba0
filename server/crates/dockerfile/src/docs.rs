//! What each instruction does, for hover and completion, and which flags it takes.
//! The `apptainer` line says what Apptainer/Singularity does with it at run time.

use crate::parse::Kind;

/// Documentation of one instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstructionDoc {
    pub kind: Kind,
    /// Upper-case keyword.
    pub name: &'static str,
    /// One line: what it does.
    pub summary: &'static str,
    /// Usage forms, one per line.
    pub syntax: &'static str,
    /// Flags it accepts (without dashes).
    pub flags: &'static [&'static str],
    /// What Apptainer/Singularity does with it when the image runs on the cluster
    /// (`None`: same as Docker).
    pub apptainer: Option<&'static str>,
}

/// Every instruction, alphabetically.
pub const INSTRUCTIONS: &[InstructionDoc] = &[
    InstructionDoc {
        kind: Kind::Add,
        name: "ADD",
        summary: "Copy files, URLs or git repositories into the image; local tar archives are extracted.",
        syntax: "ADD [--chown=<user>:<group>] [--chmod=<perms>] [--checksum=<sha>] <src>... <dest>\nADD [\"<src>\", ... \"<dest>\"]",
        flags: &["chown", "chmod", "checksum", "keep-git-dir", "link", "exclude", "unpack"],
        apptainer: None,
    },
    InstructionDoc {
        kind: Kind::Arg,
        name: "ARG",
        summary: "Declare a build-time variable (before FROM: usable in FROM lines; re-declare inside a stage to use it there).",
        syntax: "ARG <name>[=<default value>] [<name>[=<default value>]...]",
        flags: &[],
        apptainer: None,
    },
    InstructionDoc {
        kind: Kind::Cmd,
        name: "CMD",
        summary: "Default command (or default arguments to ENTRYPOINT) when the container starts; only the last CMD counts.",
        syntax: "CMD [\"executable\",\"param1\",\"param2\"]\nCMD [\"param1\",\"param2\"]  (arguments to ENTRYPOINT)\nCMD command param1 param2",
        flags: &[],
        apptainer: Some(
            "Used by `apptainer run` only; `apptainer exec` runs the command you give and ignores CMD.",
        ),
    },
    InstructionDoc {
        kind: Kind::Copy,
        name: "COPY",
        summary: "Copy files from the build context (or another stage with --from) into the image.",
        syntax: "COPY [--from=<stage|image>] [--chown=<user>:<group>] [--chmod=<perms>] [--link] <src>... <dest>\nCOPY [\"<src>\", ... \"<dest>\"]",
        flags: &["from", "chown", "chmod", "link", "parents", "exclude"],
        apptainer: Some(
            "Files under /root or /home are hidden at run time: Apptainer binds your host home there.",
        ),
    },
    InstructionDoc {
        kind: Kind::Entrypoint,
        name: "ENTRYPOINT",
        summary: "The executable the container runs; CMD supplies its default arguments.",
        syntax: "ENTRYPOINT [\"executable\", \"param1\", \"param2\"]\nENTRYPOINT command param1 param2",
        flags: &[],
        apptainer: Some("Used by `apptainer run` only; `apptainer exec` bypasses it."),
    },
    InstructionDoc {
        kind: Kind::Env,
        name: "ENV",
        summary: "Set environment variables for the following instructions and the running container.",
        syntax: "ENV <key>=<value> ...",
        flags: &[],
        apptainer: Some(
            "Kept, but the host environment is passed in too (use --cleanenv to stop it).",
        ),
    },
    InstructionDoc {
        kind: Kind::Expose,
        name: "EXPOSE",
        summary: "Document the ports the container listens on (publishing is done by `docker run -p`).",
        syntax: "EXPOSE <port>[/<protocol>] ...",
        flags: &[],
        apptainer: Some(
            "No effect: Apptainer shares the host's network; a server listens on the node's port directly.",
        ),
    },
    InstructionDoc {
        kind: Kind::From,
        name: "FROM",
        summary: "Start a build stage from a base image; `AS name` names the stage for COPY --from.",
        syntax: "FROM [--platform=<platform>] <image>[:<tag>|@<digest>] [AS <name>]",
        flags: &["platform"],
        apptainer: None,
    },
    InstructionDoc {
        kind: Kind::Healthcheck,
        name: "HEALTHCHECK",
        summary: "Command Docker runs periodically to tell whether the container is healthy.",
        syntax: "HEALTHCHECK [--interval=DURATION] [--timeout=DURATION] [--start-period=DURATION] [--start-interval=DURATION] [--retries=N] CMD <command>\nHEALTHCHECK NONE",
        flags: &["interval", "timeout", "start-period", "start-interval", "retries"],
        apptainer: Some("No effect: Apptainer does not run health checks."),
    },
    InstructionDoc {
        kind: Kind::Label,
        name: "LABEL",
        summary: "Add metadata key/value pairs to the image.",
        syntax: "LABEL <key>=<value> [<key>=<value>...]",
        flags: &[],
        apptainer: None,
    },
    InstructionDoc {
        kind: Kind::Maintainer,
        name: "MAINTAINER",
        summary: "Deprecated: set the author; use `LABEL maintainer=\"...\"` instead.",
        syntax: "MAINTAINER <name>",
        flags: &[],
        apptainer: None,
    },
    InstructionDoc {
        kind: Kind::Onbuild,
        name: "ONBUILD",
        summary: "Register an instruction to run when another build uses this image as its base.",
        syntax: "ONBUILD <INSTRUCTION>",
        flags: &[],
        apptainer: None,
    },
    InstructionDoc {
        kind: Kind::Run,
        name: "RUN",
        summary: "Run a command at build time and commit the result as a new layer.",
        syntax: "RUN [--mount=<type>,...] [--network=<mode>] [--security=<mode>] <command>\nRUN [\"executable\", \"param1\", \"param2\"]\nRUN <<EOF ... EOF",
        flags: &["mount", "network", "security", "device"],
        apptainer: None,
    },
    InstructionDoc {
        kind: Kind::Shell,
        name: "SHELL",
        summary: "Set the shell used by the shell form of RUN, CMD and ENTRYPOINT.",
        syntax: "SHELL [\"executable\", \"parameters\"]",
        flags: &[],
        apptainer: None,
    },
    InstructionDoc {
        kind: Kind::Stopsignal,
        name: "STOPSIGNAL",
        summary: "The signal sent to stop the container (e.g. SIGTERM, SIGINT, 9).",
        syntax: "STOPSIGNAL <signal>",
        flags: &[],
        apptainer: Some("No effect: Slurm signals the job's processes itself."),
    },
    InstructionDoc {
        kind: Kind::User,
        name: "USER",
        summary: "The user (and group) that runs the following instructions and the container.",
        syntax: "USER <user>[:<group>]\nUSER <UID>[:<GID>]",
        flags: &[],
        apptainer: Some("Ignored: Apptainer always runs as your own user on the cluster."),
    },
    InstructionDoc {
        kind: Kind::Volume,
        name: "VOLUME",
        summary: "Declare a mount point whose content lives outside the image's layers.",
        syntax: "VOLUME [\"/data\"]\nVOLUME /var/log /var/db",
        flags: &[],
        apptainer: Some("No effect: bind host directories yourself with --bind."),
    },
    InstructionDoc {
        kind: Kind::Workdir,
        name: "WORKDIR",
        summary: "Set the working directory for the following instructions and the container.",
        syntax: "WORKDIR /path/to/workdir",
        flags: &[],
        apptainer: Some(
            "Not honoured by `apptainer exec`: it starts in your current host directory; use --pwd.",
        ),
    },
];

/// The documentation of `kind`.
pub fn doc(kind: Kind) -> Option<&'static InstructionDoc> {
    INSTRUCTIONS.iter().find(|d| d.kind == kind)
}

/// Parser directives (`# name=value` at the very top).
pub const DIRECTIVES: &[(&str, &str)] = &[
    ("syntax", "The BuildKit frontend image that builds this file, e.g. `docker/dockerfile:1`."),
    ("escape", "The escape character: `\\` (default) or `` ` `` (handy on Windows)."),
    ("check", "Build checks: `skip=<check>[,<check>]` and/or `error=true`."),
];
