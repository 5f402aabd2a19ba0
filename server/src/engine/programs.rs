//! Pure: the fixed shell programs clusterls runs on the cluster, one per round trip.
//!
//! Why this is safe: each program is constant text written here (never built from user
//! input); it is passed as ONE argv word to `bash -c` (escaped by the transport like any
//! other word), and every piece of user data (run names, image paths, job ids, Slurm
//! options) arrives as a further argv word and is only ever expanded inside double
//! quotes ("$1", "$@"), so it is data and never code.

/// `bash -c RUN_PROGRAM clusterls-run RUN_NAME IMAGE SBATCH_ARGS...`, stdin = a tar of
/// the run directory (the script, synced files, `job.sbatch`). Prints `dir ABS_DIR`,
/// then sbatch's `--parsable` job id. Exit [`IMAGE_MISSING`]: the image is not on the
/// cluster.
pub const RUN_PROGRAM: &str = r#"set -e
d="$HOME/.clusterls/runs/$1"; img=$2; shift 2
mkdir -p "$d"; cd "$d"
tar -xf -
if [ -n "$img" ] && [ ! -e "$img" ]; then
  echo "clusterls: the image $img is not on the cluster" >&2; exit 97
fi
printf 'dir %s\n' "$d"
exec sbatch --parsable "$@" job.sbatch"#;

/// `bash -c STEP_PROGRAM clusterls-step RUN_NAME IMAGE ALLOC_ID SRUN_ARGS...`, stdin =
/// the same tar. Starts `srun --jobid=ALLOC` in the background (it outlives the ssh
/// channel), writes its exit status to `exit_code` when done, prints `dir ABS_DIR`.
/// Exit [`IMAGE_MISSING`] or [`ALLOC_NOT_RUNNING`].
pub const STEP_PROGRAM: &str = r#"set -e
d="$HOME/.clusterls/runs/$1"; img=$2; alloc=$3; shift 3
mkdir -p "$d"; cd "$d"
tar -xf -
if [ -n "$img" ] && [ ! -e "$img" ]; then
  echo "clusterls: the image $img is not on the cluster" >&2; exit 97
fi
squeue -h -j "$alloc" -o %T 2>/dev/null | grep -qx RUNNING || {
  echo "clusterls: allocation $alloc is not running (squeue: $(squeue -h -j "$alloc" -o %T 2>&1))" >&2; exit 98; }
setsid bash -c 'srun --jobid="$1" "${@:2}" bash job.sbatch > output.log 2> error.log & echo $! > srun.pid; wait $!; echo $? > exit_code.tmp; mv exit_code.tmp exit_code' clusterls-step "$alloc" "$@" < /dev/null > /dev/null 2>&1 &
echo $! > pid
printf 'dir %s\n' "$d""#;

/// `bash -c POLL_PROGRAM clusterls-poll SQUEUE_IDS SACCT_IDS STEP_DIRS...`: ONE squeue
/// call for every tracked job (and the allocations of step runs), sacct only for jobs
/// squeue no longer shows as live (or this process has not polled yet), each with its
/// stderr and exit status (so an unreachable controller is never read as "the job left
/// the queue"), and the exit files of step runs (`CODE|cancelled?|DIR`). Sections as in
/// [`super::slurm::sections`]; [`super::tracker::plan`] reads them.
pub const POLL_PROGRAM: &str = r#"q=$1; a=$2; shift 2
printf '@@clusterls squeue@@\n'
[ -n "$q" ] && { squeue -h -j "$q" -o '%i|%T|%r|%N' 2>&1; printf '@@clusterls squeue-exit@@\n%s\n' "$?"; }
printf '@@clusterls sacct@@\n'
[ -n "$a" ] && { sacct -nP -X -j "$a" -o JobID,JobName,State,ExitCode,NodeList 2>&1; printf '@@clusterls sacct-exit@@\n%s\n' "$?"; }
printf '@@clusterls steps@@\n'
for d in "$@"; do
  [ -f "$d/exit_code" ] && printf '%s|%s|%s\n' "$(cat "$d/exit_code")" "$([ -f "$d/cancelled" ] && echo cancelled)" "$d"
done
true"#;

/// `bash -c LOGS_PROGRAM clusterls-logs DIR OUT_OFFSET ERR_OFFSET`: the new bytes of
/// output.log and error.log, base64 so that any byte survives.
pub const LOGS_PROGRAM: &str = r#"d=$1
printf 'out %s\n' "$(tail -c +"$(($2+1))" "$d/output.log" 2>/dev/null | base64 -w0)"
printf 'err %s\n' "$(tail -c +"$(($3+1))" "$d/error.log" 2>/dev/null | base64 -w0)""#;

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

/// `bash -c PULL_PROGRAM clusterls-pull KIND FINAL REF SRUN_ARGS...`: pull `REF` into
/// `FINAL` inside a light allocation (srun), atomically: the pull writes a temporary
/// name that is renamed into place, under an flock so that racing pulls of the same
/// image wait for each other and the second finds it present. Prints `present FINAL`
/// or `pulled FINAL`.
pub const PULL_PROGRAM: &str = r#"set -e
kind=$1; final=$2; ref=$3; shift 3
if [ -e "$final" ]; then printf 'present %s\n' "$final"; exit 0; fi
dir=$(dirname "$final")
case $kind in
  # ch-image refuses a storage directory it did not create, and locks the whole
  # storage: one lock per user, outside it.
  charliecloud) lock="${TMPDIR:-/tmp}/clusterls-$(id -un)-ch-pull.lock" ;;
  *) mkdir -p "$dir"; lock="$final.lock" ;;
esac
exec 9> "$lock"
if ! flock -n 9; then
  echo "clusterls: waiting for another pull to finish" >&2
  flock 9
fi
if [ -e "$final" ]; then printf 'present %s\n' "$final"; exit 0; fi
echo "clusterls: pulling $ref in an allocation (srun $*)" >&2
case $kind in
  apptainer|singularity)
    tmp="$final.part-$$"
    trap 'rm -rf "$tmp"' EXIT
    srun "$@" "$kind" pull --force "$tmp" "docker://$ref" >&2 ;;
  charliecloud)
    # Pulled into the storage under a temporary name, then renamed into place.
    tmp="$dir/clusterls-tmp-$$"
    trap 'rm -rf "$tmp"' EXIT
    srun "$@" env CH_IMAGE_STORAGE="$(dirname "$dir")" ch-image pull "$ref" "clusterls-tmp-$$" >&2 ;;
esac
mv -T "$tmp" "$final"
trap - EXIT
printf 'pulled %s\n' "$final""#;

/// `bash -c CANCEL_STEP_PROGRAM clusterls-cancel DIR`: stop a step run's srun.
/// It marks the run cancelled and signals srun (the wrapper's child), so that the
/// wrapper still records an exit status.
pub const CANCEL_STEP_PROGRAM: &str = r#"d=$1
[ -f "$d/exit_code" ] && exit 0
: > "$d/cancelled"
kill -TERM "$(cat "$d/srun.pid")" 2>/dev/null; true"#;

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

#[cfg(test)]
mod tests {
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
