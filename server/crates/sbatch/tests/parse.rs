//! Snapshot tests of the parsed model: what sbatch reads, with the text of every span.

use clusterls_sbatch::{CompletionContext, Resolved, completion_context, parse};
use expect_test::{Expect, expect};

fn render(text: &str) -> String {
    let s = parse(text);
    let mut out = String::new();
    for d in &s.directives {
        let name = match &d.resolved {
            Resolved::Known { spec, exact: true } => spec.long.to_string(),
            Resolved::Known { spec, exact: false } => format!("{} (prefix)", spec.long),
            Resolved::Ambiguous(v) => format!("ambiguous {v:?}"),
            Resolved::Unknown => "unknown".to_string(),
        };
        out += &format!(
            "L{} c{} {:?} name={:?} -> {name} value={:?} span={:?}",
            d.line,
            d.component,
            d.form,
            &text[d.name_span.clone()],
            d.value_span.as_ref().map(|v| (&text[v.clone()], d.value.as_deref().unwrap_or(""))),
            &text[d.span.clone()],
        );
        if let Some(p) = d.problem {
            out += &format!(" problem={p:?}");
        }
        out.push('\n');
    }
    for st in &s.strays {
        out += &format!("stray L{} {:?}\n", st.line, &text[st.span.clone()]);
    }
    for i in &s.ignored {
        out += &format!("ignored L{} {:?} {:?}\n", i.line, i.kind, &text[i.span.clone()]);
    }
    for p in &s.problems {
        out += &format!("problem {p:?}\n");
    }
    for l in &s.lines {
        if let Some(c) = &l.comment {
            out += &format!("comment L{} {:?}\n", l.line, &text[c.clone()]);
        }
    }
    if let Some(fc) = &s.first_command {
        out += &format!("first command {:?}\n", &text[fc.clone()]);
    }
    if s.components > 1 {
        out += &format!("components {}\n", s.components);
    }
    out
}

#[track_caller]
fn check(text: &str, expect: Expect) {
    expect.assert_eq(&render(text));
}

#[test]
fn forms() {
    check(
        "#!/bin/bash\n#SBATCH --time=1:00:00\n#SBATCH --partition gpu\n#SBATCH -p cpu\n#SBATCH -pgpu -N 2\n#SBATCH -HQ\necho hi\n",
        expect![[r#"
            L1 c0 LongEq name="--time" -> time value=Some(("1:00:00", "1:00:00")) span="--time=1:00:00"
            L2 c0 LongSpace name="--partition" -> partition value=Some(("gpu", "gpu")) span="--partition gpu"
            L3 c0 ShortSpace name="-p" -> partition value=Some(("cpu", "cpu")) span="-p cpu"
            L4 c0 ShortAttached name="-p" -> partition value=Some(("gpu", "gpu")) span="-pgpu"
            L4 c0 ShortSpace name="-N" -> nodes value=Some(("2", "2")) span="-N 2"
            L5 c0 ShortAttached name="-H" -> hold value=None span="-H"
            L5 c0 ShortAttached name="Q" -> quiet value=None span="Q"
            first command "echo hi"
        "#]],
    );
}

#[test]
fn quotes_escapes_and_comments() {
    check(
        "#SBATCH --job-name=\"my job\" # a comment\n#SBATCH --comment='it''s' --output=out\\ x.log\n#SBATCH --time=10#no space\n#SBATCH #--mem=1G\n",
        expect![[r##"
            L0 c0 LongEq name="--job-name" -> job-name value=Some(("\"my job\"", "my job")) span="--job-name=\"my job\""
            L1 c0 LongEq name="--comment" -> comment value=Some(("'it''s'", "its")) span="--comment='it''s'"
            L1 c0 LongEq name="--output" -> output value=Some(("out\\", "out")) span="--output=out\\"
            L2 c0 LongEq name="--time" -> time value=Some(("10", "10")) span="--time=10"
            stray L1 "x.log"
            comment L0 "# a comment"
            comment L2 "#no space"
            comment L3 "#--mem=1G"
        "##]],
    );
}

#[test]
fn prefixes_unknown_and_getopt_errors() {
    check(
        "#SBATCH --part=gpu\n#SBATCH --mem-per=4G\n#SBATCH --gpus-per-nod=2\n#SBATCH --tim=5\n#SBATCH --partiton=gpu\n#SBATCH --nice 5\n#SBATCH --contiguous=yes\n#SBATCH -z\n#SBATCH --time\n",
        expect![[r#"
            L0 c0 LongEq name="--part" -> partition (prefix) value=Some(("gpu", "gpu")) span="--part=gpu"
            L1 c0 LongEq name="--mem-per" -> ambiguous ["mem-per-cpu", "mem-per-gpu"] value=Some(("4G", "4G")) span="--mem-per=4G"
            L2 c0 LongEq name="--gpus-per-nod" -> gpus-per-node (prefix) value=Some(("2", "2")) span="--gpus-per-nod=2"
            L3 c0 LongEq name="--tim" -> ambiguous ["time", "time-min"] value=Some(("5", "5")) span="--tim=5"
            L4 c0 LongEq name="--partiton" -> unknown value=Some(("gpu", "gpu")) span="--partiton=gpu"
            L5 c0 LongEq name="--nice" -> nice value=None span="--nice"
            L6 c0 LongEq name="--contiguous" -> contiguous value=Some(("yes", "yes")) span="--contiguous=yes" problem=UnexpectedValue
            L7 c0 ShortAttached name="-z" -> unknown value=None span="-z"
            L8 c0 LongEq name="--time" -> time value=None span="--time" problem=MissingValue
            stray L5 "5"
        "#]],
    );
}

#[test]
fn placement() {
    check(
        "#!/bin/bash\n  #SBATCH --mem=1G\n# SBATCH --mem=2G\n#sbatch --mem=3G\n##SBATCH --mem=4G\n# plain comment\n\n#SBATCH --mem=5G\nmodule load cuda\n#SBATCH --time=10\n  #SBATCH -N 2\n",
        expect![[r##"
            L7 c0 LongEq name="--mem" -> mem value=Some(("5G", "5G")) span="--mem=5G"
            ignored L1 Indented "  #SBATCH --mem=1G"
            ignored L2 Spaced "# SBATCH --mem=2G"
            ignored L3 WrongCase "#sbatch --mem=3G"
            ignored L9 AfterCommand "#SBATCH --time=10"
            ignored L10 AfterCommand "  #SBATCH -N 2"
            first command "module load cuda"
        "##]],
    );
}

#[test]
fn hetjob_slurm_crlf_and_fatal_lines() {
    check(
        "#!/bin/bash\r\n#SBATCH -N 1 --time=5\r\n#SBATCH hetjob\r\n#SBATCH -N 2\r\n#SLURM --mem=1G\r\n#SBATCH --comment=\"open\r\n#SBATCH :x\r\nsrun hostname\r\n",
        expect![[r#"
            L1 c0 ShortSpace name="-N" -> nodes value=Some(("1", "1")) span="-N 1"
            L1 c0 LongEq name="--time" -> time value=Some(("5", "5")) span="--time=5"
            L3 c1 ShortSpace name="-N" -> nodes value=Some(("2", "2")) span="-N 2"
            L4 c1 LongEq name="--mem" -> mem value=Some(("1G", "1G")) span="--mem=1G"
            problem UnmatchedQuote { quote: '"', span: 91..107 }
            problem LeadingColon { span: 116..119 }
            first command "srun hostname"
            components 2
        "#]],
    );
}

#[test]
fn value_in_next_word_or_line() {
    check(
        "#SBATCH --time\n#SBATCH 10\n#SBATCH -- -N 2\n",
        expect![[r#"
        L0 c0 LongSpace name="--time" -> time value=Some(("10", "10")) span="--time\n#SBATCH 10"
        stray L2 "-N"
        stray L2 "2"
    "#]],
    );
}

#[track_caller]
fn complete(text_with_cursor: &str, expect: Expect) {
    let offset = text_with_cursor.find('|').unwrap();
    let text = text_with_cursor.replacen('|', "", 1);
    let got = match completion_context(&text, offset) {
        CompletionContext::OptionName { prefix, span } => {
            format!("name {prefix:?} {:?}", &text[span])
        }
        CompletionContext::OptionValue { option, prefix, span } => {
            format!("value of {} {prefix:?} {:?}", option.long, &text[span])
        }
        CompletionContext::DirectiveStart { prefix, span } => {
            format!("start {prefix:?} {:?}", &text[span])
        }
        CompletionContext::None => "none".to_string(),
    };
    expect.assert_eq(&got);
}

#[test]
fn completion_contexts() {
    complete("#SBATCH --par|", expect![[r#"name "--par" "--par""#]]);
    complete("#SBATCH --partition=g|", expect![[r#"value of partition "g" "g""#]]);
    complete("#SBATCH --partition g|", expect![[r#"value of partition "g" "g""#]]);
    complete("#SBATCH --partition |", expect![[r#"value of partition "" """#]]);
    complete("#SBATCH -p|", expect![[r#"name "-p" "-p""#]]);
    complete("#SBATCH -pg|", expect![[r#"value of partition "g" "g""#]]);
    complete("#SBATCH |", expect![[r#"name "" """#]]);
    complete("#SBATCH --time=1 |", expect![[r#"name "" """#]]);
    complete("#SB|", expect![[r##"start "#SB" "#SB""##]]);
    complete("echo |", expect!["none"]);
    complete("#SBATCH --mem=4G # c|", expect!["none"]);
    complete("#SBATCH --gres=gpu:|\n#SBATCH --time=5", expect![[r#"value of gres "gpu:" "gpu:""#]]);
}

/// Measured with `sbatch --test-only` on 22.05: only a first word `hetjob`/`packjob`
/// splits; `hetjob` elsewhere is dropped; `myhetjob`/`hetjobx` are ordinary words.
#[test]
fn hetjob_separators_as_measured() {
    check(
        "#SBATCH -n 1\n#SBATCH   HETJOB  # second component\n#SBATCH -n 2\n#SBATCH -c 1 hetjob\n#SBATCH --job-name=myhetjob\n#SBATCH hetjobx\n#SBATCH packjob -n 3\n",
        expect![[r##"
            L0 c0 ShortSpace name="-n" -> ntasks value=Some(("1", "1")) span="-n 1"
            L2 c1 ShortSpace name="-n" -> ntasks value=Some(("2", "2")) span="-n 2"
            L3 c1 ShortSpace name="-c" -> cpus-per-task value=Some(("1", "1")) span="-c 1"
            L4 c1 LongEq name="--job-name" -> job-name value=Some(("myhetjob", "myhetjob")) span="--job-name=myhetjob"
            L6 c2 ShortSpace name="-n" -> ntasks value=Some(("3", "3")) span="-n 3"
            stray L5 "hetjobx"
            comment L1 "# second component"
            components 3
        "##]],
    );
}
