//! Data-driven tests of the checks: one `check(script, expect)` helper, many small cases.
//! Each finding renders as `line:col severity code: message` with the text it covers and
//! its fixes.

use clusterls_core::{ClusterFacts, Finding, LineIndex, text::human_position};
use expect_test::{Expect, expect};

fn facts() -> ClusterFacts {
    serde_json::from_str(
        r#"{
        "slurm_version": "22.05.8",
        "partitions": [
          {"name": "cpu", "is_default": true, "max_time_minutes": 10080, "nodes": ["c1","c2"],
           "cpus_per_node": 32, "mem_per_node_mb": 192000},
          {"name": "gpu", "max_time_minutes": 2880, "nodes": ["g1","g2","g3","g4"], "cpus_per_node": 64,
           "mem_per_node_mb": 512000, "gpus": [{"type": "a100", "count": 4}]},
          {"name": "gpu_test", "max_time_minutes": 60, "nodes": ["g5"], "cpus_per_node": 16,
           "mem_per_node_mb": 128000, "gpus": [{"type": "a100", "count": 2}]},
          {"name": "old", "state": "down", "nodes": ["o1"]}
        ],
        "associations": [
          {"account": "lab_grads", "partition": "cpu"},
          {"account": "lab_dev"}
        ],
        "default_account": "lab_grads",
        "qos": ["normal", "high"],
        "images": [
          {"name": "pytorch_2.2.1-cuda12.1-cudnn8-devel.sif", "path": "/images/pytorch_2.2.1-cuda12.1-cudnn8-devel.sif"}
        ]
      }"#,
    )
    .unwrap()
}

fn render(text: &str, findings: &[Finding]) -> String {
    let idx = LineIndex::new(text);
    let mut out = String::new();
    for f in findings {
        let (l, c) = human_position(text, &idx, f.range.start);
        out += &format!(
            "{l}:{c} {} {}: {}\n    at {:?}\n",
            f.severity.as_str(),
            f.code,
            f.message,
            &text[f.range.clone()]
        );
        for fix in &f.fixes {
            let edits: Vec<String> = fix
                .edits
                .iter()
                .map(|e| format!("{:?}->{:?}", &text[e.range.clone()], e.replacement))
                .collect();
            out += &format!("    fix {}: {}\n", fix.title, edits.join(", "));
        }
    }
    if out.is_empty() { "no findings\n".to_string() } else { out }
}

/// The script gets `#!/bin/bash\n` prepended and `srun true\n` appended unless it has its own.
#[track_caller]
fn check_with(script: &str, facts: Option<&ClusterFacts>, expect: Expect) {
    let mut text = String::new();
    if !script.starts_with("#!") && !script.starts_with("NOSHEBANG") {
        text.push_str("#!/bin/bash\n");
    }
    text.push_str(script.strip_prefix("NOSHEBANG").unwrap_or(script));
    let findings = clusterls_sbatch::check(&text, facts);
    expect.assert_eq(&render(&text, &findings));
}

#[track_caller]
fn check(script: &str, expect: Expect) {
    check_with(script, None, expect);
}

#[track_caller]
fn check_facts(script: &str, expect: Expect) {
    check_with(script, Some(&facts()), expect);
}

#[test]
fn clean_script() {
    check(
        "#SBATCH --job-name=train\n#SBATCH --time=1-00:00:00\n#SBATCH --mem=16G\n#SBATCH -N 1 -n 4 -c 8\n#SBATCH --gres=gpu:a100:2\n#SBATCH --output=logs/%x-%j.out\nsrun python train.py\n",
        expect![[r#"
            no findings
        "#]],
    );
}

#[test]
fn file_level() {
    check(
        "NOSHEBANG#SBATCH --time=5\necho hi\n",
        expect![[r##"
        1:1 error sbatch/no-shebang: sbatch refuses a script whose first line is not `#!` and an interpreter; add `#!/bin/bash` as the first line.
            at "#SBATCH --time=5"
            fix Add `#!/bin/bash` as the first line: ""->"#!/bin/bash\n"
    "##]],
    );
    check(
        "#!/bin/bash\r\n#SBATCH --time=5\r\necho\r\n",
        expect![[r#"
        1:12 error sbatch/dos-line-endings: The script has DOS line endings (\r\n): sbatch refuses it. Convert it to Unix line endings (dos2unix, or your editor's LF setting).
            at "\r"
            fix Convert to Unix line endings: "\r"->"", "\r"->"", "\r"->""
    "#]],
    );
    check(
        "NOSHEBANG",
        expect![[r#"
        1:1 error sbatch/empty-script: The script is empty: sbatch refuses it. Start with `#!/bin/bash`, then #SBATCH lines, then commands.
            at ""
    "#]],
    );
}

#[test]
fn unknown_ambiguous_abbreviated() {
    check(
        "#SBATCH --partiton=gpu\n#SBATCH --tim=5\n#SBATCH --part=gpu\n#SBATCH -P gpu\necho\n",
        expect![[r#"
        2:9 error sbatch/unknown-option: sbatch has no option `--partiton`: it refuses the script ("Invalid directive found in batch script"). Did you mean --partition?
            at "--partiton"
            fix Change to --partition: "--partiton"->"--partition"
        3:9 error sbatch/ambiguous-option: `--tim` is ambiguous (it could be --time, --time-min): sbatch refuses it. Write the option in full.
            at "--tim"
        4:9 hint sbatch/abbreviated-option: `--part` works as an abbreviation of --partition, but may become ambiguous in a later Slurm; write it in full.
            at "--part"
            fix Write --partition: "--part"->"--partition"
        5:9 error sbatch/unknown-option: sbatch has no option `-P` (-p is --partition): it refuses the script. Use the long form, e.g. --partition=NAME.
            at "-P"
        5:12 error sbatch/stray-word: sbatch refuses the script: `gpu` is not an option ("Invalid directive found in batch script"). Remove it, or quote it into the value it belongs to.
            at "gpu"
    "#]],
    );
}

#[test]
fn values_time() {
    check(
        "#SBATCH --time=1:30\n#SBATCH --time-min=abc\n#SBATCH -t 1h\n#SBATCH --time=\necho\n",
        expect![[r#"
            2:9 warning sbatch/duplicate-option: --time is given again on line 4 and sbatch uses the last one (`1h`); remove the one you don't mean.
                at "--time=1:30"
            2:16 info sbatch/time-minutes-seconds: `1:30` means 1 min 30 s, not 1 h 30 min. If you meant hours, write 1:30:00.
                at "1:30"
                fix Write 1:30:00: "1:30"->"1:30:00"
            3:20 error sbatch/invalid-time: --time-min: `abc` is not a time limit (`a` is not allowed); write one of minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes, days-hours:minutes:seconds or UNLIMITED.
                at "abc"
            4:9 warning sbatch/duplicate-option: --time is given again on line 5 and sbatch uses the last one (``); remove the one you don't mean.
                at "-t 1h"
            4:12 error sbatch/invalid-time: --time: `1h` is not a time limit (`h` is not allowed); write one of minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes, days-hours:minutes:seconds or UNLIMITED.
                at "1h"
            5:9 error sbatch/missing-value: --time has an empty value. Write --time=<time>.
                at "--time="
        "#]],
    );
}

#[test]
fn values_memory_counts_nodes() {
    check(
        "#SBATCH --mem=16GB\n#SBATCH --mem-per-cpu=1.5G\n#SBATCH -c 0\n#SBATCH --ntasks=four\n#SBATCH -N 4-2\necho\n",
        expect![[r#"
            3:23 error sbatch/invalid-memory: --mem-per-cpu: `1.5G` is not a memory size: the suffix must be one of K, M, G, T; sizes are whole numbers: write e.g. 1536M instead of 1.5G.
                at "1.5G"
            4:12 error sbatch/invalid-number: --cpus-per-task: must be at least 1.
                at "0"
            5:18 error sbatch/invalid-number: --ntasks: `four` is not a whole number.
                at "four"
            6:12 error sbatch/invalid-node-count: --nodes: node range `4-2` has its maximum below its minimum; write 2-4.
                at "4-2"
        "#]],
    );
}

#[test]
fn values_gres_gpus_array_dependency() {
    check(
        "#SBATCH --gres=gpu=2\n#SBATCH --gpus=a100:x\n#SBATCH --array=0-10%0\n#SBATCH --dependency=aftrok:123\n#SBATCH --mail-type=FINISH\n#SBATCH --signal=X:USR1@90\n#SBATCH --begin=someday\necho\n",
        expect![[r#"
            2:16 error sbatch/invalid-gres: --gres: `gpu=2`: --gres uses `:` before the count; write `gpu:2`.
                at "gpu=2"
                fix Write gpu:2: "gpu=2"->"gpu:2"
            3:16 error sbatch/invalid-gpus: --gpus: `a100:x` is not a GPU count; write [type:]count, e.g. 4 or a100:4.
                at "a100:x"
            5:22 error sbatch/invalid-dependency: --dependency: `aftrok` is not a dependency type (did you mean `afterok`?); use after, afterany, afterok, afternotok, aftercorr, afterburstbuffer or singleton.
                at "aftrok:123"
            6:21 error sbatch/invalid-mail-type: --mail-type: `FINISH` is not a mail type; use NONE, BEGIN, END, FAIL, REQUEUE, ALL, TIME_LIMIT, TIME_LIMIT_90, TIME_LIMIT_80, TIME_LIMIT_50, ARRAY_TASKS.
                at "FINISH"
            7:18 error sbatch/invalid-signal: --signal: `X:` must be R:, B: or RB: (B signals the batch shell).
                at "X:USR1@90"
            8:17 error sbatch/invalid-begin: --begin: `someday` is not a time Slurm understands; write e.g. 16:00, now+1hour, tomorrow, 2025-01-20T12:34:00.
                at "someday"
        "#]],
    );
}

#[test]
fn values_patterns_export_choices() {
    check(
        "#SBATCH --output=slurm-%q.out\n#SBATCH --error=%a.err\n#SBATCH --export=1BAD\n#SBATCH --open-mode=apend\n#SBATCH --exclusive=usr\n#SBATCH --constraint=a100&\n#SBATCH --kill-on-invalid-dep=maybe\necho\n",
        expect![[r#"
            2:24 warning sbatch/filename-pattern: `%q` is not a Slurm file name pattern and stays as written. Use %j (job id), %A/%a (array job/task), %x (job name), %u (user), %N (node), or %% for a literal %.
                at "%q"
            3:17 info sbatch/filename-pattern: %a/%A only mean something in job arrays (there is no --array here); use %j for the job id.
                at "%a.err"
            4:18 warning sbatch/invalid-export: --export: `1BAD` is not an environment variable name; sbatch passes it on as is, and the job will not see such a variable.
                at "1BAD"
            6:21 error sbatch/invalid-choice: --exclusive: `usr` is not one of user, mcs, topo.
                at "usr"
                fix Change to user: "usr"->"user"
            7:22 error sbatch/invalid-constraint: --constraint: `a100&` ends with an operator.
                at "a100&"
            8:31 error sbatch/invalid-choice: --kill-on-invalid-dep: `maybe` is not one of yes, no.
                at "maybe"
        "#]],
    );
}

#[test]
fn getopt_errors() {
    check(
        "#SBATCH --nice 5\n#SBATCH --contiguous=yes\n#SBATCH --time\n",
        expect![[r#"
            2:16 error sbatch/stray-word: sbatch refuses the script: --nice takes its value only after `=`, so `5` is a stray word ("Invalid directive found in batch script"). Write --nice=5.
                at "5"
                fix Write --nice=5: " "->"="
            3:21 error sbatch/unexpected-value: --contiguous takes no value: sbatch refuses the script. Remove `=yes`.
                at "=yes"
                fix Remove the value: "=yes"->""
            4:9 error sbatch/missing-value: --time needs a value: sbatch refuses the script. Write --time=<time>.
                at "--time"
        "#]],
    );
    check(
        "#SBATCH --job-name=\"unterminated\n#SBATCH :bad\necho\n",
        expect![[r#"
        2:9 error sbatch/unmatched-quote: Unmatched ": sbatch refuses the script. Close the quote on the same line.
            at "--job-name=\"unterminated"
        3:9 error sbatch/leading-colon: sbatch refuses a directive word that starts with `:`. Remove the colon (heterogeneous jobs use `#SBATCH hetjob`).
            at ":bad"
    "#]],
    );
    check(
        "#SBATCH --mail-user=<your e-mail>\necho\n",
        expect![[r#"
        2:27 error sbatch/stray-word: sbatch refuses the script: `e-mail>` is not an option ("Invalid directive found in batch script"). Remove it, or quote it into the value it belongs to.
            at "e-mail>"
    "#]],
    );
}

#[test]
fn placement() {
    check(
        "  #SBATCH --mem=1G\n# SBATCH --mem=2G\n#sbatch --mem=3G\n##SBATCH --mem=4G\n#SLURM --time=5\nmodule load cuda\n#SBATCH --time=10\n",
        expect![[r##"
            2:1 warning sbatch/indented-directive: sbatch ignores an indented #SBATCH: it must start at column 1. Remove the indentation.
                at "  #SBATCH --mem=1G"
                fix Remove the indentation: "  "->""
            3:1 warning sbatch/spaced-directive: sbatch ignores `# SBATCH` (space after `#`). Write `#SBATCH` to apply it, or `##SBATCH` to disable it on purpose.
                at "# SBATCH --mem=2G"
                fix Write #SBATCH: " "->""
            4:1 warning sbatch/directive-case: sbatch only reads `#SBATCH` in capitals; this line is ignored. Write `#SBATCH`.
                at "#sbatch --mem=3G"
                fix Write #SBATCH: "#sbatch"->"#SBATCH"
            6:1 warning sbatch/slurm-magic: `#SLURM` is read, but sbatch prints an error asking to change it; write `#SBATCH`.
                at "#SLURM"
                fix Write #SBATCH: "#SLURM"->"#SBATCH"
            8:1 warning sbatch/directive-after-command: sbatch ignores this line: directives stop at the first command (line 7: `module load cuda`). Move it above that line.
                at "#SBATCH --time=10"
                fix Move above line 7: ""->"#SBATCH --time=10\n", "#SBATCH --time=10\n"->""
        "##]],
    );
}

#[test]
fn shell_variables() {
    check(
        "#SBATCH --output=/scratch/$USER/logs/${SLURM_JOB_ID}.out\n#SBATCH --job-name=$NAME\n#SBATCH --chdir=$(pwd)\n#SBATCH --error=~/err.log\necho\n",
        expect![[r#"
            2:18 warning sbatch/shell-variable: sbatch takes #SBATCH values literally: `/scratch/$USER/logs/${SLURM_JOB_ID}.out` is not expanded by the shell. Write the value itself or use %j, %x, %u, %A, %a, or pass it on the command line (sbatch --output="$VAR" script).
                at "/scratch/$USER/logs/${SLURM_JOB_ID}.out"
                fix Write /scratch/%u/logs/%j.out: "/scratch/$USER/logs/${SLURM_JOB_ID}.out"->"/scratch/%u/logs/%j.out"
            3:20 warning sbatch/shell-variable: sbatch takes #SBATCH values literally: `$NAME` is not expanded by the shell. Write the value itself, or pass it on the command line (sbatch --job-name="$VAR" script).
                at "$NAME"
            4:17 warning sbatch/shell-variable: sbatch takes #SBATCH values literally: `$(pwd)` is not expanded by the shell. Write the value itself, or pass it on the command line (sbatch --chdir="$VAR" script).
                at "$(pwd)"
            5:17 warning sbatch/shell-variable: sbatch does not expand `~`: the file would go to a directory literally named `~`. Write the full path, or a path relative to the working directory.
                at "~/err.log"
        "#]],
    );
}

#[test]
fn conflicts_and_duplicates() {
    check(
        "#SBATCH --mem=4G\n#SBATCH --mem-per-cpu=1G\n#SBATCH --gres=gpu:2\n#SBATCH --gpus-per-node=2\n#SBATCH --time=10\n#SBATCH --time=20\n#SBATCH -N 4 -n 2\n#SBATCH --time-min=30\necho\n",
        expect![[r#"
            3:9 error sbatch/mem-conflict: --mem and --mem-per-cpu exclude each other: sbatch refuses the script. Keep only one of them.
                at "--mem-per-cpu=1G"
            5:9 warning sbatch/gpu-conflict: GPUs are requested twice, with --gres (line 4) and --gpus-per-node; keep one (they must agree or the job is refused).
                at "--gpus-per-node=2"
            6:9 warning sbatch/duplicate-option: --time is given again on line 7 and sbatch uses the last one (`20`); remove the one you don't mean.
                at "--time=10"
            8:14 warning sbatch/task-layout: 2 task(s) cannot be spread over 4 nodes (line 8): sbatch lowers the node count to 2. Ask for at least 4 tasks or fewer nodes.
                at "-n 2"
            9:9 error sbatch/time-min-over-time: --time-min (30 minutes) is longer than --time on line 7 (20 minutes); lower it.
                at "--time-min=30"
        "#]],
    );
    check(
        "#SBATCH -N 2 --ntasks-per-node=4 -n 16\n#SBATCH --mem-per-gpu=8G\n#SBATCH --cpus-per-gpu=4\necho\n",
        expect![[r#"
            2:34 error sbatch/task-layout: 16 tasks do not fit on 2 node(s) × 4 tasks per node; raise --nodes or --ntasks-per-node, or lower --ntasks.
                at "-n 16"
            3:9 error sbatch/per-gpu-without-gpus: --mem-per-gpu without a GPU request: sbatch refuses the job ("did not request any GPU"). Request GPUs (--gres=gpu:N or --gpus-per-node=N) or use --mem.
                at "--mem-per-gpu=8G"
            4:9 warning sbatch/per-gpu-without-gpus: --cpus-per-gpu without a GPU request has no effect; request GPUs or use --cpus-per-task.
                at "--cpus-per-gpu=4"
        "#]],
    );
}

#[test]
fn not_in_script() {
    check(
        "#SBATCH --help\n#SBATCH --wrap=\"echo\"\n#SBATCH --test-only\necho\n",
        expect![[r#"
            2:9 warning sbatch/not-in-script: --help only works on sbatch's command line; in a script it is ignored. Remove it.
                at "--help"
            3:9 warning sbatch/not-in-script: --wrap only makes sense on the command line (it generates a script); inside a script it is ignored. Put the command in the script's body.
                at "--wrap"
            4:9 warning sbatch/not-in-script: --test-only in the script means the job is never submitted. Remove it, and pass --test-only on the command line when you want a dry run.
                at "--test-only"
        "#]],
    );
}

#[test]
fn facts_partition_account_qos() {
    check_facts(
        "#SBATCH -p gpuu\necho\n",
        expect![[r#"
        2:12 error sbatch/unknown-partition: The cluster has no partition `gpuu`: sbatch refuses the job. Did you mean `gpu`? Partitions: cpu, gpu, gpu_test, old.
            at "gpuu"
            fix Change to gpu: "gpuu"->"gpu"
    "#]],
    );
    check_facts(
        "#SBATCH -p gpu\n#SBATCH -A lab_grads\necho\n",
        expect![[r#"
        3:12 error sbatch/account-partition: Account `lab_grads` may not use partition gpu: sbatch refuses the job ("Invalid account or account/partition combination"). `lab_grads` may use: cpu. Accounts allowed on gpu: lab_dev.
            at "lab_grads"
    "#]],
    );
    check_facts(
        "#SBATCH -p gpu\necho\n",
        expect![[r#"
        2:9 error sbatch/account-partition: Account `lab_grads` may not use partition gpu: sbatch refuses the job ("Invalid account or account/partition combination"). `lab_grads` may use: cpu. Accounts allowed on gpu: lab_dev.
            at "-p gpu"
    "#]],
    );
    check_facts(
        "#SBATCH -A lab_grad\necho\n",
        expect![[r#"
        2:12 error sbatch/unknown-account: You have no account `lab_grad` on this cluster: sbatch refuses the job ("Invalid account"). Did you mean `lab_grads`? Your accounts: lab_dev, lab_grads.
            at "lab_grad"
            fix Change to lab_grads: "lab_grad"->"lab_grads"
    "#]],
    );
    // A misspelled partition does not hide an account the user lacks everywhere.
    check_facts(
        "#SBATCH -p gpuu\n#SBATCH -A other_lab\necho\n",
        expect![[r#"
            2:12 error sbatch/unknown-partition: The cluster has no partition `gpuu`: sbatch refuses the job. Did you mean `gpu`? Partitions: cpu, gpu, gpu_test, old.
                at "gpuu"
                fix Change to gpu: "gpuu"->"gpu"
            3:12 error sbatch/unknown-account: You have no account `other_lab` on this cluster: sbatch refuses the job ("Invalid account"). Your accounts: lab_dev, lab_grads.
                at "other_lab"
        "#]],
    );
    check_facts(
        "#SBATCH -p old\n#SBATCH --qos=hgh\necho\n",
        expect![[r#"
        2:9 error sbatch/account-partition: Account `lab_grads` may not use partition old: sbatch refuses the job ("Invalid account or account/partition combination"). `lab_grads` may use: cpu. Accounts allowed on old: lab_dev.
            at "-p old"
        2:9 warning sbatch/partition-down: partition old is DOWN: the job will be accepted but will not start until an admin brings it up. Use another partition.
            at "-p old"
        3:15 error sbatch/unknown-qos: The cluster has no QOS `hgh`: sbatch refuses the job ("Invalid qos specification"). Did you mean `high`? QOS: normal, high.
            at "hgh"
            fix Change to high: "hgh"->"high"
    "#]],
    );
    check_facts(
        "#SBATCH -p cpu,gpu -A lab_dev\necho\n",
        expect![[r#"
        no findings
    "#]],
    );
}

#[test]
fn facts_limits() {
    check_facts(
        "#SBATCH -p gpu_test -A lab_dev\n#SBATCH --time=2:00:00\necho\n",
        expect![[r#"
            3:16 error sbatch/time-over-limit: 2 hours is longer than partition gpu_test's limit of 1 hour (01:00:00): sbatch refuses the job. Ask for at most 01:00:00.
                at "2:00:00"
                fix Set the time to 01:00:00: "2:00:00"->"01:00:00"
        "#]],
    );
    check_facts(
        "#SBATCH -A lab_grads --gres=gpu:1\necho\n",
        expect![[r#"
        2:22 error sbatch/no-gpus-on-partition: the default partition cpu has no GPUs: the job is refused ("Requested node configuration is not available"). Partitions with GPUs: gpu, gpu_test.
            at "--gres=gpu:1"
    "#]],
    );
    check_facts(
        "#SBATCH -p gpu -A lab_dev --gres=gpu:h100:8\n#SBATCH --gpus=a100:40\necho\n",
        expect![[r#"
            2:34 error sbatch/gpu-type: partition gpu has no `h100` GPUs: the job is refused. Types there: a100.
                at "gpu:h100:8"
            2:34 error sbatch/too-many-gpus: partition gpu nodes have 4 GPU(s) each; 8 per node were asked for: the job is refused ("Requested node configuration is not available"). Ask for at most 4 per node, and more nodes if you need more GPUs.
                at "gpu:h100:8"
            3:16 error sbatch/too-many-gpus: 40 GPUs cannot fit: 4 per node over at most 4 node(s) of partition gpu is 16 ("Node count specification invalid"). Ask for at most 16, or more GPUs per node.
                at "a100:40"
        "#]],
    );
    check_facts(
        "#SBATCH -p gpu_test -A lab_dev -c 32\n#SBATCH --mem=200G\n#SBATCH -N 3\necho\n",
        expect![[r#"
            2:35 error sbatch/too-many-cpus: partition gpu_test's nodes have 16 CPUs; one task cannot have 32: the job is refused. Ask for at most 16.
                at "32"
            3:15 error sbatch/too-much-memory: 200G per node is more than partition gpu_test's nodes have (125G): the job is refused ("Requested node configuration is not available"). Ask for at most 125G, or --mem=0 for all of it.
                at "200G"
            4:12 error sbatch/too-many-nodes: partition gpu_test has 1 node(s); 3 were asked for: sbatch refuses the job. Ask for at most 1.
                at "3"
        "#]],
    );
    check_facts(
        "#SBATCH -A lab_grads --ntasks-per-node=8 -c 8\n#SBATCH --mem-per-cpu=8G\necho\n",
        expect![[r#"
        2:22 error sbatch/too-many-cpus: 8 tasks per node × 8 CPUs per task = 64 CPUs, but the default partition cpu's nodes have 32: the job is refused. Lower --ntasks-per-node or --cpus-per-task.
            at "--ntasks-per-node=8"
        3:23 error sbatch/too-much-memory: 8G per CPU × 64 CPU(s) per node = 512G, more than the default partition cpu's nodes have (192000M): the job is refused. Lower --mem-per-cpu.
            at "8G"
    "#]],
    );
    check_facts(
        "#SBATCH --prefer=a100\necho\n",
        expect![[r#"
        no findings
    "#]],
    );
}

#[test]
fn containers() {
    check_facts(
        "#SBATCH -p gpu -A lab_dev --gres=gpu:1\nsingularity pull docker://pytorch/pytorch\napptainer exec pytorch_2.1.2-cuda12.1-cudnn8-devel.sif python train.py\nsingularity exec --nv /images/pytorch_2.2.1-cuda12.1-cudnn8-devel.sif python x.py\n",
        expect![[r#"
            3:1 warning sbatch/pull-in-gpu-job: `singularity pull` inside a GPU job holds the GPUs idle while the image downloads and converts. Pull the image beforehand (a small CPU job or `clusterls pull`) and only run it here.
                at "singularity pull"
            4:1 warning sbatch/container-no-nv: The job asks for GPUs but `apptainer exec` has no --nv: the container will not see them. Add --nv.
                at "apptainer exec"
                fix Add --nv: ""->" --nv"
            4:16 warning sbatch/image-not-pulled: `apptainer exec` runs `pytorch_2.1.2-cuda12.1-cudnn8-devel.sif`, but this script writes `pytorch_latest.sif` (line 3): the job runs another image than the one it pulls, or fails if `pytorch_2.1.2-cuda12.1-cudnn8-devel.sif` does not exist. Did you mean `pytorch_latest.sif`?
                at "pytorch_2.1.2-cuda12.1-cudnn8-devel.sif"
                fix Change to pytorch_latest.sif: "pytorch_2.1.2-cuda12.1-cudnn8-devel.sif"->"pytorch_latest.sif"
        "#]],
    );
    check_facts(
        "#SBATCH -A lab_grads\nsingularity exec img.sif python x.py # cpu job: no --nv needed\n",
        expect![[r#"
            no findings
        "#]],
    );
}

/// `facts()` with the image directory the facts read.
fn image_facts() -> ClusterFacts {
    let mut f = facts();
    f.image_dir = Some("/images".into());
    f
}

#[track_caller]
fn check_images(script: &str, expect: Expect) {
    check_with(script, Some(&image_facts()), expect);
}

/// The image a script runs against the one it pulls in the same script.
#[test]
fn image_not_pulled() {
    // `pull URI` writes NAME_TAG.sif; the run names another tag.
    check(
        "#SBATCH -A lab_grads\napptainer pull docker://pytorch/pytorch:2.2.1-cuda12.1\napptainer exec pytorch_2.1.2-cuda12.1.sif python x.py\n",
        expect![[r#"
            4:16 warning sbatch/image-not-pulled: `apptainer exec` runs `pytorch_2.1.2-cuda12.1.sif`, but this script writes `pytorch_2.2.1-cuda12.1.sif` (line 3): the job runs another image than the one it pulls, or fails if `pytorch_2.1.2-cuda12.1.sif` does not exist. Did you mean `pytorch_2.2.1-cuda12.1.sif`?
                at "pytorch_2.1.2-cuda12.1.sif"
                fix Change to pytorch_2.2.1-cuda12.1.sif: "pytorch_2.1.2-cuda12.1.sif"->"pytorch_2.2.1-cuda12.1.sif"
        "#]],
    );
    // An explicit output name, a path, --name; quotes.
    check(
        "#SBATCH -A lab_grads\nsingularity pull \"$HOME/img/torch-24.01.sif\" docker://nvcr.io/nvidia/pytorch:24.01-py3\nsingularity run \"$HOME/img/torch-24.02.sif\"\nsingularity pull --name tf_2.15.sif docker://tensorflow/tensorflow:2.15.0\nsingularity exec tf_2.14.sif python y.py\n",
        expect![[r#"
            6:18 warning sbatch/image-not-pulled: `singularity exec` runs `tf_2.14.sif`, but this script writes `tf_2.15.sif` (line 5): the job runs another image than the one it pulls, or fails if `tf_2.14.sif` does not exist. Did you mean `tf_2.15.sif`?
                at "tf_2.14.sif"
                fix Change to tf_2.15.sif: "tf_2.14.sif"->"tf_2.15.sif"
        "#]],
    );
    // What the pull writes, run: nothing; no tag: `_latest`.
    check(
        "#SBATCH -A lab_grads\napptainer pull docker://alpine\napptainer exec alpine_latest.sif true\napptainer pull out/py.sif docker://python:3.11\napptainer exec out/py.sif python\n",
        expect![[r#"
            no findings
        "#]],
    );
    // A pull into a variable could write anything; an unrelated image is not a near miss.
    check(
        "#SBATCH -A lab_grads\nIMG=py_3.12.sif\napptainer pull $IMG docker://python:3.12\napptainer exec py_3.11.sif python\n",
        expect![[r#"
            no findings
        "#]],
    );
    check(
        "#SBATCH -A lab_grads\napptainer pull docker://python:3.12\napptainer exec /shared/images/base.sif python\n",
        expect![[r#"
            no findings
        "#]],
    );
}

/// Images against the cluster's image directory: said only when the facts know it.
#[test]
fn image_not_found() {
    check_images(
        "#SBATCH -A lab_grads\napptainer exec /images/pytorch_2.1.2-cuda12.1-cudnn8-devel.sif python x.py\napptainer exec /images/other.sif true\napptainer exec /elsewhere/other.sif true\napptainer exec /images/pytorch_2.2.1-cuda12.1-cudnn8-devel.sif true\n",
        expect![[r#"
            3:16 warning sbatch/image-not-found: `/images/pytorch_2.1.2-cuda12.1-cudnn8-devel.sif` does not exist on the cluster; the job will fail when it starts. Did you mean `pytorch_2.2.1-cuda12.1-cudnn8-devel.sif`? Images in /images: pytorch_2.2.1-cuda12.1-cudnn8-devel.sif.
                at "/images/pytorch_2.1.2-cuda12.1-cudnn8-devel.sif"
                fix Change to pytorch_2.2.1-cuda12.1-cudnn8-devel.sif: "pytorch_2.1.2-cuda12.1-cudnn8-devel.sif"->"pytorch_2.2.1-cuda12.1-cudnn8-devel.sif"
            4:16 warning sbatch/image-not-found: `/images/other.sif` does not exist on the cluster; the job will fail when it starts. Images in /images: pytorch_2.2.1-cuda12.1-cudnn8-devel.sif.
                at "/images/other.sif"
        "#]],
    );
    // Relative: the job's working directory is unknown; a near name is a hint.
    check_images(
        "#SBATCH -A lab_grads\napptainer exec pytorch_2.1.2-cuda12.1-cudnn8-devel.sif python x.py\napptainer exec mine.sif true\napptainer exec pytorch_2.2.1-cuda12.1-cudnn8-devel.sif true\n",
        expect![[r#"
            3:16 info sbatch/image-not-found: `pytorch_2.1.2-cuda12.1-cudnn8-devel.sif` is not in the cluster's image directory; unless the job's working directory has it, the job will fail when it starts. Did you mean `/images/pytorch_2.2.1-cuda12.1-cudnn8-devel.sif`? Images in /images: pytorch_2.2.1-cuda12.1-cudnn8-devel.sif.
                at "pytorch_2.1.2-cuda12.1-cudnn8-devel.sif"
                fix Change to /images/pytorch_2.2.1-cuda12.1-cudnn8-devel.sif: "pytorch_2.1.2-cuda12.1-cudnn8-devel.sif"->"/images/pytorch_2.2.1-cuda12.1-cudnn8-devel.sif"
        "#]],
    );
    // Without the image directory in the facts: nothing.
    check_facts(
        "#SBATCH -A lab_grads\napptainer exec /images/other.sif true\n",
        expect![[r#"
            no findings
        "#]],
    );
}

/// `--nv` in GPU jobs: apptainer/singularity only (ch-run has no such flag).
#[test]
fn container_no_nv() {
    check(
        "#SBATCH --gpus=1\napptainer run img.sif && singularity exec --nvccli img.sif nvidia-smi\nch-run /var/tmp/img -- nvidia-smi\nsingularity instance start --nv img.sif inst\n",
        expect![[r#"
            3:1 warning sbatch/container-no-nv: The job asks for GPUs but `apptainer run` has no --nv: the container will not see them. Add --nv.
                at "apptainer run"
                fix Add --nv: ""->" --nv"
        "#]],
    );
    check(
        "#SBATCH --gres=gpu:a100:2\n/usr/bin/apptainer exec --bind /data:/data img.sif python\n",
        expect![[r#"
            3:1 warning sbatch/container-no-nv: The job asks for GPUs but `apptainer exec` has no --nv: the container will not see them. Add --nv.
                at "/usr/bin/apptainer exec"
                fix Add --nv: ""->" --nv"
        "#]],
    );
}

/// `--output`/`--error` directories, as the facts' `test -d` found them.
#[test]
fn output_dir_missing() {
    let mut f = facts();
    f.admission.dirs = serde_json::from_str(
        r#"[{"path": "/scratch/alice/logs", "exists": false}, {"path": "/home/alice", "exists": true},
            {"path": "/work/x/out", "exists": false}]"#,
    )
    .unwrap();
    check_with(
        "#SBATCH -A lab_grads -o /scratch/alice/logs/%j.out\n#SBATCH --error=/home/alice/%x.err\necho\n",
        Some(&f),
        expect![[r#"
            2:25 warning sbatch/output-dir-missing: The directory /scratch/alice/logs does not exist on the cluster: Slurm does not create it, so the job would start, fail to open its --output file and end FAILED without any output. Create it first: `mkdir -p /scratch/alice/logs` (`clusterls run` does this itself).
                at "/scratch/alice/logs/%j.out"
        "#]],
    );
    check_with(
        "#SBATCH -A lab_grads --chdir=/work/x -e out/err.txt\n#SBATCH -o logs/out.txt\necho\n",
        Some(&f),
        expect![[r#"
            2:41 warning sbatch/output-dir-missing: The directory /work/x/out does not exist on the cluster: Slurm does not create it, so the job would start, fail to open its --error file and end FAILED without any output. Create it first: `mkdir -p /work/x/out` (`clusterls run` does this itself).
                at "out/err.txt"
        "#]],
    );
    // Not asked (relative, a pattern in the directory, no facts): nothing.
    check_with(
        "#SBATCH -A lab_grads -o logs/%j.out -e /scratch/%u/x.err\necho\n",
        Some(&f),
        expect![[r#"
            no findings
        "#]],
    );
    let dirs = |s: &str| clusterls_sbatch::log_dirs(&clusterls_sbatch::parse(s));
    assert_eq!(
        dirs(
            "#!/bin/sh\n#SBATCH -o /a/./b//c.out -e /a/b/d.err\n#SBATCH hetjob\n#SBATCH -D /w -o o/x -e %u/y\n"
        ),
        ["/a/b", "/w/o"]
    );
    assert_eq!(dirs("#!/bin/sh\n#SBATCH -o x.out -e /top.err\n"), ["/"]);
}

fn local_facts() -> ClusterFacts {
    let path =
        format!("{}/../../../tests/data/local-cluster-facts.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[track_caller]
fn check_local(script: &str, expect: Expect) {
    check_with(script, Some(&local_facts()), expect);
}

/// Each case was run through `sbatch --test-only` on the local 22.05 cluster; the comment
/// says what sbatch did.
#[test]
fn measured_on_sbatch_22_05() {
    // accepted: 16GB, `2-`, a partly valid mail-type list, open-mode by first letter, nice=x (0)
    check_local(
        "#SBATCH --mem=16GB\n#SBATCH --time=2-\n#SBATCH --mail-type=BEGIN,FOO\n#SBATCH --open-mode=apend\n#SBATCH --nice=x\necho\n",
        expect![[r#"
            4:21 warning sbatch/invalid-mail-type: --mail-type: `FOO` is not a mail type and is ignored; use NONE, BEGIN, END, FAIL, REQUEUE, ALL, TIME_LIMIT_90, ARRAY_TASKS, ...
                at "BEGIN,FOO"
            6:16 warning sbatch/invalid-number: --nice: `x` is not a whole number; sbatch reads it as 0. Write a number.
                at "x"
        "#]],
    );
    // refused: "Multiple partition job request not supported when a partition is set in the association"
    check_local(
        "#SBATCH -p test,cpu\necho\n",
        expect![[r#"
        2:9 error sbatch/partition-list: Your associations for `lab_grads` are per partition, and then Slurm refuses a list of partitions ("Multiple partition job request not supported when a partition is set in the association"). Give one partition.
            at "-p test,cpu"
    "#]],
    );
    // refused: "did not request any GPU"; "--cpus-per-gpu is mutually exclusive with --cpus-per-task"
    check_local(
        "#SBATCH --mem-per-gpu=4G\n#SBATCH -p gpu -A lab_dev --gres=gpu:1 --cpus-per-gpu=2 -c 2\necho\n",
        expect![[r#"
            3:40 error sbatch/cpus-conflict: --cpus-per-gpu and --cpus-per-task (line 3) exclude each other: sbatch refuses the job. Keep one.
                at "--cpus-per-gpu=2"
        "#]],
    );
    // refused: "Failed to ensure --gpus >= --gres=gpu/--gpus-per-node"; "Node count specification invalid"
    check_local(
        "#SBATCH -p gpu -A lab_dev --gpus-per-node=4 --gpus=1\necho\n",
        expect![[r#"
        2:45 error sbatch/gpu-conflict: --gpus=1 for the whole job is fewer than the 4 per node asked on line 2: sbatch refuses the job. Make --gpus at least 4, or drop one of them.
            at "--gpus=1"
    "#]],
    );
    check_local(
        "#SBATCH -p gpu -A lab_dev --gpus-per-node=1 --gpus=2\necho\n",
        expect![[r#"
        2:52 error sbatch/too-many-gpus: 2 GPUs cannot fit: 1 per node over at most 1 node(s) of partition gpu is 1 ("Node count specification invalid"). Ask for at most 1, or more GPUs per node.
            at "2"
    "#]],
    );
    // refused: unknown node, feature, reservation, GRES; excluding the only node
    check_local(
        "#SBATCH -w node[01-02] --constraint=a100 --reservation=maint --gres=shard:1\n#SBATCH --exclude=node01\necho\n",
        expect![[r#"
            2:12 error sbatch/unknown-node: The cluster has no node `node02`: sbatch refuses the job ("Invalid node name specified"). Did you mean `node01`? Write node names like node01.
                at "node[01-02]"
            2:37 error sbatch/unknown-feature: No node in cpu has the feature `a100`: sbatch refuses the job ("Invalid feature specification"). Its nodes have no features: remove the option.
                at "a100"
            2:56 error sbatch/unknown-reservation: The cluster has no reservation `maint`: sbatch refuses the job ("Requested reservation is invalid"). Reservations: alice_resv, root_resv.
                at "maint"
            2:69 error sbatch/invalid-gres: --gres: the cluster has no GRES `shard`, so sbatch refuses the job; GRES here: gpu.
                at "shard:1"
            3:19 error sbatch/no-nodes-left: --exclude removes every node of the default partition cpu: the job can never run and sbatch refuses it. Exclude fewer nodes or use another partition.
                at "node01"
        "#]],
    );
    // refused: --nodes=0 in an array; accepted without one
    check_local(
        "#SBATCH --nodes=0 --array=0-3\necho\n",
        expect![[r#"
        2:9 error sbatch/invalid-node-count: --nodes=0 in a job array: sbatch refuses it ("Node count specification invalid"). Ask for at least 1 node.
            at "--nodes=0"
    "#]],
    );
    check_local(
        "#SBATCH --nodes=0 -n 2\necho\n",
        expect![[r#"
        no findings
    "#]],
    );
    // accepted: this cluster does not enforce QOS (AccountingStorageEnforce=associations,limits)
    check_local(
        "#SBATCH --qos=high\necho\n",
        expect![[r#"
            2:15 warning sbatch/qos-not-allowed: Account `lab_grads` may not use QOS `high`: this cluster does not enforce QOS access, so the job is accepted, but an administrator may not expect it. Allowed: normal.
                at "high"
        "#]],
    );
    // 22.05 has no --extra: `--extra=x` is an abbreviation of --extra-node-info
    check_local(
        "#SBATCH --extra=x\n#SBATCH --tres-per-task=cpu=2\necho\n",
        expect![[r#"
        2:9 hint sbatch/abbreviated-option: `--extra` works as an abbreviation of --extra-node-info, but may become ambiguous in a later Slurm; write it in full.
            at "--extra"
            fix Write --extra-node-info: "--extra"->"--extra-node-info"
        2:17 error sbatch/invalid-value: --extra-node-info: `x` must be sockets[:cores[:threads]], e.g. 2:8:1.
            at "x"
        3:9 error sbatch/option-version: --tres-per-task needs Slurm 23.02 or newer; the cluster runs 22.05, whose sbatch refuses it. Remove it.
            at "--tres-per-task"
    "#]],
    );
    // refused: UNLIMITED and 0 exceed a finite MaxTime
    check_local(
        "#SBATCH -p test --time=UNLIMITED\necho\n",
        expect![[r#"
        2:24 error sbatch/time-over-limit: No time limit is longer than partition test's limit of 8 hours (08:00:00): sbatch refuses the job. Ask for at most 08:00:00.
            at "UNLIMITED"
            fix Set the time to 08:00:00: "UNLIMITED"->"08:00:00"
    "#]],
    );
}

#[test]
fn partition_limits_not_enforced_is_a_warning() {
    let mut f = local_facts();
    f.enforce_part_limits = Some("NO".into());
    check_with(
        "#SBATCH -p test -t 10:00:00\necho\n",
        Some(&f),
        expect![[r#"
        2:20 warning sbatch/time-over-limit: 10 hours is longer than partition test's limit of 8 hours (08:00:00): the job is accepted but will pend forever. Ask for at most 08:00:00.
            at "10:00:00"
            fix Set the time to 08:00:00: "10:00:00"->"08:00:00"
    "#]],
    );
}

/// Measured on 22.05: later components inherit --account and --time, not --partition.
#[test]
fn hetjob_components_are_checked_each() {
    check_local(
        "#SBATCH -p gpu -A lab_dev -t 9:00:00\n#SBATCH hetjob\n#SBATCH -p gpu -n 1\n#SBATCH hetjob\n#SBATCH -p test\n#SBATCH hetjob\n#SBATCH -A lab_grads\necho\n",
        expect![[r#"
            2:30 error sbatch/time-over-limit: 9 hours is longer than partition test's limit of 8 hours (08:00:00): sbatch refuses the job. Ask for at most 08:00:00.
                at "9:00:00"
                fix Set the time to 08:00:00: "9:00:00"->"08:00:00"
        "#]],
    );
}

#[test]
fn hetjob_array() {
    check(
        "#SBATCH --array=0-3\n#SBATCH hetjob\n#SBATCH -n 1\necho\n",
        expect![[r#"
        2:9 error sbatch/hetjob-array: A heterogeneous job (#SBATCH hetjob) cannot be a job array: sbatch refuses it ("Invalid job array specification"). Remove --array or the hetjob separator.
            at "--array=0-3"
    "#]],
    );
}

/// `facts()` plus what decides admission: restricted partitions, node kinds with
/// features, the user's groups, licenses, reservations, QOS limits, MaxArraySize.
fn admission_facts() -> ClusterFacts {
    let mut f = facts();
    let more: ClusterFacts = serde_json::from_str(
        r#"{
        "user": "alice",
        "partitions": [
          {"name": "staff", "nodes": ["c1"], "allow_groups": ["admins"]},
          {"name": "prio", "nodes": ["c1"], "allow_qos": ["high"]},
          {"name": "nolab", "nodes": ["c1"], "deny_accounts": ["lab_dev"]},
          {"name": "multi", "nodes": ["m1", "m2"], "cpus_per_node": 4, "node_kinds": [
            {"count": 1, "cpus": 4, "features": ["a100", "ib", "rack1"]},
            {"count": 1, "cpus": 4, "features": ["a100", "ib", "rack2"]}],
           "features": ["a100", "ib", "rack1", "rack2"]}
        ],
        "associations": [{"account": "lab_dev"}],
        "groups": ["alice", "users"],
        "licenses": [{"name": "matlab", "total": 2}, {"name": "ansys", "total": 1}],
        "max_array_size": 1001,
        "reservations": ["alice_resv", "root_resv"],
        "reservation_access": [{"name": "alice_resv", "users": ["alice"]}, {"name": "root_resv", "users": ["root"]}],
        "qos_limits": [{"name": "high", "max_wall_minutes": 240, "max_tres_per_job": "cpu=4,gres/gpu=1"}]
      }"#,
    )
    .unwrap();
    f.user = more.user;
    f.partitions.extend(more.partitions);
    f.associations.extend(more.associations);
    f.admission = more.admission;
    f.reservations = more.reservations;
    f
}

#[track_caller]
fn check_admission(script: &str, expect: Expect) {
    check_with(script, Some(&admission_facts()), expect);
}

#[test]
fn names_compare_as_slurm_compares_them() {
    // Accounts and QOS: any case (measured); partitions, features, licenses: exactly.
    check_admission(
        "#SBATCH -p cpu -A LAB_GRADS -q HIGH\n",
        expect![[r#"
        no findings
    "#]],
    );
    check_admission(
        "#SBATCH -p CPU\n",
        expect![[r#"
        2:12 error sbatch/unknown-partition: The cluster has no partition `CPU`: sbatch refuses the job. Did you mean `cpu`? Partitions: cpu, gpu, gpu_test, old, staff, prio, nolab, multi.
            at "CPU"
            fix Change to cpu: "CPU"->"cpu"
    "#]],
    );
    check_admission(
        "#SBATCH -p cpu -A lab_grads -L MATLAB\n",
        expect![[r#"
        2:32 error sbatch/unknown-license: The cluster has no license `MATLAB`: sbatch refuses the job ("Invalid license specification"). Did you mean `matlab`? Licenses: matlab, ansys.
            at "MATLAB"
            fix Change to matlab: "MATLAB"->"matlab"
    "#]],
    );
}

#[test]
fn admission() {
    check_admission(
        "#SBATCH -p staff -A lab_dev\n",
        expect![[r#"
        2:9 error sbatch/partition-restricted: Partition staff only allows the groups admins, and you (alice) are in alice, users: sbatch refuses the job. Partitions you may use: cpu, gpu, gpu_test, prio, multi.
            at "-p staff"
    "#]],
    );
    check_admission(
        "#SBATCH -p prio -A lab_dev -q normal\n",
        expect![[r#"
        2:9 error sbatch/partition-restricted: Partition prio only allows the QOS high, not `normal`: sbatch refuses the job. Partitions you may use: cpu, gpu, gpu_test, multi.
            at "-p prio"
    "#]],
    );
    check_admission(
        "#SBATCH -p nolab -A lab_dev\n",
        expect![[r#"
        2:21 error sbatch/account-partition: partition nolab denies the account (DenyAccounts); `lab_dev` is refused ("Invalid account or account/partition combination"). Use another partition.
            at "lab_dev"
    "#]],
    );
    check_admission(
        "#SBATCH -p cpu -A lab_grads -t 30 --reservation=root_resv\n",
        expect![[r#"
        2:49 error sbatch/reservation-denied: Reservation `root_resv` is for users root: sbatch refuses the job ("Access denied to requested reservation"). Reservations you may use: alice_resv.
            at "root_resv"
    "#]],
    );
    check_admission(
        "#SBATCH -p cpu -A lab_grads -t 30 --reservation=alice_resv\n",
        expect![[r#"
        no findings
    "#]],
    );
    check_admission(
        "#SBATCH -p cpu -A lab_grads -L matlb:1\n",
        expect![[r#"
        2:32 error sbatch/unknown-license: The cluster has no license `matlb`: sbatch refuses the job ("Invalid license specification"). Did you mean `matlab`? Licenses: matlab, ansys.
            at "matlb"
            fix Change to matlab: "matlb"->"matlab"
    "#]],
    );
    check_admission(
        "#SBATCH -p cpu -A lab_grads -L ansys,matlab:3\n",
        expect![[r#"
        2:38 error sbatch/unknown-license: The cluster has 2 `matlab` licenses in all, and the job asks for 3: sbatch refuses the job ("Invalid license specification"). Ask for at most 2.
            at "matlab:3"
            fix Ask for 2: "matlab:3"->"matlab:2"
    "#]],
    );
    check_admission(
        "#SBATCH -p cpu -A lab_grads --array=0-1001%10\n",
        expect![[r#"
        2:37 error sbatch/array-too-large: The largest array index is 1001, but this cluster's MaxArraySize is 1001 (indices 0-1000): sbatch refuses the job ("Invalid job array specification"). Use indices up to 1000.
            at "0-1001%10"
    "#]],
    );
    check_admission(
        "#SBATCH -p cpu -A lab_grads --array=0-1000\n",
        expect![[r#"
        no findings
    "#]],
    );
    check_admission(
        "#SBATCH -p multi -A lab_dev -C 'rack1&rack2'\n",
        expect![[r#"
        2:32 error sbatch/feature-combination: No node in partition multi has all of rack1 & rack2 together: sbatch refuses the job ("Requested node configuration is not available"). Nodes there have: [a100,ib,rack1] [a100,ib,rack2]. Use `|` if any one will do.
            at "'rack1&rack2'"
    "#]],
    );
    check_admission(
        "#SBATCH -p multi -A lab_dev -C rack1&rack2\n",
        expect![[r#"
        2:32 error sbatch/feature-combination: No node in partition multi has all of rack1 & rack2 together: sbatch refuses the job ("Requested node configuration is not available"). Nodes there have: [a100,ib,rack1] [a100,ib,rack2]. Use `|` if any one will do.
            at "rack1&rack2"
            fix Accept any one of them: "rack1&rack2"->"rack1|rack2"
    "#]],
    );
    check_admission(
        "#SBATCH -p multi -A lab_dev -C 'a100&ib' -N 2\n",
        expect![[r#"
        no findings
    "#]],
    );
    check_admission(
        "#SBATCH -p multi -A lab_dev -N 2 -C '[rack1*1&rack2*1]'\n",
        expect![[r#"
        no findings
    "#]],
    );
    check_admission(
        "#SBATCH -p gpu -A lab_dev -q high -t 5:00:00 -c 8 --gpus=2\n",
        expect![[r#"
        2:30 warning sbatch/qos-limit: QOS `high` allows at most 04:00:00 per job (MaxWall), at most 4 CPUs per job (the job asks for 8), at most 1 GPUs per job (the job asks for 2): the job would be accepted but pend forever. Ask for less or use another QOS.
            at "high"
    "#]],
    );
}

/// Nodes of one partition that differ: a request that fits the largest node is not refused.
#[test]
fn heterogeneous_partition_fits_the_largest_node() {
    let mut f = admission_facts();
    let p = f.partitions.iter_mut().find(|p| p.name == "multi").unwrap();
    p.cpus_per_node = Some(4);
    p.node_kinds[1].cpus = Some(16);
    p.node_kinds[1].mem_mb = Some(64000);
    p.mem_per_node_mb = Some(16000);
    check_with(
        "#SBATCH -p multi -A lab_dev -c 16 --mem=60G\n",
        Some(&f),
        expect![[r#"
        no findings
    "#]],
    );
    check_with(
        "#SBATCH -p multi -A lab_dev -c 17\n",
        Some(&f),
        expect![[r#"
        2:32 error sbatch/too-many-cpus: partition multi's nodes have 16 CPUs; one task cannot have 17: the job is refused. Ask for at most 16.
            at "17"
    "#]],
    );
}

/// Facts without the admission fields (an older Slurm, a site that hides them):
/// nothing is said.
#[test]
fn admission_unknown_says_nothing() {
    check_facts(
        "#SBATCH -p cpu -A lab_grads -L anything:9 --array=0-99999 --reservation=\n",
        expect![[r#"
            no findings
        "#]],
    );
}

/// The partition's per-job limits and the QOS's per-user ones, when the facts carry them.
#[test]
fn partition_and_qos_per_user_limits() {
    let mut f = admission_facts();
    let p = f.partitions.iter_mut().find(|p| p.name == "gpu").unwrap();
    p.max_nodes = Some(2);
    p.max_cpus_per_node = Some(16);
    p.max_mem_per_node_mb = Some(65536);
    p.max_mem_per_cpu_mb = Some(4096);
    f.admission.qos_limits[0].max_tres_per_user = Some("cpu=8,gres/gpu=4".into());
    f.admission.qos_limits[0].max_submit_jobs_per_user = Some(10);
    check_with(
        "#SBATCH -p gpu -A lab_dev -N 3 -c 32\n#SBATCH --mem=100G\n",
        Some(&f),
        expect![[r#"
            2:30 error sbatch/partition-limit: partition gpu allows at most 2 node(s) per job (MaxNodes), and the job asks for 3: sbatch refuses the job. Ask for at most 2.
                at "3"
                fix Set it to 2: "3"->"2"
            2:35 error sbatch/partition-limit: partition gpu lets a job use at most 16 CPUs on a node (MaxCPUsPerNode); one task cannot have 32: sbatch refuses the job. Ask for at most 16.
                at "32"
                fix Set it to 16: "32"->"16"
            3:15 error sbatch/partition-limit: partition gpu lets a job use at most 64G of memory on a node (MaxMemPerNode), and the job asks for 100G: sbatch refuses the job. Ask for at most 64G.
                at "100G"
                fix Set it to 64G: "100G"->"64G"
        "#]],
    );
    check_with(
        "#SBATCH -p gpu -A lab_dev --ntasks-per-node=4 -c 8 --mincpus=20\n#SBATCH --mem-per-cpu=8G\n",
        Some(&f),
        expect![[r#"
            2:27 error sbatch/partition-limit: 4 tasks per node × 8 CPUs per task = 32 CPUs on a node, but partition gpu lets a job use at most 16 (MaxCPUsPerNode): sbatch refuses the job. Lower --ntasks-per-node or --cpus-per-task.
                at "--ntasks-per-node=4"
            2:52 error sbatch/partition-limit: partition gpu lets a job use at most 16 CPUs on a node (MaxCPUsPerNode); --mincpus=20 cannot be met: sbatch refuses the job.
                at "--mincpus=20"
            3:23 warning sbatch/mem-per-cpu-raised: partition gpu allows at most 4G per CPU (MaxMemPerCPU); for 8G per CPU Slurm gives each task 16 CPUs instead of 8, and the job is billed for them. Ask for --mem-per-cpu=4G and --cpus-per-task=16, or use --mem.
                at "8G"
            3:23 error sbatch/partition-limit: 8G per CPU × 32 CPU(s) on a node = 256G, more than partition gpu lets a job use on a node (64G, MaxMemPerNode): sbatch refuses the job. Lower --mem-per-cpu.
                at "8G"
        "#]],
    );
    check_with(
        "#SBATCH -p gpu -A lab_dev -q high -t 1:00:00 --gpus=1 --array=0-19\n#SBATCH -n 3 -c 3\n",
        Some(&f),
        expect![[r#"
            2:30 warning sbatch/qos-limit: QOS `high` allows at most 4 CPUs per job (the job asks for 9), at most 8 CPUs for all your running jobs together (MaxTRESPerUser; this job alone asks for 9): the job would be accepted but pend forever. Ask for less or use another QOS.
                at "high"
            2:63 error sbatch/qos-submit-limit: The array has 20 tasks, but QOS `high` lets you have at most 10 jobs submitted at once (MaxSubmitJobsPerUser; each task counts, and so do your jobs already queued): sbatch refuses it ("Job violates accounting/QOS policy"). Submit at most 10 tasks at a time.
                at "0-19"
        "#]],
    );
    check_with(
        "#SBATCH -p gpu -A lab_dev -q high -t 1:00:00 --gpus=1 --array=0-9 -N 2 -c 4\n#SBATCH --mem-per-cpu=4G\n",
        Some(&f),
        expect![[r#"
            no findings
        "#]],
    );
    // Not enforced: a warning.
    f.enforce_part_limits = Some("NO".into());
    check_with(
        "#SBATCH -p gpu -A lab_dev -N 3\n",
        Some(&f),
        expect![[r#"
            2:30 warning sbatch/partition-limit: partition gpu allows at most 2 node(s) per job (MaxNodes), and the job asks for 3: the job is accepted but never starts. Ask for at most 2.
                at "3"
                fix Set it to 2: "3"->"2"
        "#]],
    );
    // Unknown limits: nothing.
    check_admission(
        "#SBATCH -p gpu -A lab_dev -N 3 -c 32 --mem=100G --mem-per-cpu=8G -q high -t 1:00:00 --array=0-10\n",
        expect![[r#"
            2:49 error sbatch/mem-conflict: --mem and --mem-per-cpu exclude each other: sbatch refuses the script. Keep only one of them.
                at "--mem-per-cpu=8G"
            2:69 warning sbatch/qos-limit: QOS `high` allows at most 4 CPUs per job (the job asks for 32): the job would be accepted but pend forever. Ask for less or use another QOS.
                at "high"
        "#]],
    );
}

/// `--exclusive=topo` is 24.11's (22.05 refuses it, measured): the message lists the
/// choices of the cluster's release.
#[test]
fn choices_of_the_clusters_release() {
    check_local(
        "#SBATCH -A lab_grads --exclusive=topo\n",
        expect![[r#"
            2:34 error sbatch/invalid-choice: --exclusive: `topo` is not one of user, mcs.
                at "topo"
        "#]],
    );
    let mut f = local_facts();
    f.slurm_version = Some("24.11.5".into());
    check_with(
        "#SBATCH -A lab_grads --exclusive=topo\n",
        Some(&f),
        expect![[r#"
        no findings
    "#]],
    );
}

/// Where 22.05 and 24.11 differ (measured on both local clusters): a backslash-escaped
/// space stays in the word on 24.11; `--tres-per-task=cpu=` excludes --cpus-per-task there.
#[test]
fn releases_differ() {
    let script = "#SBATCH -A lab_grads --output=out\\ x.log\n#SBATCH --tres-per-task=cpu=2 -c 2\n";
    check_local(
        script,
        expect![[r#"
            2:36 error sbatch/stray-word: sbatch refuses the script: `x.log` is not an option ("Invalid directive found in batch script"). Remove it, or quote it into the value it belongs to.
                at "x.log"
            3:9 error sbatch/option-version: --tres-per-task needs Slurm 23.02 or newer; the cluster runs 22.05, whose sbatch refuses it. Remove it.
                at "--tres-per-task"
        "#]],
    );
    let mut f = local_facts();
    f.slurm_version = Some("24.11.5".into());
    check_with(
        script,
        Some(&f),
        expect![[r#"
            3:9 error sbatch/cpus-conflict: --tres-per-task=cpu=... and --cpus-per-task (line 3) exclude each other: sbatch refuses the job. Keep one.
                at "--tres-per-task=cpu=2"
        "#]],
    );
    let v = clusterls_sbatch::parse_for("#!/bin/sh\n#SBATCH -o out\\ x.log\n", Some((24, 11)));
    assert_eq!(v.directives[0].value.as_deref(), Some("out x.log"));
}

/// More of 24.11's answers (measured): `--gres=gpu=2` accepted, `--cpus-per-gpu` without
/// GPUs refused (22.05: refused, and ignored).
#[test]
fn releases_differ_on_gres_and_cpus_per_gpu() {
    let script = "#SBATCH -A lab_grads --gres=gpu=2\n#SBATCH hetjob\n#SBATCH -A lab_grads --cpus-per-gpu=2\n";
    check_local(
        script,
        expect![[r#"
            2:29 error sbatch/invalid-gres: --gres: `gpu=2`: --gres uses `:` before the count; write `gpu:2`.
                at "gpu=2"
                fix Write gpu:2: "gpu=2"->"gpu:2"
            4:22 warning sbatch/per-gpu-without-gpus: --cpus-per-gpu without a GPU request has no effect; request GPUs or use --cpus-per-task.
                at "--cpus-per-gpu=2"
        "#]],
    );
    let mut f = local_facts();
    f.slurm_version = Some("24.11.5".into());
    check_with(
        script,
        Some(&f),
        expect![[r#"
            4:22 error sbatch/per-gpu-without-gpus: --cpus-per-gpu without a GPU request: sbatch refuses the job ("Requested cpus_per_tres=gres/gpu:N but did not request any"). Request GPUs or use --cpus-per-task.
                at "--cpus-per-gpu=2"
        "#]],
    );
}

/// `--signal=R...` on a cluster without preemption: 24.11 refuses it, 22.05 accepts it
/// (both measured on the local clusters, PreemptType none).
#[test]
fn signal_needs_preemption() {
    let script = "#SBATCH -A lab_grads --signal=RB:USR1@30\n#SBATCH hetjob\n#SBATCH -A lab_grads --signal=R:10\n";
    check_local(
        script,
        expect![[r#"
            no findings
        "#]],
    );
    let mut f = local_facts();
    f.slurm_version = Some("24.11.5".into());
    check_with(
        script,
        Some(&f),
        expect![[r#"
            2:31 error sbatch/signal-needs-preemption: The R flag of --signal needs preemption, which this cluster does not have: Slurm 24.11.5 refuses the job ("Preemption is required but is disabled on this system"). Drop it: --signal=B:USR1@30.
                at "RB:USR1@30"
                fix Change to B:USR1@30: "RB:USR1@30"->"B:USR1@30"
            4:31 error sbatch/signal-needs-preemption: The R flag of --signal needs preemption, which this cluster does not have: Slurm 24.11.5 refuses the job ("Preemption is required but is disabled on this system"). Drop it: --signal=10.
                at "R:10"
                fix Change to 10: "R:10"->"10"
        "#]],
    );
    f.admission.preemption = Some(true);
    check_with(
        script,
        Some(&f),
        expect![[r#"
            no findings
        "#]],
    );
}

/// A --nodelist node that the cluster has but the partition does not (measured on 22.05
/// and 24.11: "Node count specification invalid").
#[test]
fn node_not_in_partition() {
    check_admission(
        "#SBATCH -p multi -A lab_dev --nodelist=m1,c1\n",
        expect![[r#"
            2:40 error sbatch/node-not-in-partition: Node c1 is not in partition multi (its nodes: m1, m2): sbatch refuses the job ("Requested nodes not in this partition" or "Node count specification invalid"). c1 is in: cpu, staff, prio, nolab.
                at "m1,c1"
        "#]],
    );
    check_admission(
        "#SBATCH -p multi -A lab_dev --nodelist=m[1-2]\n",
        expect![[r#"
            no findings
        "#]],
    );
}

/// 24.11 takes --nodes of a longer --nodelist when enough of it is in the partition
/// (measured); 22.05 refuses it.
#[test]
fn node_list_longer_than_nodes_on_24_11() {
    let script = "#SBATCH -p multi -A lab_dev -N 1 --nodelist=m1,c1\n";
    check_admission(
        script,
        expect![[r#"
            2:45 error sbatch/node-not-in-partition: Node c1 is not in partition multi (its nodes: m1, m2): sbatch refuses the job ("Requested nodes not in this partition" or "Node count specification invalid"). c1 is in: cpu, staff, prio, nolab.
                at "m1,c1"
        "#]],
    );
    let mut f = admission_facts();
    f.slurm_version = Some("24.11.5".into());
    check_with(
        script,
        Some(&f),
        expect![[r#"
            no findings
        "#]],
    );
}

/// More tasks than GPUs × --cpus-per-gpu: a warning with the fix that makes it add up;
/// nothing when the GPU total is not known from the script or something else sets CPUs.
#[test]
fn tasks_over_gpu_cpus() {
    check(
        "#SBATCH -n 8 --gpus=2 --cpus-per-gpu=2\nsrun true\n",
        expect![[r#"
            2:12 warning sbatch/tasks-over-gpu-cpus: 8 tasks, but --cpus-per-gpu=2 gives the job's 2 GPU(s) 4 CPU(s), and every task needs one: Slurm may refuse the job ("Requested node configuration is not available", depending on the release and the nodes). Ask for --cpus-per-gpu=4, or fewer tasks.
                at "8"
                fix Set --cpus-per-gpu=4: "2"->"4"
        "#]],
    );
    // Exactly enough: nothing. GPUs per node count on one node, or on a fixed node count.
    check(
        "#SBATCH -n 4 --gpus=2 --cpus-per-gpu=2\nsrun true\n",
        expect![[r#"
        no findings
    "#]],
    );
    check(
        "#SBATCH -n 3 --gres=gpu:1 --cpus-per-gpu=2\nsrun true\n",
        expect![[r#"
        2:12 warning sbatch/tasks-over-gpu-cpus: 3 tasks, but --cpus-per-gpu=2 gives the job's 1 GPU(s) 2 CPU(s), and every task needs one: Slurm may refuse the job ("Requested node configuration is not available", depending on the release and the nodes). Ask for --cpus-per-gpu=3, or fewer tasks.
            at "3"
            fix Set --cpus-per-gpu=3: "2"->"3"
    "#]],
    );
    check(
        "#SBATCH -N 2 -n 5 --gpus-per-node=1 --cpus-per-gpu=2\nsrun true\n",
        expect![[r#"
        2:17 warning sbatch/tasks-over-gpu-cpus: 5 tasks, but --cpus-per-gpu=2 gives the job's 2 GPU(s) 4 CPU(s), and every task needs one: Slurm may refuse the job ("Requested node configuration is not available", depending on the release and the nodes). Ask for --cpus-per-gpu=3, or fewer tasks.
            at "5"
            fix Set --cpus-per-gpu=3: "2"->"3"
    "#]],
    );
    // Unknown GPU total (a node range), or CPUs set another way: nothing.
    check(
        "#SBATCH -N 1-2 -n 5 --gpus-per-node=1 --cpus-per-gpu=2\nsrun true\n",
        expect![[r#"
        no findings
    "#]],
    );
    // --ntasks-per-node: 24.11 raises the CPUs; 22.05 (and an unknown release) may refuse.
    let mut f = facts();
    f.slurm_version = Some("24.11.5".into());
    check_with(
        "#SBATCH -n 5 --gpus=1 --cpus-per-gpu=2 --ntasks-per-node=5 -A lab_dev -p gpu\nsrun true\n",
        Some(&f),
        expect![[r#"
            no findings
        "#]],
    );
    check(
        "#SBATCH -n 5 --gpus=1 --cpus-per-gpu=2 --ntasks-per-node=5\nsrun true\n",
        expect![[r#"
            2:12 warning sbatch/tasks-over-gpu-cpus: 5 tasks, but --cpus-per-gpu=2 gives the job's 1 GPU(s) 2 CPU(s), and every task needs one: Slurm may refuse the job ("Requested node configuration is not available", depending on the release and the nodes). Ask for --cpus-per-gpu=5, or fewer tasks.
                at "5"
                fix Set --cpus-per-gpu=5: "2"->"5"
        "#]],
    );
    check(
        "#SBATCH -n 5 --gpus=1 --cpus-per-gpu=2 -O\nsrun true\n",
        expect![[r#"
        no findings
    "#]],
    );
    check(
        "#SBATCH -n 5 --gpus-per-task=1 --cpus-per-gpu=2\nsrun true\n",
        expect![[r#"
        no findings
    "#]],
    );
}

/// The facts recorded from a local cluster for the differential test (the whole fixture:
/// hidden restricted partitions, features on `multi`, `limited` and `memcap`).
fn recorded_facts(release: &str) -> ClusterFacts {
    let path = format!(
        "{}/../../../tests/data/local-cluster-facts-{release}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Features by what sbatch does with them on both releases (measured with --test-only):
/// a feature only other partitions' nodes have is refused, except in a bracketed OR or
/// with a count; a feature no node has is refused in every form.
#[test]
fn features_of_other_partitions() {
    for release in ["22.05", "24.11"] {
        check_features(release);
    }
}

#[track_caller]
fn check_features(release: &str) {
    let f = recorded_facts(release);
    let c = |script: &str, expect: Expect| check_with(script, Some(&f), expect);
    c(
        "#SBATCH -p cpu -A lab_dev --constraint=rack1\necho\n",
        expect![[r#"
            2:40 error sbatch/unknown-feature: No node in cpu has the feature `rack1`: only nodes of other partitions have it; sbatch refuses the job ("Requested node configuration is not available"). Its nodes have no features: remove the option.
                at "rack1"
        "#]],
    );
    let none = || {
        expect![[r#"
            no findings
        "#]]
    };
    c("#SBATCH -p cpu -A lab_dev --constraint=[rack1|rack2]\necho\n", none());
    c("#SBATCH -p cpu -A lab_dev --constraint=a100*2\necho\n", none());
    c("#SBATCH -p multi -A lab_dev --constraint=[rack1|rack2]\necho\n", none());
    c(
        "#SBATCH -p cpu -A lab_dev --constraint=nosuch*2\necho\n",
        expect![[r#"
            2:40 error sbatch/unknown-feature: No node in cpu has the feature `nosuch`: sbatch refuses the job ("Invalid feature specification"). Its nodes have no features: remove the option.
                at "nosuch*2"
        "#]],
    );
}

/// MaxCPUsPerNode against the tasks that must share a node (`limited`: MaxNodes=1,
/// MaxCPUsPerNode=4; measured: `-n 3 -c 2` refused, `-n 2 -c 2` accepted).
#[test]
fn tasks_that_must_share_a_node() {
    let f = recorded_facts("22.05");
    let c = |script: &str, expect: Expect| check_with(script, Some(&f), expect);
    c(
        "#SBATCH -p limited -A lab_dev -n 3 -c 2\necho\n",
        expect![[r#"
        2:34 error sbatch/partition-limit: 3 tasks × 2 CPU(s) on at most 1 node(s) = at least 6 CPUs on a node, but partition limited lets a job use at most 4 (MaxCPUsPerNode): sbatch refuses the job. Ask for fewer tasks or CPUs per task.
            at "3"
    "#]],
    );
    c(
        "#SBATCH -p limited -A lab_dev -n 2 -c 2\necho\n",
        expect![[r#"
        no findings
    "#]],
    );
    // On `multi` (two nodes, no MaxCPUsPerNode): nothing.
    c(
        "#SBATCH -p multi -A lab_dev -n 6 -c 1\necho\n",
        expect![[r#"
        no findings
    "#]],
    );
}

/// A script over Slurm's default `max_script_size` (4 MiB) gets one finding on its first
/// line and no other check: the checker's cost stays bounded whatever is opened (before,
/// a 50 MB script never finished), with and without facts, through both entry points.
#[test]
fn a_script_over_4_mib_is_one_finding() {
    let mut text = String::from("#!/bin/bash\n");
    while text.len() <= clusterls_sbatch::MAX_SCRIPT_BYTES {
        text.push_str("#SBATCH --partition=nope --time=1:00:00\n");
    }
    let f = facts();
    for facts in [None, Some(&f)] {
        let findings = clusterls_sbatch::check(&text, facts);
        expect![[r##"
            1:1 warning sbatch/script-too-large: The script is 4.0 MiB: Slurm refuses batch scripts over 4 MiB unless the site raised `max_script_size`, and clusterls does not check scripts this large. Move data out of the script into files.
                at "#!/bin/bash"
        "##]]
        .assert_eq(&render(&text, &findings));
        let (with_dirs, dirs) = clusterls_sbatch::check_with_dirs(&text, facts, &[]);
        assert_eq!((with_dirs, dirs), (findings, Vec::<String>::new()));
    }
}
