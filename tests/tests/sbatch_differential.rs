//! Differential test against the real thing: a generator makes scripts by mutating valid
//! ones (misspelled options, bad values, wrong partitions and accounts, limits exceeded,
//! directives moved below commands or hidden from sbatch, and each family of admission
//! rules of the richer fixture), and each goes through both `clusterls check --facts
//! FACTS` and `sbatch --test-only` on the cluster (as alice, over ssh, one ssh call for
//! the whole batch). It runs on both local clusters, which have the same fixture: Slurm
//! 22.05 (`tests/cluster/up`, facts `tests/data/local-cluster-facts-22.05.json`) and 24.11
//! (`tests/cluster/up-release 24.11`, facts `local-cluster-facts-24.11.json`), each
//! recorded from its cluster by `tests/cluster/record-facts [--release 24.11]`, so the
//! checker's release-dependent answers are what is tested. (Re-record them when the
//! fixture changes.)
//! For each of two seeds, "has an error" must agree with "sbatch refuses it" on at least
//! 99.5% of 2000 scripts; every disagreement is printed with both sides.
//!
//! `CLUSTERLS_DIFF_N` (default 2000) changes the number of scripts per seed, and
//! `CLUSTERLS_DIFF_SEED` runs that one seed instead of the two.
//!
//! Needs both clusters (a failure without them). Run alone with
//! `cargo test -p clusterls-tests --test sbatch_differential -- --nocapture`.

mod sbatch_common;

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use clusterls_tests::{ClusterInfo, require_main_cluster, require_release_cluster};
use sbatch_common::{binary, data};
use serde_json::Value;

/// A small deterministic generator (xorshift64*), so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// Valid scripts for the local cluster (partitions cpu/test/gpu, one node with 8 CPUs,
/// 32000 MB and 4 GPUs; alice has lab_grads on cpu,test and lab_dev everywhere).
const SEEDS: &[&str] = &[
    "#!/bin/bash\n#SBATCH -p cpu\n#SBATCH -A lab_grads\n#SBATCH -c 4\n#SBATCH --mem=8G\n#SBATCH -t 2:00:00\n#SBATCH -o prep-%j.log\n\nset -e\npython preprocess.py --workers 4\n",
    "#!/bin/bash\n#SBATCH --job-name=train\n#SBATCH --partition=gpu\n#SBATCH --account=lab_dev\n#SBATCH --gres=gpu:2\n#SBATCH --cpus-per-task=4\n#SBATCH --mem=16G\n#SBATCH --time=1-00:00:00\n#SBATCH --output=logs/%x-%j.out\nmodule load cuda\nsrun python train.py\n",
    "#!/bin/bash\n#SBATCH -p test\n#SBATCH -A lab_grads\n#SBATCH --array=0-9%2\n#SBATCH -c 1\n#SBATCH --mem-per-cpu=2G\n#SBATCH -t 30\n#SBATCH --output=%x_%A_%a.out\necho \"$SLURM_ARRAY_TASK_ID\"\n",
    "#!/bin/bash\n#SBATCH -p gpu -A lab_dev\n#SBATCH -N 1\n#SBATCH --ntasks-per-node=4\n#SBATCH --gpus-per-node=4\n#SBATCH -c 2\n#SBATCH --mem=0\n#SBATCH -t 12:00:00\n#SBATCH --exclusive\nsrun torchrun --nproc_per_node=4 train.py\n",
    "#!/bin/bash\n# short test job\n#SBATCH -p test\n#SBATCH -t 0-04:00\n#SBATCH -n 2\n#SBATCH -c 2\n#SBATCH --mem=4096\n#SBATCH --mail-type=END,FAIL\n#SBATCH --signal=B:USR1@60\n\nsrun hostname\n",
    "#!/bin/bash\n#SBATCH --time=90\n#SBATCH --mem=1G\n#SBATCH --dependency=singleton\n#SBATCH --job-name=dep\nhostname\n",
    "#!/bin/bash\n#SBATCH -p gpu\n#SBATCH -A lab_dev\n#SBATCH --gpus=2\n#SBATCH --cpus-per-gpu=2\n#SBATCH --mem-per-gpu=4G\n#SBATCH -t 2-00:00:00\napptainer exec --nv image.sif python x.py\n",
    "#!/bin/bash\n#SBATCH --job-name=\"my job\" # a name with a space\n#SBATCH --comment='first run'\n#SBATCH --export=ALL,FOO=bar\n#SBATCH --open-mode=append\n#SBATCH --partition=cpu --account=lab_dev\n#SBATCH --ntasks=1 --cpus-per-task=8 --mem=30000\n#SBATCH --time=7-00:00:00\nhostname\n",
];

/// (option as written in seeds, candidate replacement values: some good, some bad)
const VALUES: &[(&str, &[&str])] = &[
    (
        "time",
        &[
            "1:30",
            "90",
            "1-00",
            "2-",
            "1h",
            "abc",
            "1:2:3:4",
            "",
            "UNLIMITED",
            "0",
            "10:00:00",
            "7-00:00:01",
            "2-00:00:01",
            "8:00:01",
            "60:00",
        ],
    ),
    (
        "mem",
        &[
            "16GB", "16gb", "16GiB", "1.5G", "32000", "33000", "32G", "0", "-1", "16T", "500M",
            "2048K", "x",
        ],
    ),
    ("cpus-per-task", &["0", "8", "9", "2.5", "four", "1", "16"]),
    ("ntasks", &["0", "8", "9", "four", "2", "64"]),
    ("nodes", &["1", "2", "0", "1-2", "2-1", "1k", "x", "1-1"]),
    (
        "gres",
        &["gpu:1", "gpu:4", "gpu:5", "gpu=2", "gpu", "gpu:0", "foo:1", "gpu:a100:1", "gpu:1,gpu:2"],
    ),
    ("gpus", &["1", "4", "5", "a100:1", "x", "0"]),
    ("array", &["0-15", "1,3,5", "0-15:4", "5-1", "0-4:0", "x", "1-10%3", "0-999", "0-10%0"]),
    (
        "dependency",
        &[
            "singleton",
            "afterok:1",
            "aftrok:1",
            "after",
            "afterany:12345",
            "afterok:$JOB",
            "afterok:1?afterany:2",
        ],
    ),
    ("mail-type", &["ALL", "end", "FINISH", "BEGIN,FOO", "TIME_LIMIT_90", "none"]),
    ("signal", &["B:USR1@60", "SIGUSR1", "X:USR1", "USR1@70000", "RB:10", "TERM@30"]),
    ("begin", &["now+1hour", "16:00", "tomorrow", "someday", "2025-01-20T12:34:00", "12/25"]),
    ("open-mode", &["append", "truncate", "apend", "x"]),
    ("kill-on-invalid-dep", &["yes", "YES", "maybe"]),
    ("hint", &["nomultithread", "compute_bound", "foo"]),
    ("distribution", &["block", "cyclic:cyclic", "plane=2", "foo"]),
    ("exclusive", &["user", "mcs", "usr", "topo"]),
    ("mem-per-cpu", &["2G", "4000", "5000", "1.5G", "0"]),
    ("time-min", &["10", "abc", "99999"]),
    ("wait-all-nodes", &["0", "1", "2"]),
    ("no-kill", &["off", "on"]),
    ("nice", &["5", "-5", "x"]),
    ("cpu-freq", &["high", "foo", "2400000"]),
    ("gpu-bind", &["closest", "foo", "single:1"]),
    ("gres-flags", &["enforce-binding", "foo"]),
];

const PARTITIONS: &[&str] =
    &["cpu", "test", "gpu", "gpuu", "cpus", "debug", "GPU", "gpu,cpu", "test,bogus", "test,cpu"];
const ACCOUNTS: &[&str] = &["lab_grads", "lab_dev", "lab_grad", "nope", "lab_devs"];
const EXTRA_OPTIONS: &[&str] = &[
    "--partiton=cpu",
    "--acount=lab_dev",
    "--tim=10",
    "--part=test",
    "--mem-per=1G",
    "--gpus-per-nod=1",
    "--cpus-per=2",
    "--nodez=1",
    "--job-nam=x",
    "-P test",
    "--nice 5",
    "--exclusive user",
    "--contiguous=yes",
    "--requeue",
    "--no-requeue",
    "--hold",
    "--comment=\"a b\" extra",
    "--mem=16 G",
    "--wrap=hostname",
    "--test-only",
    "--tres-per-task=cpu=2",
    "--stepmgr",
    "--prefer=x",
    "--extra=x",
    "--container=/x",
    "--mem=1G --mem-per-cpu=1G",
    "--gpus-per-task=1",
    "--cpus-per-gpu=2",
    "--ntasks-per-node=9",
    "-n 2 -N 4",
    "--time-min=30 --time=20",
    "--mincpus=9",
    "--uid=alice",
    "--export 1BAD",
    "--qos=normal",
    "--output=out\\ x.log",
    ":x",
    "--comment=\"open",
    "--help",
    "--parsable",
    "--constraint=a100",
    "--constraint=a100|h100",
    "--exclude=node01",
    "--nodelist=node01",
    "--nodelist=node[01-02]",
    "--qos=high",
    "--gres=shard:1",
    "--reservation=maintenance",
    "-c 1 hetjob",
    "--ntasks-per-node=0",
];

/// What decides admission on the richer fixture (tests/cluster/up and up-release alike):
/// licenses matlab:2 and ansys:1, MaxArraySize=1001, reservations (root_resv is for root
/// only), QOS `high` (lab_dev's associations only; not enforced, so lab_grads may use it),
/// hidden partitions restricted by account, group and QOS, node features on `multi`
/// (with Slurm's constraint grammar), per-job partition limits, and names in another case
/// (accounts and QOS match any case, the rest exactly). Not here:
/// `--reservation=alice_resv` (open to alice), which `--test-only` refuses with "Invalid
/// time specified" because the reservation is not active yet, a refusal about the
/// reservation's timing, not the script (name-case.txt in the engine's testdata). The
/// results per release and seed, and every disagreement explained:
/// tests/data/sbatch-differential.txt.
const ADMISSION: &[&str] = &[
    "--licenses=matlab:1",
    "--licenses=matlab:2",
    "--licenses=matlab:3",
    "--licenses=MATLAB:1",
    "--licenses=matlb",
    "--licenses=ansys,matlab:2",
    "--licenses=ansys:2",
    "--array=0-1000",
    "--array=0-1001",
    "--array=1-5000%4",
    "--array=1000",
    "--reservation=root_resv",
    "--reservation=ALICE_RESV",
    "--reservation=nope",
    "--qos=NORMAL",
    "--qos=High",
    "--qos=high",
    "--account=LAB_DEV",
    "--account=Lab_Grads",
    "--partition=acctonly",
    "--partition=grouponly",
    "--partition=qosonly --qos=high",
    "--partition=ACCTONLY",
    "--constraint=A100",
    "--constraint=rack1",
    "--partition=multi --account=lab_dev --constraint=rack1&rack2",
    "--partition=multi --account=lab_dev --constraint=[rack1|rack2]",
    "--partition=multi --account=lab_dev --constraint=a100*2",
    "--partition=multi --account=lab_dev --constraint=[rack1&rack2]",
    "--partition=multi --account=lab_dev --constraint=[rack1*1&rack2*1]",
    "--partition=multi --account=lab_dev --constraint=[rack1|rack2]*2",
    // Per-job partition limits: `limited` (MaxNodes=1, MaxCPUsPerNode=4,
    // MaxMemPerNode=8000) and `memcap` (MaxMemPerCPU=2000), both open to lab_dev.
    "--partition=limited --account=lab_dev --cpus-per-task=4",
    "--partition=limited --account=lab_dev --cpus-per-task=5",
    "--partition=limited --account=lab_dev --nodes=2",
    "--partition=limited --account=lab_dev --mem=8000",
    "--partition=limited --account=lab_dev --mem=8001",
    "--partition=limited --account=lab_dev --ntasks=3 --cpus-per-task=2",
    "--partition=memcap --account=lab_dev --mem-per-cpu=3000",
    "--partition=memcap --account=lab_dev --mem=40000",
];

struct Case {
    name: String,
    text: String,
    what: String,
}

/// Replace the first directive of `option` (written long, `--option=`, or short) with `value`.
fn set_value(text: &str, option: &str, value: &str) -> Option<String> {
    let short = clusterls_sbatch::by_long(option).and_then(|o| o.short);
    let mut out = String::new();
    let mut done = false;
    for line in text.split_inclusive('\n') {
        if !done && line.starts_with("#SBATCH") {
            let words: Vec<&str> = line[7..].split_whitespace().collect();
            for (i, w) in words.iter().enumerate() {
                let long = format!("--{option}=");
                let hit = w.starts_with(&long)
                    || (*w == format!("--{option}"))
                    || short.is_some_and(|c| *w == format!("-{c}"));
                if hit {
                    let mut ws: Vec<String> = words.iter().map(|s| s.to_string()).collect();
                    if w.starts_with(&long) || *w == format!("--{option}") {
                        ws[i] = format!("--{option}={value}");
                        if *w == format!("--{option}")
                            && i + 1 < ws.len()
                            && !ws[i + 1].starts_with('-')
                        {
                            ws.remove(i + 1);
                        }
                    } else if i + 1 < ws.len() {
                        ws[i + 1] =
                            if value.is_empty() { "''".to_string() } else { value.to_string() };
                    }
                    out.push_str(&format!("#SBATCH {}\n", ws.join(" ")));
                    done = true;
                    break;
                }
            }
            if done {
                continue;
            }
        }
        out.push_str(line);
    }
    done.then_some(out)
}

/// Insert a directive line right after the shebang.
fn add_directive(text: &str, directive: &str) -> String {
    let nl = text.find('\n').unwrap() + 1;
    format!("{}#SBATCH {directive}\n{}", &text[..nl], &text[nl..])
}

fn directive_lines(text: &str) -> Vec<usize> {
    text.lines().enumerate().filter(|(_, l)| l.starts_with("#SBATCH")).map(|(i, _)| i).collect()
}

fn misspell(rng: &mut Rng, word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    let i = 1 + rng.below(chars.len().saturating_sub(1).max(1));
    let mut c = chars.clone();
    match rng.below(3) {
        0 => {
            c.remove(i.min(c.len() - 1));
        }
        1 => {
            if i + 1 < c.len() {
                c.swap(i, i + 1);
            } else {
                c.push('s');
            }
        }
        _ => c.insert(i.min(c.len()), *rng.pick(&['a', 'e', 'r', 's', 'i'])),
    }
    c.into_iter().collect()
}

fn mutate(rng: &mut Rng, seed: &str) -> (String, String) {
    match rng.below(12) {
        // What decides admission beyond partitions and accounts.
        10 => {
            let e = rng.pick(ADMISSION);
            (add_directive(seed, e), format!("added {e}"))
        }
        // A value from the good/bad pool for an option the seed has, or added.
        0..=2 => {
            let (opt, vals) = rng.pick(VALUES);
            let v = rng.pick(vals);
            match set_value(seed, opt, v) {
                Some(t) => (t, format!("--{opt}={v} (replaced)")),
                None => {
                    let d = if v.is_empty() { format!("--{opt}=") } else { format!("--{opt}={v}") };
                    (add_directive(seed, &d), format!("added {d}"))
                }
            }
        }
        // Misspell an option name of a directive.
        3 => {
            let lines: Vec<&str> = seed.lines().collect();
            let idx = *rng.pick(&directive_lines(seed));
            let line = lines[idx];
            let words: Vec<&str> = line[7..].split_whitespace().collect();
            let w = words[0];
            let (name, rest) = match w.split_once('=') {
                Some((n, r)) => (n, format!("={r}")),
                None => (w, String::new()),
            };
            let bad = if let Some(long) = name.strip_prefix("--") {
                format!("--{}", misspell(rng, long))
            } else {
                format!("-{}", (b'a' + rng.below(26) as u8) as char)
            };
            let new_line = line.replacen(w, &format!("{bad}{rest}"), 1);
            let mut v: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
            v[idx] = new_line;
            (v.join("\n") + "\n", format!("misspelled {name} as {bad}"))
        }
        // Partitions and accounts.
        4 => {
            let p = rng.pick(PARTITIONS);
            match set_value(seed, "partition", p) {
                Some(t) => (t, format!("partition {p}")),
                None => (
                    add_directive(seed, &format!("--partition={p}")),
                    format!("added partition {p}"),
                ),
            }
        }
        5 => {
            let a = rng.pick(ACCOUNTS);
            match set_value(seed, "account", a) {
                Some(t) => (t, format!("account {a}")),
                None => {
                    (add_directive(seed, &format!("--account={a}")), format!("added account {a}"))
                }
            }
        }
        // Move a directive below the first command.
        6 => {
            let mut lines: Vec<String> = seed.lines().map(String::from).collect();
            let idx = *rng.pick(&directive_lines(seed));
            let moved = lines.remove(idx);
            lines.push(moved.clone());
            (lines.join("\n") + "\n", format!("moved below the first command: {moved}"))
        }
        // Hide a directive from sbatch (`# SBATCH`, indented, lower case).
        7 => {
            let mut lines: Vec<String> = seed.lines().map(String::from).collect();
            let idx = *rng.pick(&directive_lines(seed));
            let how = rng.below(3);
            lines[idx] = match how {
                0 => lines[idx].replacen("#SBATCH", "# SBATCH", 1),
                1 => format!("  {}", lines[idx]),
                _ => lines[idx].replacen("#SBATCH", "#sbatch", 1),
            };
            (lines.join("\n") + "\n", format!("hid: {}", lines[idx]))
        }
        // Extra option lines (typos, getopt traps, options of other versions).
        8 => {
            let e = rng.pick(EXTRA_OPTIONS);
            (add_directive(seed, e), format!("added {e}"))
        }
        // A second heterogeneous job component after the seed's directives.
        9 if rng.below(3) == 0 => {
            let extra = rng.pick(&[
                "-n 1",
                "-p gpu -n 1",
                "-p bogus",
                "--mem=1G --mem-per-cpu=1G",
                "-p test -t 9:00:00",
                "-c 16",
            ]);
            let lines: Vec<&str> = seed.lines().collect();
            let last = directive_lines(seed).into_iter().max().unwrap_or(0);
            let mut out: Vec<String> = lines[..=last].iter().map(|s| s.to_string()).collect();
            out.push("#SBATCH hetjob".into());
            out.push(format!("#SBATCH {extra}"));
            out.extend(lines[last + 1..].iter().map(|s| s.to_string()));
            (out.join("\n") + "\n", format!("hetjob component: {extra}"))
        }
        // Two value mutations at once.
        _ => {
            let (a, wa) = mutate(rng, seed);
            let (b, wb) = mutate(rng, &a);
            (b, format!("{wa}; {wb}"))
        }
    }
}

/// The generator's seed when none is given, and the seeds a run uses: both, or
/// `CLUSTERLS_DIFF_SEED` alone.
const DEFAULT_SEED: u64 = 0x5eed_cafe_f00d_0001;
const SECOND_SEED: u64 = 20261130;

fn seeds() -> Vec<u64> {
    match std::env::var("CLUSTERLS_DIFF_SEED").ok().and_then(|s| s.parse().ok()) {
        Some(seed) => vec![seed],
        None => vec![DEFAULT_SEED, SECOND_SEED],
    }
}

fn generate(n: usize, seed: u64) -> Vec<Case> {
    let mut rng = Rng(seed | 1);
    let mut cases = Vec::new();
    for (i, s) in SEEDS.iter().enumerate() {
        cases.push(Case {
            name: format!("s{i:02}.sh"),
            text: s.to_string(),
            what: "seed, unmutated".into(),
        });
    }
    while cases.len() < n {
        let seed = rng.pick(SEEDS);
        let (text, what) = mutate(&mut rng, seed);
        cases.push(Case { name: format!("m{:04}.sh", cases.len()), text, what });
    }
    cases
}

/// One sbatch result: exit status, stderr, and whether the cluster looked healthy around it.
struct SbatchResult {
    rc: i32,
    stderr: String,
    healthy: bool,
}

/// Node states in which `--test-only` answers about the job, not about the cluster.
fn healthy(states: &str) -> bool {
    states
        .split([',', '/'])
        .filter(|s| !s.is_empty())
        .all(|s| matches!(s, "idle" | "mixed" | "allocated" | "completing" | "planned"))
}

/// sbatch --test-only on every script, as alice, in one ssh call: name -> result. The
/// node states before and after each call are recorded: a controller restarted by another
/// test, or a node not yet registered, makes sbatch refuse valid jobs ("Requested node
/// configuration is not available"), which says nothing about the script.
fn sbatch_test_only(c: &ClusterInfo, dir: &Path, names: &[&str]) -> HashMap<String, SbatchResult> {
    let remote_dir = format!(
        "clusterls-differential-{}-{}",
        std::process::id(),
        dir.file_name().unwrap().to_string_lossy()
    );
    let tar = Command::new("tar")
        .arg("-c")
        .arg("-C")
        .arg(dir)
        .args(names)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .expect("tar");
    assert!(tar.status.success());
    // Every remote command is an argv (each word shell-quoted by `ssh_command`); the
    // scripts travel as a tar stream on stdin.
    c.ssh_ok(&["rm", "-rf", &remote_dir]);
    c.ssh_ok(&["mkdir", "-p", &remote_dir]);
    let mut child = c
        .ssh_command(&["tar", "-x", "-C", &remote_dir])
        .stdin(Stdio::piped())
        .spawn()
        .expect("ssh");
    child.stdin.take().unwrap().write_all(&tar.stdout).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "copying the scripts to the cluster failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The loop runs in one remote bash, given as one argv word; the file names come
    // from the directory listing and are always quoted.
    let script = r#"cd "$1" || exit 1
st() { sinfo -h -o %T 2>/dev/null | sort -u | tr '\n' ,; }
for f in *.sh; do
  s1=$(st)
  sbatch --test-only "$f" >/dev/null 2>"$f.err"; rc=$?
  s2=$(st)
  printf '%s\t%s\t%s/%s\t%s\n' "$f" "$rc" "$s1" "$s2" "$(tr '\n\t' '  ' < "$f.err" | cut -c1-400)"
done"#;
    let out = c.ssh(&["bash", "-c", script, "loop", &remote_dir]);
    c.ssh_ok(&["rm", "-rf", &remote_dir]);
    assert!(
        out.status.success(),
        "running sbatch --test-only on the cluster failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut it = l.splitn(4, '\t');
            let name = it.next()?.to_string();
            let rc: i32 = it.next()?.parse().ok()?;
            let states = it.next()?.to_string();
            let stderr = it.next().unwrap_or("").to_string();
            let contact = stderr.contains("Unable to contact slurm controller")
                || stderr.contains("Socket timed out")
                || stderr.contains("Zero Bytes were transmitted");
            Some((name, SbatchResult { rc, stderr, healthy: healthy(&states) && !contact }))
        })
        .collect()
}

/// Wait (at most a minute) until every node is in a state where jobs can start.
fn wait_for_healthy_cluster(c: &ClusterInfo) {
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(60) {
        let o = c.ssh(&["sinfo", "-h", "-o", "%T"]);
        if o.status.success() && healthy(&String::from_utf8_lossy(&o.stdout).replace('\n', ",")) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
}

/// clusterls check on every script in one process: name -> error findings.
fn clusterls_errors(facts: &Path, dir: &Path, cases: &[Case]) -> HashMap<String, Vec<String>> {
    let out = Command::new(binary())
        .args(["check", "--no-shellcheck", "--format", "json", "--facts"])
        .arg(facts)
        .args(cases.iter().map(|c| dir.join(&c.name)))
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .expect("clusterls check");
    assert!(matches!(out.status.code(), Some(0 | 1)), "clusterls check failed: {:?}", out.status);
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut m: HashMap<String, Vec<String>> = HashMap::new();
    for f in v["findings"].as_array().unwrap() {
        if f["severity"] == "error" {
            let file = Path::new(f["file"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            m.entry(file).or_default().push(format!(
                "{}: {}",
                f["code"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            ));
        }
    }
    m
}

#[test]
fn clusterls_agrees_with_sbatch_test_only_on_slurm_22_05() {
    differential(&require_main_cluster(), &data("local-cluster-facts-22.05.json"), "22.05");
}

/// The checker with the facts of 24.11's cluster (recorded from it), so its
/// release-dependent answers are what is tested.
#[test]
fn clusterls_agrees_with_sbatch_test_only_on_slurm_24_11() {
    differential(
        &require_release_cluster("24.11"),
        &data("local-cluster-facts-24.11.json"),
        "24.11",
    );
}

/// Every seed on one cluster; each must agree on at least 99.5% of its scripts.
fn differential(cluster: &ClusterInfo, facts: &Path, release: &str) {
    let version =
        String::from_utf8_lossy(&cluster.ssh(&["sinfo", "--version"]).stdout).into_owned();
    assert!(version.contains(release), "the cluster for {release} runs {version}");
    let n: usize =
        std::env::var("CLUSTERLS_DIFF_N").ok().and_then(|s| s.parse().ok()).unwrap_or(2000);
    let mut failures = Vec::new();
    for seed in seeds() {
        let rate = one_seed(cluster, facts, release, seed, n);
        if rate < 0.995 {
            failures.push(format!("seed {seed}: {:.2}%", rate * 100.0));
        }
    }
    assert!(
        failures.is_empty(),
        "Slurm {release}: agreement below 99.5% ({}); the disagreements are printed above",
        failures.join(", ")
    );
}

/// One seed's scripts through both; the agreement rate.
fn one_seed(cluster: &ClusterInfo, facts: &Path, release: &str, seed: u64, n: usize) -> f64 {
    let mut cases = generate(n, seed);
    // Dependencies name a job that exists: a held one, submitted for this run. Slurm 24.11
    // refuses a dependency on a job it no longer knows ("Job dependency problem",
    // measured; 22.05 accepts it), which depends on the queue, not on the script.
    let held = cluster
        .sbatch(&[
            "--hold",
            "-p",
            "test",
            "-A",
            "lab_grads",
            "-t",
            "1",
            "-J",
            "differential-dep",
            "--wrap",
            "true",
        ])
        .unwrap_or_else(|e| panic!("sbatch of the held job the dependencies name: {e}"));
    for c in &mut cases {
        c.text = c
            .text
            .replace("afterok:1?afterany:2", &format!("afterok:{held}?afterany:{held}"))
            .replace("afterok:1\n", &format!("afterok:{held}\n"))
            .replace("afterok:1 ", &format!("afterok:{held} "));
    }
    let scratch = clusterls_tests::Scratch::new(&format!("differential-{release}-{seed}"));
    let dir = scratch.path();
    for c in &cases {
        std::fs::write(dir.join(&c.name), &c.text).unwrap();
    }
    wait_for_healthy_cluster(cluster);
    let start = std::time::Instant::now();
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    let mut sbatch = sbatch_test_only(cluster, dir, &names);
    let sbatch_secs = start.elapsed().as_secs_f64();
    // Scripts whose answer came while the cluster was not healthy are asked again.
    let mut reruns = 0;
    for _ in 0..3 {
        let again: Vec<&str> =
            names.iter().copied().filter(|n| sbatch.get(*n).is_none_or(|r| !r.healthy)).collect();
        if again.is_empty() {
            break;
        }
        reruns += again.len();
        wait_for_healthy_cluster(cluster);
        sbatch.extend(sbatch_test_only(cluster, dir, &again));
    }
    let _ = cluster.ssh(&["scancel", &held.to_string()]);
    let start = std::time::Instant::now();
    let ours = clusterls_errors(facts, dir, &cases);
    let ours_secs = start.elapsed().as_secs_f64();
    let mut agree = 0;
    let mut refused = 0;
    let mut disagreements = Vec::new();
    for c in &cases {
        let r = sbatch.get(&c.name).unwrap_or_else(|| panic!("no sbatch result for {}", c.name));
        let (rc, err) = (r.rc, &r.stderr);
        let sbatch_refuses = rc != 0;
        refused += usize::from(sbatch_refuses);
        let errors = ours.get(&c.name).cloned().unwrap_or_default();
        if sbatch_refuses != errors.is_empty() {
            agree += 1;
        } else {
            disagreements.push(format!(
                "--- {} ({})\n{}sbatch: exit {rc}: {err}\nclusterls errors: {errors:?}\n",
                c.name, c.what, c.text
            ));
        }
    }
    let rate = agree as f64 / cases.len() as f64;
    eprintln!(
        "differential on Slurm {release}, seed {seed}: {} scripts ({} refused by sbatch), agreement {agree}/{} = {:.2}%; sbatch --test-only batch {sbatch_secs:.1}s ({reruns} asked again after the cluster was unhealthy), clusterls check {ours_secs:.2}s",
        cases.len(),
        refused,
        cases.len(),
        rate * 100.0
    );
    for d in &disagreements {
        eprintln!("{d}");
    }
    assert!(cases.len() >= 500);
    assert!(
        refused * 4 > cases.len() && refused * 4 < cases.len() * 3,
        "the generator should make both kinds"
    );
    rate
}
