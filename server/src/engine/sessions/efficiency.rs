//! Pure: how a job went, from sacct. Elapsed against the limit, CPU efficiency (TotalCPU
//! against elapsed × CPUs), MaxRSS against the memory asked for, GPUs asked for; and one
//! line of advice for each request that was far too large.

use serde::{Deserialize, Serialize};

/// The sacct fields read, in this order (`sacct -nP -j ID -o FIELDS`).
pub const SACCT_FIELDS: &str =
    "JobID,State,ElapsedRaw,TimelimitRaw,TotalCPU,AllocCPUS,MaxRSS,ReqMem,AllocTRES";

/// argv of the sacct call (`id` already checked to be a job id).
pub fn sacct_argv(id: &str) -> Vec<String> {
    ["sacct", "-nP", "-j", id, "-o", SACCT_FIELDS].map(String::from).into()
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Efficiency {
    pub id: String,
    pub state: String,
    pub elapsed_secs: u64,
    /// The time limit (None: unlimited or not known).
    pub limit_secs: Option<u64>,
    /// CPU time used by all steps (user + system).
    pub cpu_secs: u64,
    pub cpus: u64,
    /// The largest resident set of any step (None: not sampled).
    pub max_rss_bytes: Option<u64>,
    /// Memory asked for, for the whole job.
    pub mem_bytes: Option<u64>,
    pub gpus: u64,
}

/// Read `sacct -nP -o` [`SACCT_FIELDS`] output: the job's row, its steps' MaxRSS.
/// `None` when the job has no row (not in accounting yet).
pub fn parse(text: &str) -> Option<Efficiency> {
    let rows: Vec<Vec<&str>> =
        text.lines().map(|l| l.split('|').collect::<Vec<_>>()).filter(|f| f.len() == 9).collect();
    let job = rows.iter().find(|f| !f[0].contains('.'))?;
    let num = |s: &str| s.trim().parse::<u64>().ok();
    let cpus = num(job[5]).unwrap_or(0);
    let tres = |key: &str| {
        job[8].split(',').find_map(|kv| kv.split_once('=').filter(|(k, _)| *k == key)).map(|x| x.1)
    };
    let gpus = tres("gres/gpu").and_then(num).unwrap_or(0);
    let nodes = tres("node").and_then(num).unwrap_or(1).max(1);
    Some(Efficiency {
        id: job[0].trim().to_string(),
        state: job[1].split_whitespace().next().unwrap_or("").to_string(),
        elapsed_secs: num(job[2]).unwrap_or(0),
        limit_secs: num(job[3]).map(|m| m * 60),
        cpu_secs: duration_secs(job[4]).unwrap_or(0),
        cpus,
        max_rss_bytes: rows.iter().filter_map(|f| bytes(f[6], 1024)).max(),
        mem_bytes: req_mem(job[7], cpus, nodes)
            .or_else(|| tres("mem").and_then(|m| bytes(m, 1 << 20))),
        gpus,
    })
}

/// `[DD-][HH:]MM:SS[.mmm]` in whole seconds.
fn duration_secs(s: &str) -> Option<u64> {
    let s = s.trim();
    let (days, rest) = match s.split_once('-') {
        Some((d, r)) => (d.parse::<u64>().ok()?, r),
        None => (0, s),
    };
    let rest = rest.split('.').next()?;
    let parts: Vec<u64> = rest.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let (h, m, sec) = match parts.as_slice() {
        [h, m, s] => (*h, *m, *s),
        [m, s] => (0, *m, *s),
        _ => return None,
    };
    Some(days * 86400 + h * 3600 + m * 60 + sec)
}

/// `300K`, `1.5G`, `4000M`; a bare number is in `unit` bytes.
fn bytes(s: &str, unit: u64) -> Option<u64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let (n, mult) = match s.char_indices().last()? {
        (i, 'K') => (&s[..i], 1u64 << 10),
        (i, 'M') => (&s[..i], 1 << 20),
        (i, 'G') => (&s[..i], 1 << 30),
        (i, 'T') => (&s[..i], 1 << 40),
        _ => (s, unit),
    };
    n.parse::<f64>().ok().map(|v| (v * mult as f64) as u64)
}

/// ReqMem: `4G` (22.05+: whole job per node), or older `4000Mn` (per node) / `1000Mc`
/// (per CPU).
fn req_mem(s: &str, cpus: u64, nodes: u64) -> Option<u64> {
    let s = s.trim();
    if let Some(v) = s.strip_suffix('c') {
        return bytes(v, 1 << 20).map(|b| b * cpus.max(1));
    }
    let v = s.strip_suffix('n').unwrap_or(s);
    bytes(v, 1 << 20).map(|b| b * nodes)
}

fn gib(b: u64) -> String {
    let g = b as f64 / (1u64 << 30) as f64;
    if g >= 10.0 {
        format!("{g:.0} GB")
    } else if g >= 1.0 {
        format!("{g:.1} GB")
    } else {
        format!("{:.0} MB", b as f64 / (1u64 << 20) as f64)
    }
}

fn hms(secs: u64) -> String {
    format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// The lines `clusterls jobs ID` prints: what was used, then advice for each request
/// that was far too large (used under a quarter of it, and the waste is worth a word).
pub fn lines(e: &Efficiency) -> Vec<String> {
    let mut out = Vec::new();
    let mut advice = Vec::new();
    let pct = |a: u64, b: u64| (a * 100).checked_div(b).unwrap_or(0);
    match e.limit_secs {
        Some(l) => out.push(format!(
            "time:   {} of {} ({}% of the limit)",
            hms(e.elapsed_secs),
            hms(l),
            pct(e.elapsed_secs, l)
        )),
        None => out.push(format!("time:   {} (no limit)", hms(e.elapsed_secs))),
    }
    let wall_cpu = e.elapsed_secs * e.cpus;
    if e.cpus > 0 && e.elapsed_secs > 0 {
        let eff = pct(e.cpu_secs, wall_cpu);
        out.push(format!(
            "cpu:    {} CPU time of {} on {} CPU{} ({eff}% efficiency)",
            hms(e.cpu_secs),
            hms(wall_cpu),
            e.cpus,
            if e.cpus == 1 { "" } else { "s" }
        ));
        let used = e.cpu_secs.div_ceil(e.elapsed_secs).max(1);
        if e.cpus >= 4 && used * 4 <= e.cpus {
            advice.push(format!(
                "used about {used} of {} CPUs: ask for --cpus-per-task={used} next time",
                e.cpus
            ));
        }
    }
    match (e.max_rss_bytes, e.mem_bytes) {
        (Some(rss), Some(asked)) => {
            out.push(format!(
                "memory: {} of {} at most ({}%)",
                gib(rss),
                gib(asked),
                pct(rss, asked)
            ));
            // Far too large: under a quarter used, and at least 2 GB asked for.
            if rss * 4 <= asked && asked >= 2 << 30 {
                // Half again what was used, rounded up to a whole GB (at least 1G).
                let next = (rss + rss / 2).div_ceil(1 << 30).max(1);
                if next << 30 < asked {
                    advice.push(format!(
                        "used {} of {}: ask for --mem={next}G next time",
                        gib(rss),
                        gib(asked)
                    ));
                }
            }
        }
        (Some(rss), None) => out.push(format!("memory: {} at most", gib(rss))),
        (None, Some(asked)) => {
            out.push(format!("memory: {} asked for, use not sampled", gib(asked)))
        }
        (None, None) => {}
    }
    if e.gpus > 0 {
        out.push(format!("gpus:   {} asked for (their use is not in accounting)", e.gpus));
    }
    if let Some(l) = e.limit_secs.filter(|l| {
        *l >= 3600 && e.elapsed_secs * 4 <= *l && matches!(e.state.as_str(), "COMPLETED" | "FAILED")
    }) {
        let next = (e.elapsed_secs + e.elapsed_secs / 2).div_ceil(60).max(1);
        advice.push(format!(
            "ran {} of {}: ask for --time={next} (minutes) next time; shorter jobs start sooner",
            hms(e.elapsed_secs),
            hms(l)
        ));
    }
    out.extend(advice.into_iter().map(|a| format!("advice: {a}")));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(sacct: &str, expected: expect_test::Expect) {
        let text = match parse(sacct) {
            Some(e) => lines(&e).join("\n"),
            None => "no row".into(),
        };
        expected.assert_eq(&text);
    }

    #[test]
    fn efficiency_lines() {
        use expect_test::expect;
        check("", expect!["no row"]);
        check(
            "5|COMPLETED|3600|240|00:30:00|8|||billing=8,cpu=8,mem=64G,node=1\n\
             5.batch|COMPLETED|3600||00:30:00|8|3145728K||cpu=8,mem=64G,node=1\n",
            expect![[r#"
                time:   1:00:00 of 4:00:00 (25% of the limit)
                cpu:    0:30:00 CPU time of 8:00:00 on 8 CPUs (6% efficiency)
                memory: 3.0 GB of 64 GB at most (4%)
                advice: used about 1 of 8 CPUs: ask for --cpus-per-task=1 next time
                advice: used 3.0 GB of 64 GB: ask for --mem=5G next time
                advice: ran 1:00:00 of 4:00:00: ask for --time=90 (minutes) next time; shorter jobs start sooner"#]],
        );
        // Per-CPU memory of older releases; a job that used what it asked for.
        check(
            "6|CANCELLED by 1000|600|10|1-00:00:01|2||1000Mc|cpu=2,gres/gpu=1,node=1\n\
             6.0|CANCELLED|600||09:59.5|2|1900M||\n",
            expect![[r#"
                time:   0:10:00 of 0:10:00 (100% of the limit)
                cpu:    24:00:01 CPU time of 0:20:00 on 2 CPUs (7200% efficiency)
                memory: 1.9 GB of 2.0 GB at most (95%)
                gpus:   1 asked for (their use is not in accounting)"#]],
        );
    }

    #[test]
    fn recorded_gpu_job() {
        let text = include_str!("../testdata/slurm/sacct-efficiency-gpu.txt");
        let e = parse(text).expect("the job's row");
        expect_test::expect_file!["../testdata/slurm/sacct-efficiency-gpu.lines"]
            .assert_eq(&(lines(&e).join("\n") + "\n"));
        // Shorter than the 30 s accounting sample: no MaxRSS, said so.
        let text = include_str!("../testdata/slurm/sacct-efficiency-short.txt");
        let e = parse(text).expect("the job's row");
        expect_test::expect![[r#"
            time:   0:00:10 of 0:10:00 (1% of the limit)
            cpu:    0:00:02 CPU time of 0:00:20 on 2 CPUs (10% efficiency)
            memory: 4.0 GB asked for, use not sampled
            gpus:   1 asked for (their use is not in accounting)"#]]
        .assert_eq(&lines(&e).join("\n"));
    }
}
