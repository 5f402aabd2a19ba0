//! Whether the `--output`/`--error` directories of open sbatch scripts exist on the
//! cluster (`sbatch/output-dir-missing`). The command-line checker asks inside the facts'
//! round trip; the server asks when a document that names a directory is opened or
//! edited, with `test -d` on the login node ([`crate::engine::Engine::dirs_exist`]):
//! nothing goes to Slurm, nothing is polled.
//!
//! - Each directory is asked once, then again only when a document is published more than
//!   [`FRESH`] after the last answer (the user may have created it meanwhile).
//! - Requests wait [`SETTLE`] for typing to stop, then go out together in one round trip;
//!   a directory no open document names any more (a prefix typed on the way) is dropped.
//! - A failed round trip answers nothing: the check says nothing rather than guess.
//!
//! [`RemoteDirs`] decides (pure); `Worker::ask_dirs` (`dir_probe.rs`) does the asking.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use clusterls_core::facts::RemoteDir;

/// How long an answer is used before a publish asks again.
pub const FRESH: Duration = Duration::from_secs(60);
/// How long requests wait for more (the user is typing the path) before they go out.
pub const SETTLE: Duration = Duration::from_millis(600);
/// Answers kept at most (the oldest go first).
const MAX_KNOWN: usize = 1024;

#[derive(Default)]
pub struct RemoteDirs {
    known: HashMap<String, (bool, Instant)>,
    /// Asked for and not yet sent (waiting for typing to settle).
    pending: HashSet<String>,
    /// Sent, answer not back yet.
    in_flight: HashSet<String>,
    /// A probe is waiting for typing to settle (it will take what is pending).
    scheduled: bool,
}

impl RemoteDirs {
    /// Every answer known (stale ones too: better than none until the next).
    pub fn all(&self) -> Vec<RemoteDir> {
        self.known
            .iter()
            .map(|(d, (exists, _))| RemoteDir { path: d.clone(), exists: *exists })
            .collect()
    }

    /// Note that a document names `dirs`: those unknown or stale, and not already asked
    /// for, become pending. True when a probe should be started: something new is
    /// pending and none is waiting already.
    pub fn want(&mut self, dirs: &[String], now: Instant) -> bool {
        let mut added = false;
        for d in dirs {
            let stale = self.known.get(d).is_none_or(|(_, at)| now.duration_since(*at) >= FRESH);
            if stale && !self.in_flight.contains(d) && self.pending.insert(d.clone()) {
                added = true;
            }
        }
        added && !std::mem::replace(&mut self.scheduled, true)
    }

    /// Take the pending directories that an open document still names (`named`), to
    /// send now; the rest are forgotten. The waiting probe is done.
    pub fn take(&mut self, named: &HashSet<String>) -> Vec<String> {
        self.scheduled = false;
        let mut out: Vec<String> =
            self.pending.drain().filter(|d| named.contains(d.as_str())).collect();
        out.sort();
        self.in_flight.extend(out.iter().cloned());
        out
    }

    /// The answers to `asked` (a directory left out of `answers` stays unknown). True
    /// when an answer is new or changed (diagnostics should be published again).
    pub fn record(&mut self, asked: &[String], answers: &[RemoteDir], now: Instant) -> bool {
        let mut changed = false;
        for d in asked {
            self.in_flight.remove(d);
        }
        for a in answers {
            let before = self.known.insert(a.path.clone(), (a.exists, now));
            changed |= before.is_none_or(|(e, _)| e != a.exists);
        }
        if self.known.len() > MAX_KNOWN {
            let mut by_age: Vec<(Instant, String)> =
                self.known.iter().map(|(k, (_, at))| (*at, k.clone())).collect();
            by_age.sort();
            for (_, k) in by_age.into_iter().take(self.known.len() - MAX_KNOWN) {
                self.known.remove(&k);
            }
        }
        changed
    }

    /// Another cluster: every answer is about the old one.
    pub fn clear(&mut self) {
        *self = RemoteDirs::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn answers(r: &RemoteDirs, v: &[&str]) -> Vec<RemoteDir> {
        let mut a: Vec<RemoteDir> =
            r.all().into_iter().filter(|d| v.contains(&d.path.as_str())).collect();
        a.sort_by(|x, y| x.path.cmp(&y.path));
        a
    }

    #[test]
    fn asks_once_then_again_when_stale() {
        let t0 = Instant::now();
        let mut r = RemoteDirs::default();
        assert!(r.want(&dirs(&["/a", "/b"]), t0));
        // Asked again before it went out: nothing new.
        assert!(!r.want(&dirs(&["/a"]), t0));
        let named: HashSet<String> = dirs(&["/a", "/b"]).into_iter().collect();
        let sent = r.take(&named);
        assert_eq!(sent, dirs(&["/a", "/b"]));
        // In flight: not asked again.
        assert!(!r.want(&dirs(&["/a"]), t0));
        let a = [RemoteDir { path: "/a".into(), exists: false }];
        assert!(r.record(&sent, &a, t0));
        assert_eq!(answers(&r, &["/a", "/b"]), a.to_vec());
        // /b had no answer: unknown, asked again; /a is fresh.
        assert!(r.want(&dirs(&["/a", "/b"]), t0 + Duration::from_secs(1)));
        assert_eq!(r.take(&named), dirs(&["/b"]));
        // The same answer again changes nothing; a stale one is asked again.
        assert!(!r.record(&dirs(&["/a"]), &a, t0));
        assert!(r.want(&dirs(&["/a"]), t0 + FRESH));
    }

    #[test]
    fn prefixes_typed_on_the_way_are_not_sent() {
        let t0 = Instant::now();
        let mut r = RemoteDirs::default();
        for d in ["/s", "/sc", "/scratch/logs"] {
            r.want(&dirs(&[d]), t0);
        }
        let named: HashSet<String> = dirs(&["/scratch/logs"]).into_iter().collect();
        assert_eq!(r.take(&named), dirs(&["/scratch/logs"]));
        assert!(r.take(&named).is_empty());
    }

    #[test]
    fn a_changed_answer_is_news_and_the_cache_is_bounded() {
        let t0 = Instant::now();
        let mut r = RemoteDirs::default();
        let one = |e| [RemoteDir { path: "/a".into(), exists: e }];
        assert!(r.record(&[], &one(false), t0));
        assert!(r.record(&[], &one(true), t0));
        for i in 0..MAX_KNOWN + 10 {
            let d = RemoteDir { path: format!("/d{i}"), exists: true };
            r.record(&[], &[d], t0 + Duration::from_millis(i as u64 + 1));
        }
        assert_eq!(r.known.len(), MAX_KNOWN);
        // The oldest went first.
        assert!(answers(&r, &["/a"]).is_empty());
        r.clear();
        assert!(answers(&r, &["/d2000"]).is_empty());
    }
}
