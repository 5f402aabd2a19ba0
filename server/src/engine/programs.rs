//! Pure: the fixed shell programs clusterls runs on the cluster, one per round trip.
//!
//! Why this is safe: each program is constant text written here (never built from user
//! input); it is passed as ONE argv word to `bash -c` (escaped by the transport like any
//! other word), and every piece of user data (run names, image paths, job ids, Slurm
//! options) arrives as a further argv word and is only ever expanded inside double
//! quotes ("$1", "$@"), so it is data and never code.
//!
//! And never an option: every command that takes a path gets `--` before it where it
//! supports one (`cd`, `mkdir`, `mv`, `rm`, `cat`, `tail`, `dirname`, `kill`), paths
//! that cannot take `--` (`find`, `srun`'s command) are absolute or `./`-prefixed, and
//! numbers are checked to be digits before they reach arithmetic.
//!
//! Privacy: run directories are made under `umask 077` (0700, files at most 0600/0700
//! whatever mode they had, and Slurm's output files inherit the umask), and a run
//! directory is made with `mkdir` without `-p`: an existing one is never reused.
//!
//! Control files (a step's `exit_code`, `cancelled`, pids) live in
//! [`CONTROL_DIR`](super::script::CONTROL_DIR), apart from the user's files: a synced
//! file named `exit_code` is just a file.

#[macro_use]
mod sync;
pub use sync::{STALE, SYNC_READ_PROGRAM};

/// The common start of [`RUN_PROGRAM`] and [`STEP_PROGRAM`]: the upload unpacked into a
/// private stage (`r/`: the run's own files; `s/` and `sync/`: the project's changes,
/// `sync_apply!` in `sync`), then a private, new run directory made of a copy of the
/// project's sync directory and the run's files, with modes at most the ones they came
/// with.
/// The copy is `cp -R --reflink=auto`: copy-on-write where the filesystem can (btrfs,
/// XFS), a plain copy elsewhere, never hard links, so a job that writes into its files
/// changes neither the sync directory nor another run's copy.
macro_rules! make_run_dir {
    () => {
        concat!(
            r#"set -e
umask 077
runs="$HOME/.clusterls/runs"; d="$runs/$1"; img=$2
mkdir -p -- "$runs"; chmod 700 -- "$runs"
st=$(mktemp -d "$runs/.incoming-XXXXXXXX")
trap 'rm -rf -- "$st"' EXIT
tar --no-same-permissions -C "$st" -xf -
"#,
            sync_apply!(),
            r#"if ! mkdir -- "$d"; then
  echo "clusterls: cannot make the run directory $d; an existing one is never reused. Run again." >&2; exit 95
fi
if [ -n "$sd" ]; then cp -R --reflink=auto -- "$sd/files/." "$d/"; exec 8>&-; fi
if [ -d "$st/r" ]; then cp -R --remove-destination -- "$st/r/." "$d/"; fi
rm -rf -- "$st"; trap - EXIT
cd -- "$d"
if [ -n "$img" ] && [ ! -e "$img" ]; then
  echo "clusterls: the image $img is not on the cluster" >&2; exit 97
fi
"#
        )
    };
}

/// `bash -c RUN_PROGRAM clusterls-run RUN_NAME IMAGE SBATCH_ARGS...`, stdin = the
/// upload (`super::upload::plan::pack`: the run's files, `job.sbatch` among them, and the
/// project's changes). Prints `dir ABS_DIR`,
/// then sbatch's `--parsable` job id. Exit [`IMAGE_MISSING`]: the image is not on the
/// cluster; [`EXISTS`]: the run directory could not be made new.
pub const RUN_PROGRAM: &str = concat!(
    make_run_dir!(),
    r#"shift 2
printf 'dir %s\n' "$d"
exec sbatch --parsable "$@" job.sbatch"#
);

/// `bash -c AS_WRITTEN_PROGRAM clusterls-run RUN_NAME IMAGE N DIR_1..DIR_N SBATCH_ARGS...`:
/// [`RUN_PROGRAM`] for an sbatch script submitted as written: first makes the N
/// directories its log files go to (Slurm does not, and the job would fail with no log),
/// relative ones inside the run directory. N is checked to be digits.
pub const AS_WRITTEN_PROGRAM: &str = concat!(
    make_run_dir!(),
    r#"n=$3; shift 3
case $n in ''|*[!0-9]*) echo "clusterls: the log directory count must be a number" >&2; exit 2;; esac
while [ "$n" -gt 0 ]; do mkdir -p -- "$1"; shift; n=$((n-1)); done
printf 'dir %s\n' "$d"
exec sbatch --parsable "$@" job.sbatch"#
);

/// `bash -c STEP_PROGRAM clusterls-step RUN_NAME IMAGE ALLOC_ID SRUN_ARGS...`, stdin =
/// the same upload. Starts `srun --jobid=ALLOC` in the background (it outlives the ssh
/// channel), writes its exit status to `.clusterls/exit_code` when done, prints
/// `dir ABS_DIR`. Exit [`IMAGE_MISSING`], [`ALLOC_NOT_RUNNING`] or [`EXISTS`].
pub const STEP_PROGRAM: &str = concat!(
    make_run_dir!(),
    r#"alloc=$3; shift 3
mkdir .clusterls
squeue -h -j "$alloc" -o %T 2>/dev/null | grep -qx RUNNING || {
  echo "clusterls: allocation $alloc is not running (squeue: $(squeue -h -j "$alloc" -o %T 2>&1))" >&2; exit 98; }
setsid bash -c 'srun --jobid="$1" "${@:2}" bash ./job.sbatch > output.log 2> error.log & echo $! > .clusterls/srun.pid; wait $!; echo $? > .clusterls/exit_code.tmp; mv -- .clusterls/exit_code.tmp .clusterls/exit_code' clusterls-step "$alloc" "$@" < /dev/null > /dev/null 2>&1 &
echo $! > .clusterls/pid
printf 'dir %s\n' "$d""#
);

/// The exit status of [`RUN_PROGRAM`] and [`STEP_PROGRAM`] when the run directory
/// already exists (or cannot be made).
pub const EXISTS: i32 = 95;

/// `bash -c POLL_PROGRAM clusterls-poll SQUEUE_IDS SACCT_IDS STEP_DIRS...`: ONE squeue
/// call for every tracked job (and the allocations of step runs; `-r`: one line per task
/// of a job array, pending ones included), sacct only for jobs
/// squeue no longer shows as live (or this process has not polled yet), each with its
/// stderr and exit status (so an unreachable controller is never read as "the job left
/// the queue"), and the exit files of step runs (`CODE|cancelled?|DIR`). Sections as in
/// [`super::slurm::sections`]; [`super::tracker::plan`] reads them.
pub const POLL_PROGRAM: &str = r#"q=$1; a=$2; shift 2
printf '@@clusterls squeue@@\n'
[ -n "$q" ] && { squeue -h -r -j "$q" -o '%i|%T|%r|%N|%A' 2>&1; printf '@@clusterls squeue-exit@@\n%s\n' "$?"; }
printf '@@clusterls sacct@@\n'
[ -n "$a" ] && { sacct -nP -X -j "$a" -o JobID,JobName,State,ExitCode,NodeList,JobIDRaw 2>&1; printf '@@clusterls sacct-exit@@\n%s\n' "$?"; }
printf '@@clusterls steps@@\n'
for d in "$@"; do
  c="$d/.clusterls"
  [ -f "$c/exit_code" ] && printf '%s|%s|%s\n' "$(cat -- "$c/exit_code")" "$([ -f "$c/cancelled" ] && echo cancelled)" "$d"
done
true"#;

/// `bash -c LOGS_PROGRAM clusterls-logs DIR OUT_OFFSET ERR_OFFSET [OUT_FILE ERR_FILE]`:
/// the new bytes of output.log and error.log (or of the absolute OUT_FILE and ERR_FILE of
/// a script submitted as written; an empty ERR_FILE: none), base64 so that any byte
/// survives. The offsets are checked to be digits before they reach arithmetic.
pub const LOGS_PROGRAM: &str = r#"d=$1
for n in "$2" "$3"; do
  case $n in ''|*[!0-9]*) echo "clusterls: log offsets must be numbers" >&2; exit 2;; esac
done
o=${4:-$d/output.log}; e=${5-$d/error.log}
printf 'out %s\n' "$(tail -c +"$(($2+1))" -- "$o" 2>/dev/null | base64 -w0)"
printf 'err %s\n' "$([ -n "$e" ] && tail -c +"$(($3+1))" -- "$e" 2>/dev/null | base64 -w0)""#;

/// `bash -c SCRIPT_PROGRAM clusterls-script FILE`: a run's generated batch script, as
/// it is. Exit [`GONE`] when the file no longer exists.
pub const SCRIPT_PROGRAM: &str = r#"[ -f "$1" ] || exit 96
exec cat -- "$1""#;

/// The exit status of [`SCRIPT_PROGRAM`] when the file is gone.
pub const GONE: i32 = 96;

/// The exit status of [`RUN_PROGRAM`] and [`STEP_PROGRAM`] when the image is not on
/// the cluster.
pub const IMAGE_MISSING: i32 = 97;

/// The exit status of [`STEP_PROGRAM`] when the allocation is not running.
pub const ALLOC_NOT_RUNNING: i32 = 98;

/// The lock a pull or a build of `$final` (with `$kind`) holds while it makes the
/// image, and the look that follows it: another pull or build may have made it
/// meanwhile (`present FINAL`). ch-image refuses a storage directory it did not
/// create and locks the whole storage, so charliecloud has one lock per user,
/// outside it. Sets `$dir`, the image's directory.
macro_rules! image_lock {
    () => {
        r#"dir=$(dirname -- "$final")
case $kind in
  charliecloud) lock="${TMPDIR:-/tmp}/clusterls-$(id -un)-ch-pull.lock" ;;
  *) mkdir -p -- "$dir"; lock="$final.lock" ;;
esac
exec 9> "$lock"
if ! flock -n 9; then
  echo "clusterls: waiting for another pull or build of this image to finish" >&2
  flock 9
fi
if [ -e "$final" ]; then printf 'present %s\n' "$final"; exit 0; fi
"#
    };
}

/// `bash -c PULL_PROGRAM clusterls-pull KIND FINAL REF SRUN_ARGS...`: pull `REF` into
/// `FINAL` (an absolute path) inside a light allocation (srun), atomically: the pull
/// writes a temporary name that is renamed into place, under an flock so that racing
/// pulls of the same image wait for each other and the second finds it present. Prints
/// `present FINAL` or `pulled FINAL`. Inside the allocation it first writes
/// `clusterls: pull job ID` to stderr (see [`super::images::plan::pull_job_id`]).
pub const PULL_PROGRAM: &str = concat!(
    r#"set -e
kind=$1; final=$2; ref=$3; shift 3
case $final in /*) ;; *) echo "clusterls: the image path $final is not absolute; set image_dir to an absolute path" >&2; exit 2;; esac
if [ -e "$final" ]; then printf 'present %s\n' "$final"; exit 0; fi
"#,
    image_lock!(),
    r#"echo "clusterls: pulling $ref in an allocation (srun $*)" >&2
# The step names its job first, so that a caller who stops waiting can scancel it
# (srun outlives the ssh channel that started it). A fixed string: the words follow it.
named='echo "clusterls: pull job $SLURM_JOB_ID" >&2; exec "$@"'
case $kind in
  apptainer|singularity)
    tmp="$final.part-$$"
    trap 'rm -rf -- "$tmp"' EXIT
    srun "$@" sh -c "$named" sh "$kind" pull --force "$tmp" "docker://$ref" >&2 ;;
  charliecloud)
    # Pulled into the storage under a temporary name, then renamed into place.
    tmp="$dir/clusterls-tmp-$$"
    trap 'rm -rf -- "$tmp"' EXIT
    srun "$@" sh -c "$named" sh env CH_IMAGE_STORAGE="$(dirname -- "$dir")" ch-image pull "$ref" "clusterls-tmp-$$" >&2 ;;
esac
mv -T -- "$tmp" "$final"
trap - EXIT
printf 'pulled %s\n' "$final""#
);

/// `bash -c BUILT_PROGRAM clusterls-built FINAL`: whether a built image is there
/// (`present`), the one round trip of an unchanged build.
pub const BUILT_PROGRAM: &str = r#"case $1 in /*) ;; *) echo "clusterls: the image path $1 is not absolute; set image_dir to an absolute path" >&2; exit 2;; esac
if [ -e "$1" ]; then echo present; else echo absent; fi"#;

/// `bash -c BUILD_PROGRAM clusterls-build KIND FINAL N BUILD_ARGS(N) SRUN_ARGS...`,
/// stdin = the upload (`super::upload::plan::pack`) of `Dockerfile` and
/// `clusterls.def` (apptainer/singularity) with the context as its project, whose sync
/// directory (`sync_apply!` in `sync`) is copied to `context/`. Builds the image into
/// `FINAL` inside a light allocation (srun), never on the login node: `ch-image build`
/// of the Dockerfile, or `KIND build --fakeroot` of the definition file from inside
/// the context. Atomic and locked like
/// [`PULL_PROGRAM`] (the same charliecloud lock: ch-image locks its whole storage): a
/// temporary name renamed into place, racing builds of one key build once (the second
/// prints `present FINAL`), a failed build leaves nothing. The unpacked context is
/// private (a 0700 parent) and removed after. Prints `built FINAL` or `present FINAL`.
pub const BUILD_PROGRAM: &str = concat!(
    r#"set -e
kind=$1; final=$2; n=$3; shift 3
case $n in ''|*[!0-9]*) echo "clusterls: the build-arg count must be a number" >&2; exit 2;; esac
bargs=("${@:1:n}"); shift "$n"
case $final in /*) ;; *) echo "clusterls: the image path $final is not absolute; set image_dir to an absolute path" >&2; exit 2;; esac
builds="$HOME/.clusterls/builds"
(umask 077; mkdir -p -- "$builds"); chmod 700 -- "$builds"
d=$(mktemp -d "$builds/build-XXXXXXXX")
trap 'rm -rf -- "$d"' EXIT
cd -- "$d"
# Modes as they came (at most; the parent is private): the image keeps them.
umask 022
st="$d/.stage"; mkdir -- "$st"
tar --no-same-permissions --no-same-owner -C "$st" -xf -
"#,
    sync_apply!(),
    r#"mkdir -- context
if [ -n "$sd" ]; then cp -R --reflink=auto -- "$sd/files/." context/; exec 8>&-; fi
if [ -d "$st/r" ]; then cp -R --remove-destination -- "$st/r/." ./; fi
rm -rf -- "$st"
"#,
    image_lock!(),
    r#"echo "clusterls: building in an allocation (srun $*)" >&2
case $kind in
  apptainer|singularity)
    tmp="$final.part-$$"
    trap 'rm -rf -- "$tmp" "$d"' EXIT
    (cd context && srun "$@" "$kind" build --fakeroot "$tmp" ../clusterls.def) >&2 ;;
  charliecloud)
    tmp="$dir/clusterls-tmp-$$"
    trap 'rm -rf -- "$tmp" "$d"' EXIT
    srun "$@" env CH_IMAGE_STORAGE="$(dirname -- "$dir")" ch-image build -t "clusterls-tmp-$$" -f ./Dockerfile "${bargs[@]}" ./context >&2 ;;
  *) echo "clusterls: no image builds with $kind" >&2; exit 2 ;;
esac
mv -T -- "$tmp" "$final"
trap 'rm -rf -- "$d"' EXIT
printf 'built %s\n' "$final""#
);

/// `bash -c CANCEL_STEP_PROGRAM clusterls-cancel DIR`: stop a step run's srun.
/// It marks the run cancelled and signals srun (the wrapper's child), so that the
/// wrapper still records an exit status. Only a plain pid is ever signalled.
pub const CANCEL_STEP_PROGRAM: &str = r#"c="$1/.clusterls"
[ -f "$c/exit_code" ] && exit 0
: > "$c/cancelled"
p=$(cat -- "$c/srun.pid" 2>/dev/null) || true
case $p in ''|*[!0-9]*) ;; *) kill -TERM -- "$p" 2>/dev/null ;; esac
true"#;

/// Decode standard base64 (the only encoder clusterls talks to is coreutils `base64`).
pub fn base64_decode(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        buf = (buf << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    out
}

/// For unit tests that run a program here: Slurm's client tools in `dir`, each a stub
/// that fails at once, first on `cmd`'s PATH. The real ones would wait for a controller
/// (about 45 s when none runs), and these tests are about the program's own handling.
#[cfg(test)]
pub(crate) fn without_slurm(cmd: &mut std::process::Command, dir: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).unwrap();
    for tool in ["sinfo", "scontrol", "sacctmgr", "squeue", "sacct"] {
        let p = dir.join(tool);
        std::fs::write(&p, "#!/bin/sh\necho \"$0: no controller in unit tests\" >&2\nexit 1\n")
            .unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = std::env::var("PATH").unwrap_or_default();
    cmd.env("PATH", format!("{}:{path}", dir.display()));
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::process::{Command, Output, Stdio};

    /// A scratch directory of its own per test, removed after.
    struct Scratch(PathBuf);
    impl Scratch {
        fn new(name: &str) -> Scratch {
            let d = std::env::temp_dir()
                .join(format!("clusterls-programs-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&d);
            std::fs::create_dir_all(d.join("home")).unwrap();
            Scratch(d)
        }
    }
    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// The exit codes the Rust side reads are the ones the shell programs exit with
    /// (a code changed on one side only would read as Slurm refusing the job).
    #[test]
    fn exit_codes_match_the_programs() {
        let exits = |program: &str| -> Vec<i32> {
            let mut codes: Vec<i32> = program
                .split("exit ")
                .skip(1)
                .filter_map(|rest| rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
                .filter(|c| *c >= 90)
                .collect();
            codes.sort_unstable();
            codes.dedup();
            codes
        };
        use super::*;
        let stale = sync::STALE;
        assert_eq!(exits(RUN_PROGRAM), [stale, EXISTS, IMAGE_MISSING]);
        assert_eq!(exits(AS_WRITTEN_PROGRAM), [stale, EXISTS, IMAGE_MISSING]);
        assert_eq!(exits(STEP_PROGRAM), [stale, EXISTS, IMAGE_MISSING, ALLOC_NOT_RUNNING]);
        assert_eq!(exits(SCRIPT_PROGRAM), [GONE]);
    }

    /// `bash -c PROGRAM NAME ARGS...` in `cwd` with `HOME=home`, as clusterls runs it.
    fn run(program: &str, args: &[&str], cwd: &Path, home: &Path, stdin: &[u8]) -> Output {
        use std::io::Write;
        let mut child = Command::new("bash")
            .arg("-c")
            .arg(program)
            .arg("clusterls-test")
            .args(args)
            .current_dir(cwd)
            .env("HOME", home)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        child.wait_with_output().unwrap()
    }

    /// `image_dir = "-delete"` reached `find "$d"` as an option and deleted the
    /// working directory's files (the workspace, with `host = "local"`). Now a
    /// relative image_dir is under $HOME, and nothing is deleted even when a directory
    /// named `-delete` exists where the program runs.
    #[test]
    fn facts_program_never_reads_image_dir_as_an_option() {
        let s = Scratch::new("facts");
        let work = s.0.join("work");
        std::fs::create_dir_all(work.join("-delete")).unwrap();
        std::fs::write(work.join("precious.txt"), "keep me").unwrap();
        std::fs::write(work.join("-delete/inside"), "keep me").unwrap();
        let mut cmd = std::process::Command::new("bash");
        super::without_slurm(&mut cmd, &s.0.join("bin"));
        let out = cmd
            .args(["-s", "--", "-delete"])
            .current_dir(&work)
            .env("HOME", s.0.join("home"))
            .stdin(
                std::fs::File::open(write_tmp(&s.0, super::super::slurm::FACTS_PROGRAM)).unwrap(),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert!(work.join("precious.txt").exists() && work.join("-delete/inside").exists());
        let text = String::from_utf8_lossy(&out.stdout);
        let dir = super::super::slurm::sections(&text).get("imagedir").cloned().unwrap_or_default();
        assert_eq!(dir.trim(), s.0.join("home/-delete").to_str().unwrap());
    }

    fn write_tmp(dir: &Path, text: &str) -> PathBuf {
        let p = dir.join("program.sh");
        std::fs::write(&p, text).unwrap();
        p
    }

    /// A run directory that exists is never reused: the program stops before unpacking
    /// anything or calling sbatch, with its own exit status and a message.
    #[test]
    fn an_existing_run_directory_is_never_reused() {
        let s = Scratch::new("exists");
        let home = s.0.join("home");
        let dir = home.join(".clusterls/runs/r1");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("train.py"), "old").unwrap();
        let mut tar = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(3);
        h.set_mode(0o644);
        tar.append_data(&mut h, "train.py", &b"new"[..]).unwrap();
        let tar = tar.into_inner().unwrap();
        for p in [super::RUN_PROGRAM, super::STEP_PROGRAM] {
            let out = run(p, &["r1", "", "1"], &s.0, &home, &tar);
            assert_eq!(out.status.code(), Some(super::EXISTS));
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("an existing one is never reused"), "{err}");
            assert_eq!(std::fs::read_to_string(dir.join("train.py")).unwrap(), "old");
        }
    }

    /// Only clusterls's own control directory tells a step's result: a user's file
    /// named `exit_code` or `cancelled` at the top of the run directory is data.
    #[test]
    fn user_files_named_like_control_files_fake_nothing() {
        let s = Scratch::new("control");
        let fake = s.0.join("fake");
        let real = s.0.join("real");
        for d in [&fake, &real] {
            std::fs::create_dir_all(d.join(super::super::script::CONTROL_DIR)).unwrap();
            std::fs::write(d.join("exit_code"), "0\n").unwrap();
            std::fs::write(d.join("cancelled"), "").unwrap();
        }
        std::fs::write(real.join(".clusterls/exit_code"), "3\n").unwrap();
        let (f, r) = (fake.to_str().unwrap(), real.to_str().unwrap());
        let out = run(super::POLL_PROGRAM, &["", "", f, r], &s.0, &s.0, b"");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let steps = super::super::slurm::sections(&text).get("steps").cloned().unwrap_or_default();
        assert_eq!(steps, format!("3||{r}\n"));
        // Cancel marks only the control directory, and signals nothing it cannot parse.
        std::fs::write(fake.join(".clusterls/srun.pid"), "-1").unwrap();
        let out = run(super::CANCEL_STEP_PROGRAM, &[f], &s.0, &s.0, b"");
        assert!(out.status.success());
        assert!(fake.join(".clusterls/cancelled").exists());
    }

    /// Log offsets are numbers before they reach shell arithmetic.
    #[test]
    fn log_offsets_must_be_numbers() {
        let s = Scratch::new("logs");
        let d = s.0.to_str().unwrap();
        std::fs::write(s.0.join("output.log"), "hello").unwrap();
        let out = run(super::LOGS_PROGRAM, &[d, "2", "0"], &s.0, &s.0, b"");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "out bGxv\nerr \n");
        let out = run(super::LOGS_PROGRAM, &[d, "a[$(touch x)]", "0"], &s.0, &s.0, b"");
        assert_eq!(out.status.code(), Some(2));
        assert!(!s.0.join("x").exists());
    }

    /// The Apptainer build (no apptainer here: a fake one on PATH, and a fake srun that
    /// drops its options): `apptainer build --fakeroot TMP ../clusterls.def` from inside
    /// the context, renamed into place; a failed build leaves no image, no temporary
    /// file and no unpacked context, and its log names the step.
    #[test]
    fn apptainer_build_program() {
        use std::os::unix::fs::PermissionsExt;
        let s = Scratch::new("build");
        let (home, bin) = (s.0.join("home"), s.0.join("bin"));
        std::fs::create_dir_all(&bin).unwrap();
        let fake = |name: &str, body: &str| {
            let p = bin.join(name);
            std::fs::write(&p, format!("#!/bin/bash\n{body}\n")).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        };
        fake("srun", "while [[ $1 == --* ]]; do shift; done; exec \"$@\"");
        fake(
            "apptainer",
            "printf '%s\\n' \"$@\" \"cwd=${PWD##*/}\" \"$(cat data.txt)\" > \"$HOME/args\"\n[ -e fail ] && { echo 'clusterls-step: Dockerfile line 4' >&2; exit 1; }\ncp -- \"$4\" \"$3\"",
        );
        let tar = |fail: bool| {
            let mut up = super::super::upload::plan::Upload::default();
            up.add("Dockerfile", b"FROM x\n".to_vec(), 0o644);
            up.add("clusterls.def", b"Bootstrap: docker\nFrom: x\n".to_vec(), 0o644);
            up.add("context/data.txt", b"ctx".to_vec(), 0o644);
            if fail {
                up.add("context/fail", vec![], 0o644);
            }
            up.tar(0).unwrap()
        };
        let img = s.0.join("img");
        let final_ = img.join("b_0123.sif");
        let f = final_.to_str().unwrap();
        let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
        let go = |stdin: &[u8]| {
            use std::io::Write;
            let mut c = Command::new("bash")
                .args(["-c", super::BUILD_PROGRAM, "clusterls-build", "apptainer", f, "0"])
                .args(["--job-name=clusterls-build-0123", "--partition=test"])
                .current_dir(&s.0)
                .env("HOME", &home)
                .env("PATH", &path)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            c.stdin.take().unwrap().write_all(stdin).unwrap();
            c.wait_with_output().unwrap()
        };
        let out = go(&tar(true));
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(clusterls_dockerfile::convert::failed_step(&err), Some(4), "{err}");
        assert!(!final_.exists());
        assert_eq!(
            std::fs::read_dir(&img)
                .unwrap()
                .filter_map(|e| e.ok())
                .filter(|e| !e.file_name().to_string_lossy().ends_with(".lock"))
                .count(),
            0
        );
        assert_eq!(std::fs::read_dir(home.join(".clusterls/builds")).unwrap().count(), 0);
        let out = go(&tar(false));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout), format!("built {f}\n"));
        let args = std::fs::read_to_string(home.join("args")).unwrap();
        let tmp = format!("{f}.part-");
        let lines: Vec<&str> = args.lines().collect();
        assert_eq!(lines[..2], ["build", "--fakeroot"]);
        assert!(lines[2].starts_with(&tmp), "{args}");
        assert_eq!(lines[3..], ["../clusterls.def", "cwd=context", "ctx"]);
        assert_eq!(std::fs::read_to_string(&final_).unwrap(), "Bootstrap: docker\nFrom: x\n");
        // The same key again: present, nothing built.
        std::fs::remove_file(home.join("args")).unwrap();
        let out = go(&tar(false));
        assert_eq!(String::from_utf8_lossy(&out.stdout), format!("present {f}\n"));
        assert!(!home.join("args").exists());
    }

    #[test]
    fn base64() {
        assert_eq!(super::base64_decode("aGVsbG8gd29ybGQK"), b"hello world\n");
        assert_eq!(super::base64_decode("w7w="), "ü".as_bytes());
        assert_eq!(super::base64_decode(""), b"");
    }

    /// The programs are valid bash.
    #[test]
    fn programs_parse() {
        for p in [
            super::RUN_PROGRAM,
            super::STEP_PROGRAM,
            super::POLL_PROGRAM,
            super::LOGS_PROGRAM,
            super::SCRIPT_PROGRAM,
            super::PULL_PROGRAM,
            super::BUILT_PROGRAM,
            super::BUILD_PROGRAM,
            super::SYNC_READ_PROGRAM,
            super::CANCEL_STEP_PROGRAM,
            super::super::slurm::FACTS_PROGRAM,
        ] {
            let st = std::process::Command::new("bash")
                .args(["-n", "-c", p])
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::inherit())
                .status()
                .unwrap();
            assert!(st.success(), "{p}");
        }
    }
}
