//! The checks. Every finding has a stable code `sbatch/<name>`, a severity that says
//! whether sbatch would refuse the script (error) or the script would misbehave
//! (warning), and a message that says what to do. Quick fixes are data.
//!
//! One module per theme, each rule a function with its [`clusterls_core::Rule`] declared
//! next to it and registered in [`crate::rules`]: `file` (the file as a whole), `lines`
//! (which lines sbatch reads, and how it splits them), `options` (option names and the
//! getopt rules), `values` (each value against Slurm's grammar, from a table),
//! `conflicts` (options that exclude each other), `cluster`, `capacity`, `admission` and
//! `limits` (against the cluster's facts), `outputs` (the files Slurm writes, against directories the facts
//! probed), `containers` (the script's body); `skipped` says which of the checks against the
//! cluster the facts at hand cannot run.
//!
//! Every check is linear in the script: options are looked up through an [`Index`] built
//! once, never by scanning the directives again.

use std::ops::Range;

use clusterls_core::facts::RemoteDir;
use clusterls_core::{ClusterFacts, Finding, Rule};

use crate::parse::{Directive, Script, parse_for};

pub(crate) mod admission;
pub(crate) mod capacity;
pub(crate) mod cluster;
pub(crate) mod conflicts;
pub(crate) mod containers;
pub(crate) mod file;
pub(crate) mod limits;
pub(crate) mod lines;
pub(crate) mod options;
pub(crate) mod outputs;
mod request;
pub mod skipped;
pub(crate) mod values;

use request::Request;

/// Scripts longer than this are not checked beyond [`file::SCRIPT_TOO_LARGE`]: Slurm's
/// default `max_script_size` (4 MiB, `SchedulerParameters`), so sbatch refuses them
/// anyway unless the site raised the limit, and a bound keeps a language server that
/// checks on every keystroke responsive whatever is opened in it.
pub const MAX_SCRIPT_BYTES: usize = 4 * 1024 * 1024;

/// Check an sbatch script. `facts` enables the checks against the real cluster.
pub fn check(text: &str, facts: Option<&ClusterFacts>) -> Vec<Finding> {
    if text.len() > MAX_SCRIPT_BYTES {
        return vec![file::too_large(text)];
    }
    let version = facts.and_then(|f| f.slurm_version.as_deref()).and_then(parse_version);
    let script = parse_for(text, version);
    check_parsed(text, &script, facts)
}

/// [`check`] with what is known of the `--output`/`--error` directories (`known`, the
/// answers to earlier `test -d`s, for any paths), from one parse; also the script's
/// absolute log directories ([`outputs::log_dirs`]), so that the caller asks about the
/// ones it has no answer for. The language server's check of a document.
pub fn check_with_dirs(
    text: &str,
    facts: Option<&ClusterFacts>,
    known: &[RemoteDir],
) -> (Vec<Finding>, Vec<String>) {
    if text.len() > MAX_SCRIPT_BYTES {
        return (vec![file::too_large(text)], Vec::new());
    }
    let version = facts.and_then(|f| f.slurm_version.as_deref()).and_then(parse_version);
    let script = parse_for(text, version);
    let dirs = outputs::log_dirs(&script);
    let answers: Vec<RemoteDir> =
        known.iter().filter(|k| dirs.contains(&k.path)).cloned().collect();
    let findings = match facts {
        Some(f) if !answers.is_empty() => {
            let mut with = f.clone();
            with.admission.dirs = answers;
            check_parsed(text, &script, Some(&with))
        }
        _ => check_parsed(text, &script, facts),
    };
    (findings, dirs)
}

/// Check an already parsed script.
pub fn check_parsed(text: &str, script: &Script, facts: Option<&ClusterFacts>) -> Vec<Finding> {
    let version = facts.and_then(|f| f.slurm_version.as_deref()).and_then(parse_version);
    let mut c =
        Checker { text, script, facts, version, index: Index::new(script), out: Vec::new() };
    file::check(&mut c);
    lines::check(&mut c);
    options::check(&mut c);
    let requests: Vec<Request> =
        (0..script.components).map(|comp| Request::of(&c.index, comp)).collect();
    for req in &requests {
        conflicts::check(&mut c, req);
        outputs::check(&mut c, req.component);
        if let Some(f) = facts {
            cluster::check(&mut c, f, req);
        }
    }
    containers::check(&mut c, requests.first().is_some_and(Request::wants_gpus));
    let mut out = c.out;
    out.sort_by(|a, b| {
        (a.range.start, a.range.end, &a.code).cmp(&(b.range.start, b.range.end, &b.code))
    });
    out.dedup_by(|a, b| a.range == b.range && a.code == b.code);
    out
}

/// What every check reads, and where it writes.
pub(crate) struct Checker<'a> {
    pub text: &'a str,
    pub script: &'a Script,
    pub facts: Option<&'a ClusterFacts>,
    /// The cluster's Slurm release, when the facts say.
    pub version: Option<(u8, u8)>,
    pub index: Index<'a>,
    out: Vec<Finding>,
}

impl Checker<'_> {
    /// Push a finding of `rule` with the rule's severity; returns it for fixes or a
    /// different severity.
    pub fn push(
        &mut self,
        rule: &'static Rule,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> &mut Finding {
        rule.push(&mut self.out, range, message)
    }

    /// The value's span, or the option name's when there is no value.
    pub fn value_range(&self, d: &Directive) -> Range<usize> {
        d.value_span.clone().unwrap_or(d.name_span.clone())
    }
}

/// Options by name, built once: sbatch keeps the last of each option in each job
/// component, and heterogeneous components inherit some options from earlier ones.
/// Sorted vectors and binary search: O(n log n) to build, no hashing per lookup.
pub(crate) struct Index<'a> {
    /// Per component: (option name, directive), sorted by name, then document order.
    by_name: Vec<Vec<(&'static str, &'a Directive)>>,
    /// Per component: the inherited options' ([`INHERITED`]) last directive in it or in an
    /// earlier component.
    inherited: Vec<[Option<&'a Directive>; 4]>,
}

/// Options a heterogeneous job component inherits from the ones before it (measured on
/// 22.05: --account and --time are inherited, --partition, --cpus-per-task and --gres
/// are not).
const INHERITED: [&str; 4] = ["account", "qos", "time", "reservation"];

impl<'a> Index<'a> {
    fn new(script: &'a Script) -> Index<'a> {
        let n = script.components.max(1);
        let mut by_name: Vec<Vec<(&'static str, &'a Directive)>> = vec![Vec::new(); n];
        for d in &script.directives {
            if let Some(name) = d.name()
                && let Some(list) = by_name.get_mut(d.component)
            {
                list.push((name, d));
            }
        }
        for list in &mut by_name {
            list.sort_by(|a, b| a.0.cmp(b.0)); // stable: document order within a name
        }
        let mut inherited = Vec::with_capacity(n);
        let mut carried: [Option<&'a Directive>; 4] = [None; 4];
        for list in &by_name {
            for (k, name) in INHERITED.iter().enumerate() {
                if let Some(&(_, d)) = Self::slice(list, name).last() {
                    carried[k] = Some(d);
                }
            }
            inherited.push(carried);
        }
        Index { by_name, inherited }
    }

    fn slice<'l>(
        list: &'l [(&'static str, &'a Directive)],
        name: &str,
    ) -> &'l [(&'static str, &'a Directive)] {
        // One binary search, then the (few) neighbours with the same name.
        let Ok(hit) = list.binary_search_by(|(n, _)| (*n).cmp(name)) else { return &[] };
        let from = list[..hit].iter().rposition(|(n, _)| *n != name).map_or(0, |i| i + 1);
        let to = list[hit..].iter().position(|(n, _)| *n != name).map_or(list.len(), |i| hit + i);
        &list[from..to]
    }

    /// Every directive of option `name` in `component`, in order, as (name, directive).
    pub fn all(&self, component: usize, name: &str) -> &[(&'static str, &'a Directive)] {
        self.by_name.get(component).map_or(&[], |list| Self::slice(list, name))
    }

    /// The first directive of option `name` in `component`.
    pub fn first(&self, component: usize, name: &str) -> Option<&'a Directive> {
        self.all(component, name).first().map(|x| x.1)
    }

    /// The directive sbatch keeps for `name` in `component` (the last one).
    pub fn last(&self, component: usize, name: &str) -> Option<&'a Directive> {
        self.all(component, name).last().map(|x| x.1)
    }

    /// As [`Index::last`], with the options a component inherits from earlier ones.
    pub fn effective(&self, component: usize, name: &str) -> Option<&'a Directive> {
        match INHERITED.iter().position(|n| *n == name) {
            Some(k) => self.inherited.get(component).and_then(|i| i[k]),
            None => self.last(component, name),
        }
    }

    /// Each component's directives in pairs (one, the next of the same option).
    pub fn repeats(&self) -> impl Iterator<Item = (&'a Directive, &'a Directive)> + '_ {
        self.by_name
            .iter()
            .flat_map(|list| list.windows(2))
            .filter(|w| w[0].0 == w[1].0)
            .map(|w| (w[0].1, w[1].1))
    }
}

/// The byte range of a whole line including its `\n` (for deleting it).
pub(crate) fn full_line(text: &str, span: &Range<usize>) -> Range<usize> {
    let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[span.end..].find('\n').map_or(text.len(), |i| span.end + i + 1);
    start..end
}

pub(crate) fn parse_version(v: &str) -> Option<(u8, u8)> {
    let mut it = v.split('.');
    let major = it.next()?.parse().ok()?;
    let minor = it.next()?.parse().ok()?;
    Some((major, minor))
}
