//! Open documents: text kept in sync incrementally, applied strictly in version order
//! (tower-lsp-server may run two `didChange` handlers out of order), with bounded room
//! for changes that arrive early.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use clusterls_core::{Finding, LineIndex};
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use super::kind::{DocKind, kind};
use super::proto::Text;

#[derive(Debug)]
pub struct Document {
    pub version: i32,
    pub language_id: String,
    pub text: Arc<str>,
    pub index: Arc<LineIndex>,
    pub kind: DocKind,
    /// The findings that have fixes, from the diagnostics last published, with the
    /// version they were computed for; code actions read them.
    pub findings: Option<(i32, Arc<Vec<Finding>>)>,
    /// The absolute `--output`/`--error` directories it named when last published.
    pub log_dirs: Vec<String>,
}

impl Document {
    pub fn new(uri: &Uri, language_id: String, version: i32, text: String) -> Document {
        let kind = kind(uri, &language_id, &text);
        let index = Arc::new(LineIndex::new(&text));
        Document {
            version,
            language_id,
            text: text.into(),
            index,
            kind,
            findings: None,
            log_dirs: Vec::new(),
        }
    }

    /// Apply one version's changes, in order.
    fn apply(&mut self, uri: &Uri, version: i32, changes: Vec<TextDocumentContentChangeEvent>) {
        let mut text = String::from(&*self.text);
        let mut index = LineIndex::new(&text);
        for change in changes {
            match change.range {
                None => text = change.text,
                Some(range) => {
                    let r = Text::new(&text, &index).byte_range(range);
                    text.replace_range(r, &change.text);
                }
            }
            index = LineIndex::new(&text);
        }
        self.kind = kind(uri, &self.language_id, &text);
        self.text = text.into();
        self.index = Arc::new(index);
        self.version = version;
    }
}

/// How many versions may wait for a missing predecessor, per document. A gap that
/// outlives this many later versions will never be filled (the client skipped it).
pub const MAX_WAITING_VERSIONS: usize = 16;
/// How many documents that are not open may have changes waiting for their `didOpen`.
pub const MAX_WAITING_DOCUMENTS: usize = 8;
/// Bytes of change text kept waiting, over all documents.
pub const MAX_WAITING_BYTES: usize = 4 << 20;

/// Every open document, and changes that arrived ahead of the version they follow.
/// What waits is bounded ([`MAX_WAITING_VERSIONS`], [`MAX_WAITING_DOCUMENTS`],
/// [`MAX_WAITING_BYTES`]): a client that sends changes for documents it never opens,
/// or skips versions, costs a warning in the log and no memory.
#[derive(Debug, Default)]
pub struct Documents {
    docs: HashMap<Uri, Document>,
    early: HashMap<Uri, Queue>,
    /// Bytes of change text in `early`.
    early_bytes: usize,
}

impl Documents {
    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.docs.get(uri)
    }

    pub fn get_mut(&mut self, uri: &Uri) -> Option<&mut Document> {
        self.docs.get_mut(uri)
    }

    pub fn uris(&self) -> Vec<Uri> {
        self.docs.keys().cloned().collect()
    }

    /// Changes waiting: (documents, versions, bytes).
    #[cfg(test)]
    pub fn waiting(&self) -> (usize, usize, usize) {
        (self.early.len(), self.early.values().map(BTreeMap::len).sum(), self.early_bytes)
    }

    pub fn open(&mut self, uri: Uri, language_id: String, version: i32, text: String) {
        let mut doc = Document::new(&uri, language_id, version, text);
        let early = self.take_early(&uri);
        let rest = drain(&uri, &mut doc, early);
        self.docs.insert(uri.clone(), doc);
        self.put_early(uri, rest);
    }

    /// Apply a `didChange`. Returns whether the document's text moved on (false for a
    /// stale version, or an early one, which waits until its predecessor arrives).
    pub fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> bool {
        let Some(have) = self.docs.get(uri).map(|d| d.version) else {
            // Not open (yet: the didOpen handler may run after this one).
            let mut queue = self.take_early(uri);
            queue.insert(version, changes);
            self.put_early(uri.clone(), queue);
            return false;
        };
        if version <= have {
            tracing::warn!(uri = uri.as_str(), version, have, "ignoring a stale didChange");
            return false;
        }
        let mut queue = self.take_early(uri);
        queue.insert(version, changes);
        let doc = self.docs.get_mut(uri).expect("open");
        let rest = drain(uri, doc, queue);
        let moved = doc.version != have;
        self.put_early(uri.clone(), rest);
        moved
    }

    /// Close a document; returns whether it was open.
    pub fn close(&mut self, uri: &Uri) -> bool {
        self.take_early(uri);
        self.docs.remove(uri).is_some()
    }

    fn take_early(&mut self, uri: &Uri) -> Queue {
        let queue = self.early.remove(uri).unwrap_or_default();
        self.early_bytes -= queue_bytes(&queue);
        queue
    }

    /// Keep `queue` waiting for `uri`, within the bounds; what does not fit is dropped
    /// with a warning.
    fn put_early(&mut self, uri: Uri, mut queue: Queue) {
        if queue.is_empty() {
            return;
        }
        let open = self.docs.contains_key(&uri);
        if open && queue.len() > MAX_WAITING_VERSIONS {
            tracing::warn!(
                uri = uri.as_str(),
                "dropping {} changes that wait for a version the client never sent; the document is out of step until it is reopened",
                queue.len()
            );
            return;
        }
        while queue.len() > MAX_WAITING_VERSIONS {
            queue.pop_first();
        }
        if !open && self.early.len() >= MAX_WAITING_DOCUMENTS {
            tracing::warn!(uri = uri.as_str(), "dropping changes for a document that is not open");
            return;
        }
        let bytes = queue_bytes(&queue);
        if self.early_bytes + bytes > MAX_WAITING_BYTES {
            tracing::warn!(uri = uri.as_str(), bytes, "dropping changes: too much text waits");
            return;
        }
        if open {
            tracing::debug!(
                uri = uri.as_str(),
                waiting = queue.len(),
                "changes wait for an earlier version"
            );
        }
        self.early_bytes += bytes;
        self.early.insert(uri, queue);
    }
}

type Queue = BTreeMap<i32, Vec<TextDocumentContentChangeEvent>>;

fn queue_bytes(queue: &Queue) -> usize {
    queue.values().flatten().map(|c| c.text.len()).sum()
}

/// Apply queued versions that follow the document's; return the rest. Clients number
/// versions consecutively; a full-text change ends any gap.
fn drain(uri: &Uri, doc: &mut Document, mut queue: Queue) -> Queue {
    // A full-text change makes whatever comes before it moot.
    let full = queue
        .iter()
        .rev()
        .find(|(v, c)| **v > doc.version && c.iter().any(|c| c.range.is_none()))
        .map(|(v, _)| *v);
    if let Some(v) = full {
        queue = queue.split_off(&v);
    }
    while let Some((&v, changes)) = queue.first_key_value() {
        let full = changes.iter().any(|c| c.range.is_none());
        if v <= doc.version {
            queue.pop_first();
        } else if v == doc.version + 1 || full {
            let (v, changes) = queue.pop_first().expect("non-empty");
            doc.apply(uri, v, changes);
        } else {
            break;
        }
    }
    queue
}

#[cfg(test)]
mod tests {
    use tower_lsp_server::ls_types::{Position, Range};

    use super::*;

    fn edit(l0: u32, c0: u32, l1: u32, c1: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l0, c0), Position::new(l1, c1))),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn incremental_changes_apply_in_version_order() {
        let uri: Uri = "file:///w/a.sh".parse().unwrap();
        let mut docs = Documents::default();
        docs.open(uri.clone(), "shellscript".into(), 1, "a𐐀b\r\nc".into());
        assert_eq!(docs.get(&uri).unwrap().kind, DocKind::Other);
        // Version 3 arrives before 2: it waits.
        assert!(!docs.change(&uri, 3, vec![edit(1, 1, 1, 1, "\n#SBATCH -p gpu")]));
        assert_eq!(&*docs.get(&uri).unwrap().text, "a𐐀b\r\nc");
        // Version 2 replaces the 𐐀 (UTF-16 columns 1..3), then 3 applies.
        assert!(docs.change(&uri, 2, vec![edit(0, 1, 0, 3, "é")]));
        let doc = docs.get(&uri).unwrap();
        assert_eq!(&*doc.text, "aéb\r\nc\n#SBATCH -p gpu");
        assert_eq!(doc.version, 3);
        assert_eq!(doc.kind, DocKind::Sbatch);
        // Stale versions are ignored.
        assert!(!docs.change(&uri, 3, vec![edit(0, 0, 0, 0, "zzz")]));
        assert!(docs.close(&uri));
        assert!(docs.get(&uri).is_none());
    }

    #[test]
    fn what_waits_is_bounded() {
        let mut docs = Documents::default();
        let big = "x".repeat(1 << 20);
        // Changes for documents never opened: a few documents' worth waits, no more.
        for i in 0..10_000 {
            let uri: Uri = format!("file:///w/{i}.sbatch").parse().unwrap();
            assert!(!docs.change(&uri, 2, vec![edit(0, 0, 0, 0, "#SBATCH -p gpu\n")]));
        }
        assert_eq!(docs.waiting(), (MAX_WAITING_DOCUMENTS, MAX_WAITING_DOCUMENTS, 15 * 8));
        // A version gap that is never filled: the queue is dropped, not grown.
        let uri: Uri = "file:///w/gap.sbatch".parse().unwrap();
        docs.open(uri.clone(), "shellscript".into(), 1, String::new());
        for v in 3..10_000 {
            assert!(!docs.change(&uri, v, vec![edit(0, 0, 0, 0, "a")]));
        }
        assert!(docs.waiting().1 <= MAX_WAITING_DOCUMENTS + MAX_WAITING_VERSIONS);
        // Bytes are bounded too.
        for v in 10_000..10_100 {
            docs.change(&uri, v, vec![edit(0, 0, 0, 0, &big)]);
        }
        assert!(docs.waiting().2 <= MAX_WAITING_BYTES, "{:?}", docs.waiting());
        // A full-text change ends the gap.
        assert!(docs.change(
            &uri,
            20_000,
            vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "#SBATCH -p gpu\n".into(),
            }]
        ));
        assert_eq!(docs.get(&uri).unwrap().version, 20_000);
        assert!(docs.close(&uri));
        assert_eq!(docs.waiting().0, MAX_WAITING_DOCUMENTS);
    }
}
