//! Value grammars of sbatch options, as Slurm parses them (`parse_time.c`,
//! `proc_args.c`, `slurm_opt.c`). Each parser returns the value or a message that says
//! what is wrong and what to write instead.

/// A time limit in seconds, or `None` for UNLIMITED/INFINITE/-1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeLimit {
    pub seconds: Option<u64>,
}

impl TimeLimit {
    /// Minutes as Slurm rounds them (seconds round up).
    pub fn minutes(&self) -> Option<u64> {
        self.seconds.map(|s| s.div_ceil(60))
    }
}

const TIME_FORMS: &str = "minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes, days-hours:minutes:seconds or UNLIMITED";

/// Slurm's `time_str2secs`.
pub fn parse_time(s: &str) -> Result<TimeLimit, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("UNLIMITED") || t.eq_ignore_ascii_case("INFINITE") || t == "-1" {
        return Ok(TimeLimit { seconds: None });
    }
    if t.is_empty() {
        return Err(format!("empty time limit; write one of {TIME_FORMS}"));
    }
    if let Some(c) = t.chars().find(|c| !c.is_ascii_digit() && *c != '-' && *c != ':') {
        return Err(format!(
            "`{t}` is not a time limit (`{c}` is not allowed); write one of {TIME_FORMS}"
        ));
    }
    let num = |x: &str| -> Result<u64, String> {
        if x.is_empty() {
            return Err(format!(
                "`{t}` is not a time limit (a number is missing); write one of {TIME_FORMS}"
            ));
        }
        x.parse::<u64>().map_err(|_| format!("`{t}`: number too large"))
    };
    let (days, rest) = match t.split_once('-') {
        // `2-` is accepted as 2 days (measured on sbatch 22.05).
        Some((d, "")) => (Some(num(d)?), "0"),
        Some((d, r)) => (Some(num(d)?), r),
        None => (None, t),
    };
    if rest.contains('-') {
        return Err(format!("`{t}` has more than one `-`; write one of {TIME_FORMS}"));
    }
    let parts: Vec<&str> = rest.split(':').collect();
    if parts.len() > 3 {
        return Err(format!("`{t}` has too many `:`; write one of {TIME_FORMS}"));
    }
    let nums: Vec<u64> = parts.iter().map(|p| num(p)).collect::<Result<_, _>>()?;
    let secs = match (days, nums.as_slice()) {
        (Some(d), [h]) => d * 86400 + h * 3600,
        (Some(d), [h, m]) => d * 86400 + h * 3600 + m * 60,
        (Some(d), [h, m, s]) => d * 86400 + h * 3600 + m * 60 + s,
        (None, [m]) => m * 60,
        (None, [m, s]) => m * 60 + s,
        (None, [h, m, s]) => h * 3600 + m * 60 + s,
        _ => unreachable!(),
    };
    Ok(TimeLimit { seconds: Some(secs) })
}

/// Human form of minutes: `2 days`, `8 hours`, `90 minutes`.
pub fn human_minutes(m: u64) -> String {
    if m.is_multiple_of(1440) && m >= 1440 {
        let d = m / 1440;
        format!("{d} day{}", if d == 1 { "" } else { "s" })
    } else if m.is_multiple_of(60) && m >= 60 {
        let h = m / 60;
        format!("{h} hour{}", if h == 1 { "" } else { "s" })
    } else {
        format!("{m} minute{}", if m == 1 { "" } else { "s" })
    }
}

/// Slurm's `d-hh:mm:ss` for minutes.
pub fn slurm_time(m: u64) -> String {
    let (d, h, mm) = (m / 1440, (m % 1440) / 60, m % 60);
    if d > 0 { format!("{d}-{h:02}:{mm:02}:00") } else { format!("{h:02}:{mm:02}:00") }
}

/// Slurm's `str_to_mbytes`: a size in MB (K/M/G/T suffix, MB by default).
pub fn parse_memory(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t.bytes().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return Err(format!(
            "`{t}` is not a memory size; write a whole number with an optional K, M, G or T suffix (MB by default), e.g. 16G"
        ));
    }
    let n: u64 = t[..digits].parse().map_err(|_| format!("`{t}`: number too large"))?;
    let mut suffix = &t[digits..];
    // sbatch 22.05 accepts `16GB`/`16gb` too (measured), but not `16GiB`.
    if suffix.len() == 2
        && suffix[1..].eq_ignore_ascii_case("b")
        && !suffix[..1].eq_ignore_ascii_case("b")
    {
        suffix = &suffix[..1];
    }
    let mb = match suffix {
        "" | "m" | "M" => n,
        "k" | "K" => n.div_ceil(1024),
        "g" | "G" => n * 1024,
        "t" | "T" => n * 1024 * 1024,
        _ => {
            let hint = if suffix.len() == 2 && suffix[1..].eq_ignore_ascii_case("b") {
                format!(
                    "; write `{}{}` (one letter)",
                    &t[..digits],
                    &suffix[..1].to_ascii_uppercase()
                )
            } else if suffix.starts_with('.') {
                "; sizes are whole numbers: write e.g. 1536M instead of 1.5G".to_string()
            } else {
                String::new()
            };
            return Err(format!(
                "`{t}` is not a memory size: the suffix must be one of K, M, G, T{hint}"
            ));
        }
    };
    Ok(mb)
}

/// A positive (or, with `zero_ok`, non-negative) integer.
pub fn parse_count(s: &str, zero_ok: bool) -> Result<u64, String> {
    let t = s.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{t}` is not a whole number"));
    }
    let n: u64 = t.parse().map_err(|_| format!("`{t}`: number too large"))?;
    if n == 0 && !zero_ok {
        return Err("must be at least 1".to_string());
    }
    Ok(n)
}

/// `--nodes`: `min[-max]` (or, since 23.02, a comma list of sizes). Returns (min, max).
pub fn parse_node_count(s: &str) -> Result<(u64, Option<u64>), String> {
    let t = s.trim();
    let one = |x: &str| -> Result<u64, String> {
        let (num, mult) = match x.strip_suffix(['k', 'K']) {
            Some(n) => (n, 1024),
            None => (x, 1),
        };
        if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{t}` is not a node count; write N or MIN-MAX, e.g. 2 or 2-4"));
        }
        Ok(num.parse::<u64>().map_err(|_| format!("`{t}`: number too large"))? * mult)
    };
    if t.contains(',') {
        let v: Vec<u64> = t.split(',').map(one).collect::<Result<_, _>>()?;
        return Ok((*v.iter().min().unwrap_or(&1), v.iter().max().copied()));
    }
    match t.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (one(a)?, one(b)?);
            if b < a {
                return Err(format!(
                    "node range `{t}` has its maximum below its minimum; write {b}-{a}"
                ));
            }
            Ok((a, Some(b)))
        }
        None => {
            let n = one(t)?;
            Ok((n, Some(n)))
        }
    }
}

/// `--array`: indexes, steps and a `%` limit. Returns the largest index and the count.
pub fn parse_array(s: &str) -> Result<(u64, u64), String> {
    let t = s.trim();
    let (list, limit) = match t.split_once('%') {
        Some((l, lim)) => (l, Some(lim)),
        None => (t, None),
    };
    if let Some(lim) = limit {
        // `%0` is accepted by sbatch 22.05 (measured), so only a non-number is refused.
        if lim.parse::<u64>().is_err() {
            return Err(format!("`%{lim}` must be the number of array tasks to run at once"));
        }
    }
    let bad =
        || format!("`{t}` is not an array index list; write e.g. 0-15, 1,3,5, 0-99:10 or 0-99%10");
    let num = |x: &str| x.parse::<u64>().map_err(|_| bad());
    let mut max = 0;
    let mut count = 0;
    for part in list.split(',') {
        let (range, step) = match part.split_once(':') {
            Some((r, st)) => (r, Some(st)),
            None => (part, None),
        };
        let (a, b) = match range.split_once('-') {
            Some((a, b)) => (num(a)?, num(b)?),
            None => {
                if step.is_some() {
                    return Err(bad());
                }
                let n = num(range)?;
                (n, n)
            }
        };
        if b < a {
            return Err(format!("array range `{range}` ends before it starts; write {b}-{a}"));
        }
        let st = match step {
            Some(x) => match x.parse::<u64>() {
                Ok(n) if n >= 1 => n,
                _ => return Err(format!("array step `:{x}` must be a positive number")),
            },
            None => 1,
        };
        max = max.max(b);
        count += (b - a) / st + 1;
    }
    Ok((max, count))
}

/// `--dependency`.
pub fn check_dependency(s: &str) -> Result<(), String> {
    let t = s.trim();
    if t.contains(',') && t.contains('?') {
        return Err(
            "mix of `,` (all must hold) and `?` (any may hold); use only one of them".to_string()
        );
    }
    for part in t.split([',', '?']) {
        if part.eq_ignore_ascii_case("singleton") {
            continue;
        }
        let mut it = part.split(':');
        let ty = it.next().unwrap_or("");
        let jobs: Vec<&str> = it.collect();
        let known = crate::options::DEPENDENCY_TYPES.iter().any(|d| d.eq_ignore_ascii_case(ty))
            || ty.eq_ignore_ascii_case("expand");
        if !known {
            if ty.bytes().all(|b| b.is_ascii_digit()) && !ty.is_empty() {
                // A bare job id means afterany.
                if jobs.is_empty() {
                    continue;
                }
            }
            let hint = clusterls_core::suggest::did_you_mean(
                ty,
                crate::options::DEPENDENCY_TYPES.iter().copied(),
            )
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
            return Err(format!(
                "`{ty}` is not a dependency type{hint}; use after, afterany, afterok, afternotok, aftercorr, afterburstbuffer or singleton"
            ));
        }
        if jobs.is_empty() {
            return Err(format!("`{part}` names no job; write {ty}:JOBID[:JOBID...]"));
        }
        for j in jobs {
            let id = j.split('+').next().unwrap_or("");
            let id_main = id.split('_').next().unwrap_or("");
            if id_main.is_empty() || !id_main.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("`{j}` is not a job id"));
            }
        }
    }
    Ok(())
}

/// `--mail-type`: a comma list. sbatch refuses it only when no item is valid
/// (measured: `BEGIN,FOO` is accepted); unknown items come back in `Ok` for a warning.
pub fn check_mail_type(s: &str) -> Result<Vec<String>, String> {
    let mut unknown = Vec::new();
    for part in s.split(',') {
        if !crate::options::MAIL_TYPES.iter().any(|m| m.eq_ignore_ascii_case(part)) {
            unknown.push(part.to_string());
        }
    }
    if unknown.len() == s.split(',').count() {
        let part = &unknown[0];
        let hint = clusterls_core::suggest::did_you_mean(
            &part.to_ascii_uppercase(),
            crate::options::MAIL_TYPES.iter().copied(),
        )
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
        return Err(format!(
            "`{part}` is not a mail type{hint}; use NONE, BEGIN, END, FAIL, REQUEUE, ALL, TIME_LIMIT, TIME_LIMIT_90, TIME_LIMIT_80, TIME_LIMIT_50, ARRAY_TASKS"
        ));
    }
    Ok(unknown)
}

/// `--distribution`: `{*|block|cyclic|arbitrary|plane=N}[:{*|block|cyclic|fcyclic}[:...]][,Pack|NoPack]`.
pub fn check_distribution(s: &str) -> Result<(), String> {
    let (main, pack) = match s.split_once(',') {
        Some((m, p)) => (m, Some(p)),
        None => (s, None),
    };
    let bad = || {
        format!(
            "`{s}` is not a distribution; write block, cyclic, arbitrary or plane=N, optionally :block|cyclic|fcyclic for sockets and cores"
        )
    };
    if let Some(p) = pack
        && !p.eq_ignore_ascii_case("pack")
        && !p.eq_ignore_ascii_case("nopack")
    {
        return Err(bad());
    }
    let mut parts = main.split(':');
    let first = parts.next().unwrap_or("").to_ascii_lowercase();
    let first_ok = matches!(first.as_str(), "*" | "block" | "cyclic" | "arbitrary")
        || first.strip_prefix("plane=").is_some_and(|n| n.parse::<u32>().is_ok());
    if !first_ok {
        return Err(bad());
    }
    for (i, p) in parts.enumerate() {
        if i >= 2
            || !matches!(p.to_ascii_lowercase().as_str(), "*" | "block" | "cyclic" | "fcyclic")
        {
            return Err(bad());
        }
    }
    Ok(())
}

/// `--cpu-freq=p1[-p2[:p3]]`.
pub fn check_cpu_freq(s: &str) -> Result<(), String> {
    let word = |w: &str| {
        w.parse::<u64>().is_ok()
            || [
                "low",
                "medium",
                "high",
                "highm1",
                "conservative",
                "ondemand",
                "performance",
                "powersave",
                "userspace",
                "schedutil",
            ]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(w))
    };
    let (range, gov) = match s.split_once(':') {
        Some((r, g)) => (r, Some(g)),
        None => (s, None),
    };
    let ok = range.split('-').all(word) && gov.is_none_or(word);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{s}` is not a CPU frequency; write kHz, low, medium, high, highm1 or a governor such as performance"
        ))
    }
}

/// `--gpu-bind=[verbose,]type`.
pub fn check_gpu_bind(s: &str) -> Result<(), String> {
    let t = s.strip_prefix("verbose,").unwrap_or(s);
    let ok = t == "closest"
        || t == "none"
        || t.strip_prefix("single:").is_some_and(|n| n.parse::<u32>().is_ok())
        || t.strip_prefix("per_task:").is_some_and(|n| n.parse::<u32>().is_ok())
        || t.starts_with("map_gpu:")
        || t.starts_with("mask_gpu:");
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{s}` is not a GPU binding; write closest, single:N, per_task:N, map_gpu:LIST, mask_gpu:LIST or none"
        ))
    }
}

const SIGNALS: &[&str] = &[
    "HUP", "INT", "QUIT", "ABRT", "KILL", "ALRM", "TERM", "USR1", "USR2", "URG", "CONT", "STOP",
    "TSTP", "TTIN", "TTOU", "XCPU", "PROF", "PWR",
];

/// `--signal=[{R|B}:]num[@time]`.
pub fn check_signal(s: &str) -> Result<(), String> {
    let t = s.trim();
    let rest = match t.split_once(':') {
        Some((flags, r)) => {
            if flags.is_empty() || !flags.chars().all(|c| matches!(c, 'R' | 'B' | 'r' | 'b')) {
                return Err(format!(
                    "`{flags}:` must be R:, B: or RB: (B signals the batch shell)"
                ));
            }
            r
        }
        None => t,
    };
    let (sig, time) = match rest.split_once('@') {
        Some((a, b)) => (a, Some(b)),
        None => (rest, None),
    };
    let name = sig.strip_prefix("SIG").unwrap_or(sig);
    let ok = match sig.parse::<u32>() {
        Ok(n) => (1..=64).contains(&n),
        Err(_) => SIGNALS.iter().any(|x| x.eq_ignore_ascii_case(name)),
    };
    if !ok {
        return Err(format!(
            "`{sig}` is not a signal; write a number or a name such as USR1 or TERM"
        ));
    }
    if let Some(tm) = time {
        match tm.parse::<u32>() {
            Ok(n) if n <= 65535 => {}
            _ => return Err(format!("`@{tm}` must be seconds before the time limit (0-65535)")),
        }
    }
    Ok(())
}

/// `--begin`/`--deadline`: Slurm's `parse_time` forms (loosely).
pub fn check_datetime(s: &str) -> Result<(), String> {
    let t = s.trim().to_ascii_lowercase();
    let bad = || {
        format!(
            "`{}` is not a time Slurm understands; write e.g. 16:00, now+1hour, tomorrow, 2025-01-20T12:34:00",
            s.trim()
        )
    };
    if t.is_empty() {
        return Err(bad());
    }
    for word in ["midnight", "noon", "elevenses", "fika", "teatime", "today", "tomorrow", "now"] {
        if let Some(rest) = t.strip_prefix(word) {
            if rest.is_empty() {
                return Ok(());
            }
            if word == "now" || word == "today" || word == "tomorrow" {
                if let Some(off) = rest.strip_prefix('+') {
                    let digits = off.bytes().take_while(|b| b.is_ascii_digit()).count();
                    let unit = &off[digits..];
                    if digits > 0
                        && [
                            "", "s", "sec", "secs", "second", "seconds", "m", "min", "mins",
                            "minute", "minutes", "h", "hour", "hours", "d", "day", "days", "w",
                            "week", "weeks",
                        ]
                        .contains(&unit)
                    {
                        return Ok(());
                    }
                }
                if word != "now" && rest.starts_with('t') {
                    return Ok(());
                }
            }
            return Err(bad());
        }
    }
    let (date, time) = match t.split_once('t') {
        Some((d, tm)) => (Some(d), Some(tm)),
        None if t.contains(':') => (None, Some(t.as_str())),
        None => (Some(t.as_str()), None),
    };
    if let Some(d) = date {
        let ok = {
            let parts: Vec<&str> = d.split(['-', '/']).collect();
            let all_num =
                parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
            all_num && (matches!(parts.len(), 2 | 3) || (parts.len() == 1 && parts[0].len() == 6))
        };
        if !ok {
            return Err(bad());
        }
    }
    if let Some(tm) = time {
        let tm = tm.trim_end_matches("am").trim_end_matches("pm");
        let parts: Vec<&str> = tm.split(':').collect();
        let ok = (2..=3).contains(&parts.len())
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            return Err(bad());
        }
    }
    Ok(())
}

/// One `name[[:type]:count]` element of `--gres`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GresItem {
    pub name: String,
    pub gres_type: Option<String>,
    pub count: u64,
}

/// `--gres`: a comma list of `name[[:type]:count]`, or `none`.
pub fn parse_gres(s: &str) -> Result<Vec<GresItem>, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for part in t.split(',') {
        let part = part.strip_prefix("gres/").unwrap_or(part);
        if part.contains('=') {
            let fixed = part.replacen('=', ":", 1);
            return Err(format!("`{part}`: --gres uses `:` before the count; write `{fixed}`"));
        }
        let fields: Vec<&str> = part.split(':').collect();
        let name = fields[0];
        if name.is_empty()
            || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(format!(
                "`{part}` is not a GRES; write name[:type]:count, e.g. gpu:2 or gpu:a100:2"
            ));
        }
        let count = |c: &str| -> Result<u64, String> {
            let (num, mult) = match c.char_indices().last() {
                Some((i, 'k' | 'K')) => (&c[..i], 1024),
                Some((i, 'm' | 'M')) => (&c[..i], 1024 * 1024),
                Some((i, 'g' | 'G')) => (&c[..i], 1024 * 1024 * 1024),
                _ => (c, 1),
            };
            num.parse::<u64>()
                .map(|n| n * mult)
                .map_err(|_| format!("`{c}` in `{part}` is not a count; write name[:type]:count"))
        };
        let item = match fields.as_slice() {
            [n] => GresItem { name: n.to_string(), gres_type: None, count: 1 },
            [n, x] => match x.parse::<u64>() {
                Ok(c) => GresItem { name: n.to_string(), gres_type: None, count: c },
                Err(_) if x.bytes().next().is_some_and(|b| b.is_ascii_digit()) => {
                    GresItem { name: n.to_string(), gres_type: None, count: count(x)? }
                }
                Err(_) => {
                    GresItem { name: n.to_string(), gres_type: Some(x.to_string()), count: 1 }
                }
            },
            [n, ty, c] => {
                GresItem { name: n.to_string(), gres_type: Some(ty.to_string()), count: count(c)? }
            }
            _ => return Err(format!("`{part}` has too many `:`; write name[:type]:count")),
        };
        out.push(item);
    }
    Ok(out)
}

/// `--gpus*`: `[type:]count`, possibly a comma list. Returns (type, count) items.
pub fn parse_gpus(s: &str) -> Result<Vec<(Option<String>, u64)>, String> {
    let mut out = Vec::new();
    for part in s.trim().split(',') {
        let (ty, n) = match part.rsplit_once(':') {
            Some((ty, n)) => (Some(ty.strip_prefix("gpu:").unwrap_or(ty).to_string()), n),
            None => (None, part),
        };
        let ty = ty.filter(|t| t != "gpu");
        match n.parse::<u64>() {
            Ok(c) => out.push((ty, c)),
            Err(_) => {
                return Err(format!(
                    "`{part}` is not a GPU count; write [type:]count, e.g. 4 or a100:4"
                ));
            }
        }
    }
    Ok(out)
}

/// `%` patterns in file names that Slurm expands.
pub const FILE_PATTERNS: &[(char, &str)] = &[
    ('%', "a literal %"),
    ('A', "the array master job id"),
    ('a', "the array task id"),
    ('b', "the array task id modulo 10"),
    ('J', "jobid.stepid"),
    ('j', "the job id"),
    ('N', "the short host name of the first node"),
    ('n', "the node id relative to the job"),
    ('s', "the step id"),
    ('t', "the task id (rank)"),
    ('u', "the user name"),
    ('x', "the job name"),
];

/// Unknown `%` letters in a file name pattern, as (byte offset in the value, letter).
pub fn file_pattern_problems(s: &str) -> Vec<(usize, char)> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let mut j = i + 1;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            if j < b.len() {
                let c = s[j..].chars().next().unwrap_or('%');
                if !FILE_PATTERNS.iter().any(|(p, _)| *p == c) {
                    out.push((i, c));
                }
                i = j + c.len_utf8();
                continue;
            }
        }
        i += 1;
    }
    out
}

/// `--constraint`: balanced brackets, no empty operands.
pub fn check_constraint(s: &str) -> Result<(), String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("empty feature list".to_string());
    }
    let mut depth_sq = 0i32;
    let mut depth_par = 0i32;
    let mut prev_op = true;
    for c in t.chars() {
        match c {
            '[' => depth_sq += 1,
            ']' => depth_sq -= 1,
            '(' => depth_par += 1,
            ')' => depth_par -= 1,
            '&' | '|' | ',' => {
                if prev_op {
                    return Err(format!("`{t}` has an operator with nothing before it"));
                }
                prev_op = true;
                continue;
            }
            _ => {}
        }
        if depth_sq < 0 || depth_par < 0 {
            return Err(format!("`{t}` closes a bracket it never opened"));
        }
        if !matches!(c, '[' | '(') {
            prev_op = false;
        }
    }
    if depth_sq != 0 || depth_par != 0 {
        return Err(format!("`{t}` has an unclosed bracket"));
    }
    if prev_op {
        return Err(format!("`{t}` ends with an operator"));
    }
    bracket_groups(t)
}

/// What sbatch accepts inside `[...]` (measured on 22.05 and 24.11, "Invalid feature
/// specification" otherwise): a matching OR without counts (`[rack1|rack2]`), or
/// features joined by `&` each with a count (`[rack1*2&rack2*4]`); no count after `]`.
/// Nested or mixed groups are not judged.
fn bracket_groups(t: &str) -> Result<(), String> {
    let mut rest = t;
    while let Some(open) = rest.find('[') {
        let Some(len) = rest[open + 1..].find(']') else { return Ok(()) };
        let inner = &rest[open + 1..open + 1 + len];
        let after = &rest[open + 1 + len + 1..];
        rest = after;
        if inner.contains(['[', '(']) || (inner.contains('|') && inner.contains('&')) {
            continue;
        }
        if after.starts_with('*') {
            return Err(format!(
                "`{t}`: a count after `[...]` is refused; put the counts on the features inside, e.g. `[rack1*2&rack2*2]`"
            ));
        }
        if inner.contains('&') && inner.split('&').any(|w| !w.contains('*')) {
            return Err(format!(
                "`[{inner}]`: inside brackets, features joined by `&` each need a count (`[rack1*2&rack2*4]`); for all of them on every node, drop the brackets"
            ));
        }
        if inner.contains('|') && inner.contains('*') {
            return Err(format!(
                "`[{inner}]`: a matching OR (`[rack1|rack2]`, all nodes alike) takes no counts"
            ));
        }
    }
    Ok(())
}

/// `--export`: ALL, NONE, NIL or `[ALL,]VAR[=value],...`.
pub fn check_export(s: &str) -> Result<(), String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("empty --export; write ALL, NONE or ALL,VAR=value".to_string());
    }
    for part in t.split(',') {
        if ["ALL", "NONE", "NIL"].iter().any(|k| k.eq_ignore_ascii_case(part)) {
            continue;
        }
        let name = part.split('=').next().unwrap_or("");
        let valid = !name.is_empty()
            && !name.as_bytes()[0].is_ascii_digit()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid {
            return Err(format!("`{name}` is not an environment variable name"));
        }
    }
    Ok(())
}

/// `-B S[:C[:T]]`, each a number, `*` or a range.
/// Split a Slurm list on the commas outside `open`..`close` pairs: `a[1,2],b` with
/// `[`/`]` gives `a[1,2]` and `b`; `gpu:2(S:0,1),mps` with `(`/`)` gives two entries.
pub fn split_top_level(s: &str, open: char, close: char) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in s.char_indices() {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
        } else if c == ',' && depth == 0 {
            items.push(&s[start..i]);
            start = i + 1;
        }
    }
    items.push(&s[start..]);
    items
}

/// Expand a Slurm hostlist (`node[01-03,7],gpu1`) into names; `None` when it is not one.
pub fn expand_hostlist(s: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for item in split_top_level(s, '[', ']') {
        match item.split_once('[') {
            None => out.push(item.to_string()),
            Some((prefix, rest)) => {
                let (ranges, suffix) = rest.split_once(']')?;
                for r in ranges.split(',') {
                    let (a, b) = r.split_once('-').unwrap_or((r, r));
                    let (x, y) = (a.parse::<u64>().ok()?, b.parse::<u64>().ok()?);
                    if y < x || y - x > 100_000 {
                        return None;
                    }
                    for n in x..=y {
                        out.push(format!("{prefix}{n:0width$}{suffix}", width = a.len()));
                    }
                }
            }
        }
    }
    Some(out)
}

pub fn check_socket_core_thread(s: &str) -> Result<(), String> {
    let parts: Vec<&str> = s.trim().split(':').collect();
    let ok = parts.len() <= 3
        && parts.iter().all(|p| {
            *p == "*"
                || p.split('-').all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        });
    if ok { Ok(()) } else { Err(format!("`{s}` must be sockets[:cores[:threads]], e.g. 2:8:1")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let m = |s: &str| parse_time(s).map(|t| t.seconds);
        assert_eq!(m("90"), Ok(Some(5400)));
        assert_eq!(m("1:30"), Ok(Some(90)));
        assert_eq!(m("1:00:00"), Ok(Some(3600)));
        assert_eq!(m("2-0"), Ok(Some(172800)));
        assert_eq!(m("1-12:30"), Ok(Some(131400)));
        assert_eq!(m("1-00:00:01"), Ok(Some(86401)));
        assert_eq!(m("UNLIMITED"), Ok(None));
        assert_eq!(m("2-"), Ok(Some(172800)));
        assert!(m("abc").is_err());
        assert!(m("1:2:3:4").is_err());
        assert!(m("1h").is_err());
        assert!(m("").is_err());
        assert_eq!(parse_time("0:30").unwrap().minutes(), Some(1));
    }

    #[test]
    fn memory() {
        assert_eq!(parse_memory("4096"), Ok(4096));
        assert_eq!(parse_memory("16G"), Ok(16384));
        assert_eq!(parse_memory("16g"), Ok(16384));
        assert_eq!(parse_memory("1T"), Ok(1048576));
        assert_eq!(parse_memory("1024K"), Ok(1));
        assert_eq!(parse_memory("16GB"), Ok(16384));
        assert_eq!(parse_memory("16gb"), Ok(16384));
        assert!(parse_memory("16GiB").is_err());
        assert!(parse_memory("1.5G").is_err());
        assert!(parse_memory("lots").is_err());
    }

    #[test]
    fn arrays_and_nodes() {
        assert_eq!(parse_array("0-15"), Ok((15, 16)));
        assert_eq!(parse_array("1,3,5%2"), Ok((5, 3)));
        assert_eq!(parse_array("0-15:4"), Ok((15, 4)));
        assert!(parse_array("5-1").is_err());
        assert!(parse_array("1-10%x").is_err());
        assert!(parse_array("a-b").is_err());
        assert_eq!(parse_node_count("2-4"), Ok((2, Some(4))));
        assert!(parse_node_count("4-2").is_err());
        assert!(parse_node_count("two").is_err());
    }

    #[test]
    fn gres_and_gpus() {
        assert_eq!(
            parse_gres("gpu:a100:2").unwrap(),
            vec![GresItem { name: "gpu".into(), gres_type: Some("a100".into()), count: 2 }]
        );
        assert_eq!(parse_gres("gpu").unwrap()[0].count, 1);
        assert_eq!(parse_gres("gpu:2").unwrap()[0].count, 2);
        assert!(parse_gres("gpu=2").unwrap_err().contains("gpu:2"));
        assert_eq!(parse_gpus("a100:4").unwrap(), vec![(Some("a100".into()), 4)]);
        assert!(parse_gpus("x").is_err());
        assert_eq!(parse_gpus("0").unwrap(), vec![(None, 0)]);
        assert_eq!(
            expand_hostlist("node[01-03,7],gpu1").unwrap(),
            vec!["node01", "node02", "node03", "node7", "gpu1"]
        );
    }

    #[test]
    fn misc() {
        assert!(check_dependency("afterok:123:456").is_ok());
        assert!(check_dependency("afterok:123,afterany:4").is_ok());
        assert!(check_dependency("singleton").is_ok());
        assert!(check_dependency("aftrok:1").unwrap_err().contains("afterok"));
        assert!(check_dependency("afterok:$JOB").is_err());
        assert!(check_mail_type("END,FAIL").is_ok());
        assert!(check_mail_type("end").is_ok());
        assert!(check_mail_type("FINISH").is_err());
        assert_eq!(check_mail_type("BEGIN,FOO"), Ok(vec!["FOO".to_string()]));
        assert!(check_distribution("block:cyclic,Pack").is_ok());
        assert!(check_distribution("plane=4").is_ok());
        assert!(check_distribution("foo").is_err());
        assert!(check_cpu_freq("2400000-3000000:performance").is_ok());
        assert!(check_cpu_freq("foo").is_err());
        assert!(check_gpu_bind("verbose,closest").is_ok());
        assert!(check_gpu_bind("foo").is_err());
        assert!(check_signal("B:USR1@120").is_ok());
        assert!(check_signal("SIGTERM").is_ok());
        assert!(check_signal("X:USR1").is_err());
        assert!(check_datetime("now+1hour").is_ok());
        assert!(check_datetime("2025-01-20T12:34:00").is_ok());
        assert!(check_datetime("16:00").is_ok());
        assert!(check_datetime("someday").is_err());
        assert_eq!(file_pattern_problems("slurm-%j-%q.out"), vec![(9, 'q')]);
        assert!(file_pattern_problems("%x_%A_%a_%5j.log").is_empty());
        assert!(check_constraint("[rack1|rack2]&gpu").is_ok());
        assert!(check_constraint("a100&").is_err());
        assert!(check_constraint("[a|b").is_err());
        // Inside brackets (measured on 22.05 and 24.11 with --test-only).
        for ok in ["[rack1|rack2]", "[rack1*1&rack2*1]", "[rack1*2]", "ib&[rack1|rack2]", "[rack1]"]
        {
            assert!(check_constraint(ok).is_ok(), "{ok}");
        }
        for bad in [
            "[rack1&rack2]",
            "[rack1&rack2*1]",
            "[rack1|rack2*1]",
            "[rack1*1|rack2*1]",
            "[rack1|rack2]*2",
        ] {
            assert!(check_constraint(bad).is_err(), "{bad}");
        }
        assert!(check_export("ALL,FOO=1").is_ok());
        assert!(check_export("1FOO").is_err());
    }
}
