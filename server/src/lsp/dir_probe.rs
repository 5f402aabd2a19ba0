//! The asking side of `dirs.rs`: `Worker::ask_dirs`, which sends the pending `test -d`
//! questions through the engine once typing settles and publishes again the documents
//! whose answers changed.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use tower_lsp_server::ls_types::Uri;

use super::dirs::SETTLE;
use super::state::lock;
use super::worker::Worker;

impl Worker {
    /// Ask the cluster about directories a document names (`sbatch/output-dir-missing`)
    /// that have no fresh answer: after typing settles, in one round trip, then publish
    /// again the documents that name a new answer. Nothing without an engine (no host,
    /// or an untrusted workspace).
    pub(super) fn ask_dirs(&self, dirs: &[String]) {
        if dirs.is_empty() {
            return;
        }
        {
            let mut s = lock(&self.state);
            if s.cluster.is_none() || !s.dirs.want(dirs, Instant::now()) {
                return;
            }
        }
        let w = self.clone();
        tokio::spawn(async move {
            // Typing settles: a path is written a character at a time.
            tokio::time::sleep(SETTLE).await;
            let (cluster, asked) = {
                let mut s = lock(&w.state);
                let named: HashSet<String> = s
                    .docs
                    .uris()
                    .iter()
                    .filter_map(|u| s.docs.get(u))
                    .flat_map(|d| d.log_dirs.iter().cloned())
                    .collect();
                (s.cluster.clone(), s.dirs.take(&named))
            };
            let Some(cluster) = cluster else { return };
            if asked.is_empty() {
                return;
            }
            let answers = match cluster.engine.dirs_exist(&asked).await {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!("asking whether {} exist: {e}", asked.join(", "));
                    Vec::new()
                }
            };
            let uris: Vec<Uri> = {
                let mut s = lock(&w.state);
                // Answers about a cluster that is no longer the one in use are dropped.
                let same = s.cluster.as_ref().is_some_and(|c| Arc::ptr_eq(c, &cluster));
                if !(same && s.dirs.record(&asked, &answers, Instant::now())) {
                    return;
                }
                s.docs
                    .uris()
                    .into_iter()
                    .filter(|u| {
                        s.docs.get(u).is_some_and(|d| d.log_dirs.iter().any(|p| asked.contains(p)))
                    })
                    .collect()
            };
            for uri in uris {
                w.publish(&uri, true).await;
            }
        });
    }
}
