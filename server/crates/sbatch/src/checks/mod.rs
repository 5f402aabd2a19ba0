//! The checks. Every finding has a stable code `sbatch/<name>`, a severity that says
//! whether sbatch would refuse the script (error) or the script would misbehave
//! (warning), and a message that says what to do. Quick fixes are data.
//!
//! One module per theme, each rule a function with its [`clusterls_core::Rule`] declared
//! next to it and registered in [`crate::rules`]: `file` (the file as a whole), `lines`
//! (which lines sbatch reads, and how it splits them), `options` (option names and the
//! getopt rules), `values` (each value against Slurm's grammar, from a table),
//! `conflicts` (options that exclude each other), `cluster` and `capacity` (against the
//! cluster's facts), `containers` (the script's body).
//!
//! Every check is linear in the script: options are looked up through an [`Index`] built
//! once, never by scanning the directives again.

use std::collections::HashMap;
use std::ops::Range;

use clusterls_core::{ClusterFacts, Finding};

use crate::parse::{Directive, Script, parse_for};
use crate::rules::Code;

pub(crate) mod capacity;
pub(crate) mod cluster;
pub(crate) mod conflicts;
pub(crate) mod containers;
pub(crate) mod file;
pub(crate) mod lines;
pub(crate) mod options;
mod request;
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

/// Check an already parsed script.
pub fn check_parsed(text: &str, script: &Script, facts: Option<&ClusterFacts>) -> Vec<Finding> {
    let version = facts.and_then(|f| f.slurm_version.as_deref()).and_then(parse_version);
    let mut c =
        Checker { text, script, facts, version, index: Index::new(script), out: Vec::new() };
    file::check(&mut c);
    lines::check(&mut c);
    options::check(&mut c);
    for comp in 0..script.components {
        let req = Request::of(&c.index, comp);
        conflicts::check(&mut c, &req);
        if let Some(f) = facts {
            cluster::check(&mut c, f, &req);
        }
    }
    containers::check(&mut c);
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
    /// Push a finding of `code` with the rule's severity; returns it for fixes or a
    /// different severity.
    pub fn push(
        &mut self,
        code: Code,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> &mut Finding {
        self.out.push(code.finding(range, message));
        self.out.last_mut().expect("just pushed")
    }

    /// The value's span, or the option name's when there is no value.
    pub fn value_range(&self, d: &Directive) -> Range<usize> {
        d.value_span.clone().unwrap_or(d.name_span.clone())
    }
}

/// Options by name, built once: sbatch keeps the last of each option in each job
/// component, and heterogeneous components inherit some options from earlier ones.
pub(crate) struct Index<'a> {
    /// Per component: option name → its directives in order.
    by_name: Vec<HashMap<&'static str, Vec<&'a Directive>>>,
    /// Per component: the inherited options' last directive in it or an earlier one.
    inherited: Vec<HashMap<&'static str, &'a Directive>>,
}

/// Options a heterogeneous job component inherits from the ones before it (measured on
/// 22.05: --account and --time are inherited, --partition, --cpus-per-task and --gres
/// are not).
pub(crate) fn inherited(name: &str) -> bool {
    matches!(name, "account" | "qos" | "time" | "reservation")
}

impl<'a> Index<'a> {
    fn new(script: &'a Script) -> Index<'a> {
        let n = script.components.max(1);
        let mut by_name: Vec<HashMap<&'static str, Vec<&'a Directive>>> = vec![HashMap::new(); n];
        for d in &script.directives {
            if let Some(name) = d.name()
                && let Some(map) = by_name.get_mut(d.component)
            {
                map.entry(name).or_default().push(d);
            }
        }
        let mut inherited_last = Vec::with_capacity(n);
        let mut carried: HashMap<&'static str, &'a Directive> = HashMap::new();
        for map in &by_name {
            for name in ["account", "qos", "time", "reservation"] {
                if let Some(d) = map.get(name).and_then(|v| v.last()) {
                    carried.insert(name, d);
                }
            }
            inherited_last.push(carried.clone());
        }
        Index { by_name, inherited: inherited_last }
    }

    /// Every directive of option `name` in `component`, in order.
    pub fn all(&self, component: usize, name: &str) -> &[&'a Directive] {
        self.by_name.get(component).and_then(|m| m.get(name)).map_or(&[], Vec::as_slice)
    }

    /// The directive sbatch keeps for `name` in `component` (the last one).
    pub fn last(&self, component: usize, name: &str) -> Option<&'a Directive> {
        self.all(component, name).last().copied()
    }

    /// As [`Index::last`], with the options a component inherits from earlier ones.
    pub fn effective(&self, component: usize, name: &str) -> Option<&'a Directive> {
        if inherited(name) {
            self.inherited.get(component).and_then(|m| m.get(name)).copied()
        } else {
            self.last(component, name)
        }
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
