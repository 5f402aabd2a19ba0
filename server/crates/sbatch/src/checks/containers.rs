//! The script's body: the container a script really runs. Container commands in a GPU
//! job (`--nv`, pulls), the .sif images it runs against the ones the same script pulls,
//! and against the cluster's image directory.
//!
//! Only what the script and the facts make certain is said: a word with a variable is
//! never judged, a relative image path (the job's working directory is not known here)
//! only gets a hint when a near name is in the image directory, and without the image
//! directory in the facts nothing is said about images at all.

use std::ops::Range;

use clusterls_core::suggest::did_you_mean;
use clusterls_core::{Fix, Rule, Severity};

use super::Checker;

/// One `apptainer|singularity SUB ...` in the body.
struct Call<'t> {
    /// `apptainer` or `singularity` (the program's base name).
    tool: &'t str,
    sub: &'t str,
    /// From the program's first byte to the subcommand's last.
    range: Range<usize>,
    /// The words after the subcommand up to a shell separator: (absolute offset, word).
    args: Vec<(usize, &'t str)>,
    line: usize,
}

/// An image the script makes: `pull [OUT] URI`, `build OUT SPEC`.
struct Product {
    /// The file name (`pytorch_2.2.1.sif`); `None` when the script does not say (a
    /// variable).
    name: Option<String>,
    line: usize,
}

/// What the script's pulls and builds write, gathered once (a script may pull in every
/// line: each run is then checked in constant time, so the check stays linear).
struct Pulled<'p> {
    /// Some pull's output is not spelled out: it could write anything.
    unknown: bool,
    /// Each name written, with the line of its first pull, in order.
    names: Vec<(&'p str, usize)>,
    set: std::collections::HashSet<&'p str>,
}

/// Near names are looked for among this many distinct pulled names at most.
const MAX_SUGGESTED: usize = 64;

impl<'p> Pulled<'p> {
    fn of(products: &'p [Product]) -> Pulled<'p> {
        let mut p = Pulled {
            unknown: products.iter().any(|p| p.name.is_none()),
            names: Vec::new(),
            set: Default::default(),
        };
        for pr in products {
            if let Some(n) = pr.name.as_deref()
                && p.set.insert(n)
            {
                p.names.push((n, pr.line));
            }
        }
        p
    }

    /// The names near-miss suggestions are taken from.
    fn candidates(&self) -> impl Iterator<Item = &'p str> + '_ {
        self.names.iter().take(MAX_SUGGESTED).map(|(n, _)| *n)
    }
}

/// The body; `gpu_job`: whether the job (its first component) asks for GPUs.
pub(crate) fn check(c: &mut Checker, gpu_job: bool) {
    let calls = calls(c.text, c.script.body_start.min(c.text.len()));
    if calls.is_empty() {
        return;
    }
    let products: Vec<Product> = calls.iter().filter_map(product).collect();
    let pulled = Pulled::of(&products);
    for call in &calls {
        match call.sub {
            "exec" | "run" | "shell" | "instance" if gpu_job => container_no_nv(c, call),
            "pull" | "build" if gpu_job => pull_in_gpu_job(c, call),
            _ => {}
        }
        if matches!(call.sub, "exec" | "run" | "shell" | "instance" | "test")
            && let Some((at, word)) = run_image(call)
            && !image_not_pulled(c, call, at, word, &pulled)
        {
            image_not_found(c, at, word, &pulled);
        }
    }
}

/// The container calls of the body, line by line (comments cut off).
fn calls(t: &str, body_start: usize) -> Vec<Call<'_>> {
    let mut out = Vec::new();
    // One search of the whole body first: most scripts call neither.
    let body = &t[body_start..];
    if !body.contains("apptainer") && !body.contains("singularity") {
        return out;
    }
    let mut offset = body_start;
    let first_line = t[..body_start].matches('\n').count() + 1;
    for (this_line, raw_line) in (first_line..).zip(t[body_start..].split('\n')) {
        let line_start = offset;
        offset += raw_line.len() + 1;
        let line = raw_line.trim_end_matches('\r');
        let code = line.split(" #").next().unwrap_or(line);
        if !code.contains("apptainer") && !code.contains("singularity") {
            continue;
        }
        if code.trim_start().starts_with('#') {
            continue;
        }
        let words: Vec<(usize, &str)> = code
            .split_whitespace()
            .map(|w| (line_start + (w.as_ptr() as usize - code.as_ptr() as usize), w))
            .collect();
        for (i, (at, w)) in words.iter().enumerate() {
            let tool = w.rsplit('/').next().unwrap_or(w);
            if tool != "singularity" && tool != "apptainer" {
                continue;
            }
            let Some((sub_at, sub)) = words.get(i + 1) else { continue };
            let args =
                words[i + 2..].iter().take_while(|(_, a)| !is_separator(a)).copied().collect();
            out.push(Call { tool, sub, range: *at..sub_at + sub.len(), args, line: this_line });
        }
    }
    out
}

fn is_separator(w: &str) -> bool {
    matches!(w, ";" | "&&" | "||" | "|" | "&" | ">" | ">>" | "2>" | "<") || w.ends_with(';')
}

fn unquote(w: &str) -> &str {
    w.trim_matches(['"', '\''])
}

fn base_name(w: &str) -> &str {
    w.rsplit('/').next().unwrap_or(w)
}

/// Options of `pull`/`build` that take the next word as their value.
const PULL_VALUE_OPTIONS: [&str; 8] =
    ["--dir", "--name", "--arch", "--library", "--authfile", "--platform", "--section", "-s"];

/// The image a `pull` or `build` writes.
fn product(call: &Call) -> Option<Product> {
    if call.sub != "pull" && call.sub != "build" {
        return None;
    }
    let mut positional = Vec::new();
    let mut named = None;
    let mut it = call.args.iter().map(|(_, w)| unquote(w));
    while let Some(w) = it.next() {
        if let Some(v) = w.strip_prefix("--name=") {
            named = Some(v);
        } else if w == "--name" {
            named = it.next();
        } else if PULL_VALUE_OPTIONS.contains(&w) {
            it.next();
        } else if !w.starts_with('-') {
            positional.push(w);
        }
    }
    let name = match (named, call.sub, positional.as_slice()) {
        (Some(n), _, _) => Some(base_name(n).to_string()),
        (None, "build", [out, ..]) | (None, "pull", [out, _, ..]) => {
            Some(base_name(out).to_string())
        }
        (None, "pull", [uri]) => default_pull_name(uri),
        _ => None,
    };
    Some(Product { name: name.filter(|n| !n.contains('$')), line: call.line })
}

/// The file `apptainer pull URI` writes when no name is given: the image's last path
/// component and its tag, `NAME_TAG.sif` (`latest` without a tag).
fn default_pull_name(uri: &str) -> Option<String> {
    let (_, rest) = uri.split_once("://")?;
    if rest.contains('@') || rest.contains('$') {
        return None; // a digest: named after it, not worth guessing
    }
    let last = rest.rsplit('/').next()?;
    let (name, tag) = last.split_once(':').unwrap_or((last, "latest"));
    (!name.is_empty()).then(|| format!("{name}_{tag}.sif"))
}

/// The .sif image an `exec`/`run`/`shell` runs: the first .sif word after the
/// subcommand (not an option's value), with its offset; quotes taken off.
fn run_image<'t>(call: &Call<'t>) -> Option<(usize, &'t str)> {
    call.args.iter().find_map(|(at, w)| {
        let u = unquote(w);
        let quote = w.len() - w.trim_start_matches(['"', '\'']).len();
        (u.ends_with(".sif") && !u.starts_with('-') && !u.contains('$') && !u.contains('*'))
            .then_some((at + quote, u))
    })
}

pub(crate) const CONTAINER_NO_NV: Rule = Rule {
    explanation: "Apptainer/Singularity only pass the node's NVIDIA driver and GPUs into the container with `--nv` (or `--nvccli`); without it the job holds GPUs the program cannot see (CUDA reports no device). Add `--nv` (the quick fix does it). Charliecloud's `ch-run` has no such flag (it injects the driver with `ch-fromhost`), so it is not checked.",
    ..Rule::new(
        "sbatch/container-no-nv",
        Severity::Warning,
        "GPUs requested but apptainer/singularity runs without --nv.",
    )
};

fn container_no_nv(c: &mut Checker, call: &Call) {
    let has_nv = call.args.iter().any(|(_, a)| {
        let a = unquote(a);
        a == "--nv" || a == "--nvccli" || a.starts_with("--nv=") || a.starts_with("--nvccli=")
    });
    if !has_nv {
        let end = call.range.end;
        c.push(
            &CONTAINER_NO_NV,
            call.range.clone(),
            format!("The job asks for GPUs but `{} {}` has no --nv: the container will not see them. Add --nv.", call.tool, call.sub),
        )
        .fixes
        .push(Fix::replace("Add --nv", end..end, " --nv"));
    }
}

pub(crate) const PULL_IN_GPU_JOB: Rule = Rule {
    explanation: "Pulling or building an image converts layers for minutes on one CPU while the job's GPUs sit idle (and count against your share). Pull the image beforehand, in a small CPU job or with `clusterls pull`, and only run it in the GPU job.",
    ..Rule::new(
        "sbatch/pull-in-gpu-job",
        Severity::Warning,
        "Pulling or building an image inside a GPU job.",
    )
};

fn pull_in_gpu_job(c: &mut Checker, call: &Call) {
    c.push(
        &PULL_IN_GPU_JOB,
        call.range.clone(),
        format!(
            "`{} {}` inside a GPU job holds the GPUs idle while the image downloads and converts. Pull the image beforehand (a small CPU job or `clusterls pull`) and only run it here.",
            call.tool, call.sub
        ),
    );
}

pub(crate) const IMAGE_NOT_PULLED: Rule = Rule {
    explanation: "The script pulls (or builds) one image and runs another with a near name: a different tag or version (`pytorch_2.1.2.sif` run, `pytorch_2.2.1.sif` pulled). The job then runs an older image left from before, or fails when it does not exist. `apptainer pull docker://NAME:TAG` writes `NAME_TAG.sif` unless an output name is given. Run the file the pull writes (the quick fix changes the name).",
    ..Rule::new(
        "sbatch/image-not-pulled",
        Severity::Warning,
        "A .sif image run next to a pull that writes a different one.",
    )
};

/// Whether the run image is a near miss of what the script pulls; reports it if so.
fn image_not_pulled(c: &mut Checker, call: &Call, at: usize, word: &str, pulled: &Pulled) -> bool {
    // A pull whose output the script does not spell out could write anything.
    if pulled.names.is_empty() || pulled.unknown {
        return false;
    }
    let name = base_name(word);
    // An image the cluster has (the facts list it) is run on purpose.
    let on_cluster = c.facts.is_some_and(|f| {
        f.images.iter().any(|i| i.path == word || (i.name == name && !word.contains('/')))
    });
    if pulled.set.contains(name) || on_cluster {
        return false;
    }
    let Some(sugg) = did_you_mean(name, pulled.candidates()).or_else(|| {
        let stems: Vec<&str> = pulled.candidates().map(stem).collect();
        closest_by_prefix(stem(name), &stems)
            .and_then(|s| pulled.candidates().find(|n| stem(n) == s))
    }) else {
        return false;
    };
    let line = pulled.names.iter().find(|(n, _)| *n == sugg).map_or(0, |(_, l)| *l);
    let name_start = at + word.len() - name.len();
    c.push(
        &IMAGE_NOT_PULLED,
        name_start..name_start + name.len(),
        format!(
            "`{} {}` runs `{name}`, but this script writes `{sugg}` (line {line}): the job runs another image than the one it pulls, or fails if `{name}` does not exist. Did you mean `{sugg}`?",
            call.tool, call.sub
        ),
    )
    .fixes
    .push(Fix::replace(format!("Change to {sugg}"), name_start..name_start + name.len(), sugg));
    true
}

/// A file name without its `.sif`.
fn stem(name: &str) -> &str {
    name.strip_suffix(".sif").unwrap_or(name)
}

pub(crate) const IMAGE_NOT_FOUND: Rule = Rule {
    explanation: "The script runs a .sif image from the cluster's image directory (the facts list it and its images) that is not there, so the job fails when it starts, after waiting in the queue. Fix the name (the quick fix suggests the closest), or pull the image first (`clusterls pull`). A relative path is only hinted at (information) when a near name is in the image directory, since the job's working directory is not known; without the image directory in the facts nothing is said.",
    ..Rule::new(
        "sbatch/image-not-found",
        Severity::Warning,
        "A .sif image that is not among the cluster's images.",
    )
};

fn image_not_found(c: &mut Checker, at: usize, word: &str, pulled: &Pulled) {
    let Some(f) = c.facts else { return };
    let Some(dir) = f.image_dir.as_deref().filter(|d| d.starts_with('/')) else { return };
    let name = base_name(word);
    if pulled.set.contains(name)
        || f.images.iter().any(|i| i.name == name && (i.path == word || !word.contains('/')))
    {
        return;
    }
    let in_dir = word
        .strip_prefix(dir.trim_end_matches('/'))
        .is_some_and(|rest| rest.strip_prefix('/').is_some_and(|r| !r.contains('/')));
    if word.starts_with('/') && !in_dir {
        return; // another directory: not what the facts list
    }
    let names: Vec<&str> = f.images.iter().map(|i| i.name.as_str()).collect();
    let sugg =
        did_you_mean(name, names.iter().copied()).or_else(|| closest_by_prefix(name, &names));
    if !in_dir && sugg.is_none() {
        return; // a relative path: it may well exist in the job's working directory
    }
    let listed = if names.is_empty() {
        format!("The image directory {dir} has no images yet: pull it first (`clusterls pull`).")
    } else {
        format!("Images in {dir}: {}.", names.join(", "))
    };
    let name_start = at + word.len() - name.len();
    let fd = c.push(
        &IMAGE_NOT_FOUND,
        at..at + word.len(),
        if in_dir {
            format!(
                "`{word}` does not exist on the cluster; the job will fail when it starts.{} {listed}",
                sugg.map(|s| format!(" Did you mean `{s}`?")).unwrap_or_default(),
            )
        } else {
            format!(
                "`{name}` is not in the cluster's image directory; unless the job's working directory has it, the job will fail when it starts.{} {listed}",
                sugg.map(|s| format!(" Did you mean `{dir}/{s}`?")).unwrap_or_default(),
            )
        },
    );
    if !in_dir {
        fd.severity = Severity::Info;
    }
    if let Some(s) = sugg {
        let (range, to) = if in_dir {
            (name_start..name_start + name.len(), s.to_string())
        } else {
            (at..at + word.len(), format!("{}/{s}", dir.trim_end_matches('/')))
        };
        fd.fixes.push(Fix::replace(format!("Change to {to}"), range, to));
    }
}

/// The candidate sharing the longest prefix with `name` (at least 4 characters), for
/// versioned file names like `pytorch_2.1.2-...` vs `pytorch_2.2.1-...`.
fn closest_by_prefix<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let common = |a: &str, b: &str| a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let best = candidates.iter().max_by_key(|c| common(name, c))?;
    (common(name, best) >= 4).then_some(*best)
}
