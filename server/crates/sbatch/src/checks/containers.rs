//! The script's body: container commands in a GPU job, and .sif images against the
//! cluster's.

use std::collections::HashSet;

use clusterls_core::suggest::did_you_mean;
use clusterls_core::{Fix, Rule, Severity};

use super::Checker;
use crate::rules::Code;

/// The body; `gpu_job`: whether the job (its first component) asks for GPUs.
pub(crate) fn check(c: &mut Checker, gpu_job: bool) {
    let t = c.text;
    let body_start = c.script.body_start.min(t.len());
    // Images pulled or built in this script count as present: the file names on those
    // lines, collected once.
    // Only needed when the facts list images.
    let pulled: HashSet<&str> = if c.facts.is_some_and(|f| !f.images.is_empty()) {
        t.lines()
            .filter(|l| l.contains(" pull ") || l.contains(" build "))
            .flat_map(|l| l.split_whitespace())
            .map(|w| w.trim_matches(['"', '\'']))
            .filter(|w| w.ends_with(".sif"))
            .map(|w| w.rsplit('/').next().unwrap_or(w))
            .collect()
    } else {
        HashSet::new()
    };
    let mut offset = body_start;
    for raw_line in t[body_start..].split('\n') {
        let line_start = offset;
        offset += raw_line.len() + 1;
        let line = raw_line.trim_end_matches('\r');
        let code = line.split(" #").next().unwrap_or(line);
        if code.trim_start().starts_with('#') {
            continue;
        }
        let words: Vec<(usize, &str)> = code
            .split_whitespace()
            .map(|w| (w.as_ptr() as usize - code.as_ptr() as usize, w))
            .collect();
        for (i, (at, w)) in words.iter().enumerate() {
            let base = w.rsplit('/').next().unwrap_or(w);
            if base != "singularity" && base != "apptainer" {
                continue;
            }
            let Some((sub_at, sub)) = words.get(i + 1) else { continue };
            let range = line_start + at..line_start + sub_at + sub.len();
            match *sub {
                "exec" | "run" | "shell" | "instance" if gpu_job => {
                    container_no_nv(c, range, base, sub, &words[i + 2..])
                }
                "pull" | "build" if gpu_job => pull_in_gpu_job(c, range, base, sub),
                _ => {}
            }
        }
        image_not_found(c, line_start, code, &words, &pulled);
    }
}

pub(crate) const CONTAINER_NO_NV: Rule = Rule {
    explanation: "Apptainer/Singularity only pass the node's NVIDIA driver and GPUs into the container with `--nv`; without it the job holds GPUs the program cannot see (CUDA reports no device). Add `--nv` (the quick fix does it).",
    ..Rule::new(
        "sbatch/container-no-nv",
        Severity::Warning,
        "GPUs requested but apptainer/singularity runs without --nv.",
    )
};

fn container_no_nv(
    c: &mut Checker,
    range: std::ops::Range<usize>,
    base: &str,
    sub: &str,
    rest: &[(usize, &str)],
) {
    let has_nv =
        rest.iter().any(|(_, a)| *a == "--nv" || *a == "--nvccli" || a.starts_with("--nv="));
    if !has_nv {
        let end = range.end;
        c.push(
            Code::ContainerNoNv,
            range,
            format!("The job asks for GPUs but `{base} {sub}` has no --nv: the container will not see them. Add --nv."),
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

fn pull_in_gpu_job(c: &mut Checker, range: std::ops::Range<usize>, base: &str, sub: &str) {
    c.push(
        Code::PullInGpuJob,
        range,
        format!(
            "`{base} {sub}` inside a GPU job holds the GPUs idle while the image downloads and converts. Pull the image beforehand (a small CPU job or `clusterls pull`) and only run it here."
        ),
    );
}

pub(crate) const IMAGE_NOT_FOUND: Rule = Rule {
    explanation: "The script uses a .sif image that is not among the cluster's images (the facts list the image directory), so the job fails when it starts, after waiting in the queue. Fix the name (the quick fix suggests the closest), or pull the image first (`clusterls pull`). A warning when a near name or the image directory suggests a typo, information otherwise.",
    ..Rule::new(
        "sbatch/image-not-found",
        Severity::Warning,
        "A .sif image that is not among the cluster's images.",
    )
};

fn image_not_found(
    c: &mut Checker,
    line_start: usize,
    code: &str,
    words: &[(usize, &str)],
    pulled: &HashSet<&str>,
) {
    let Some(f) = c.facts else { return };
    if f.images.is_empty() || code.contains(" pull ") || code.contains(" build ") {
        return;
    }
    for (at, w) in words {
        let w = w.trim_matches(['"', '\'']);
        if !w.ends_with(".sif") || w.contains('$') || w.contains('*') {
            continue;
        }
        let name = w.rsplit('/').next().unwrap_or(w);
        if pulled.contains(name) || f.images.iter().any(|i| i.name == name || i.path == w) {
            continue;
        }
        let names: Vec<&str> = f.images.iter().map(|i| i.name.as_str()).collect();
        let sugg =
            did_you_mean(name, names.iter().copied()).or_else(|| closest_by_prefix(name, &names));
        let start = line_start
            + at
            + (code[*at..].len() - code[*at..].trim_start_matches(['"', '\'']).len());
        let name_start = start + (w.len() - name.len());
        let in_image_dir = f.image_dir.as_deref().is_some_and(|d| w.starts_with(d));
        let fd = c.push(
            Code::ImageNotFound,
            start..start + w.len(),
            format!(
                "`{name}` is not among the cluster's images; the job will fail when it starts.{} Images: {}.",
                sugg.map(|s| format!(" Did you mean `{s}`?")).unwrap_or_default(),
                names.join(", ")
            ),
        );
        if sugg.is_none() && !in_image_dir {
            fd.severity = Severity::Info;
        }
        if let Some(s) = sugg {
            fd.fixes.push(Fix::replace(
                format!("Change to {s}"),
                name_start..name_start + name.len(),
                s,
            ));
        }
    }
}

/// The candidate sharing the longest prefix with `name` (at least 4 characters), for
/// versioned file names like `pytorch_2.1.2-...` vs `pytorch_2.2.1-...`.
fn closest_by_prefix<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let common = |a: &str, b: &str| a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let best = candidates.iter().max_by_key(|c| common(name, c))?;
    (common(name, best) >= 4).then_some(*best)
}
