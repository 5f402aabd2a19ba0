//! Open documents: text kept in sync incrementally, applied strictly in version order
//! (tower-lsp-server may run two `didChange` handlers out of order), and what kind of
//! file each one is.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use clusterls_core::kind::{has_sbatch_directive, kind_from_name};
use clusterls_core::{FileKind, Finding, LineIndex};
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use super::proto::Text;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Sbatch,
    Dockerfile,
    /// Not ours (a shell script without `#SBATCH` lines, say).
    Other,
}

/// What a document is, from its file name, its editor language and its content (the
/// rules are `clusterls_core::kind`'s, shared with the CLI).
pub fn kind(uri: &Uri, language_id: &str, text: &str) -> DocKind {
    match kind_from_name(uri.path().as_str()) {
        Some(FileKind::Sbatch) => DocKind::Sbatch,
        Some(FileKind::Dockerfile) => DocKind::Dockerfile,
        None if language_id == "dockerfile" => DocKind::Dockerfile,
        None if has_sbatch_directive(text) => DocKind::Sbatch,
        None => DocKind::Other,
    }
}

impl DocKind {
    pub fn file_kind(self) -> Option<FileKind> {
        match self {
            DocKind::Sbatch => Some(FileKind::Sbatch),
            DocKind::Dockerfile => Some(FileKind::Dockerfile),
            DocKind::Other => None,
        }
    }
}

#[derive(Debug)]
pub struct Document {
    pub version: i32,
    pub language_id: String,
    pub text: Arc<str>,
    pub index: Arc<LineIndex>,
    pub kind: DocKind,
    /// The findings last published, with the version they were computed for; code
    /// actions read them.
    pub findings: Option<(i32, Arc<Vec<Finding>>)>,
}

impl Document {
    pub fn new(uri: &Uri, language_id: String, version: i32, text: String) -> Document {
        let kind = kind(uri, &language_id, &text);
        let index = Arc::new(LineIndex::new(&text));
        Document { version, language_id, text: text.into(), index, kind, findings: None }
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

/// Every open document, and changes that arrived ahead of the version they follow.
#[derive(Debug, Default)]
pub struct Documents {
    docs: HashMap<Uri, Document>,
    early: HashMap<Uri, BTreeMap<i32, Vec<TextDocumentContentChangeEvent>>>,
}

impl Documents {
    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.docs.get(uri)
    }

    pub fn get_mut(&mut self, uri: &Uri) -> Option<&mut Document> {
        self.docs.get_mut(uri)
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    pub fn uris(&self) -> Vec<Uri> {
        self.docs.keys().cloned().collect()
    }

    pub fn open(&mut self, uri: Uri, language_id: String, version: i32, text: String) {
        let mut doc = Document::new(&uri, language_id, version, text);
        let early = self.early.remove(&uri).unwrap_or_default();
        let rest = drain(&uri, &mut doc, early);
        if !rest.is_empty() {
            self.early.insert(uri.clone(), rest);
        }
        self.docs.insert(uri, doc);
    }

    /// Apply a `didChange`. Returns whether the document's text moved on (false for a
    /// stale version, or an early one, which waits until its predecessor arrives).
    pub fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> bool {
        let Some(doc) = self.docs.get_mut(uri) else {
            self.early.entry(uri.clone()).or_default().insert(version, changes);
            return false;
        };
        if version <= doc.version {
            tracing::warn!(
                uri = uri.as_str(),
                version,
                have = doc.version,
                "ignoring a stale didChange"
            );
            return false;
        }
        let mut queue = self.early.remove(uri).unwrap_or_default();
        queue.insert(version, changes);
        let before = doc.version;
        let rest = drain(uri, doc, queue);
        let moved = doc.version != before;
        if !rest.is_empty() {
            tracing::debug!(
                uri = uri.as_str(),
                waiting = rest.len(),
                "changes wait for an earlier version"
            );
            self.early.insert(uri.clone(), rest);
        }
        moved
    }

    /// Close a document; returns whether it was open.
    pub fn close(&mut self, uri: &Uri) -> bool {
        self.early.remove(uri);
        self.docs.remove(uri).is_some()
    }
}

type Queue = BTreeMap<i32, Vec<TextDocumentContentChangeEvent>>;

/// Apply queued versions that follow the document's; return the rest. Clients number
/// versions consecutively; a full-text change ends any gap.
fn drain(uri: &Uri, doc: &mut Document, mut queue: Queue) -> Queue {
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
        assert!(docs.is_empty());
    }

    #[track_caller]
    fn check_kind(uri: &str, language: &str, text: &str, expected: DocKind) {
        assert_eq!(kind(&uri.parse().unwrap(), language, text), expected, "{uri}");
    }

    #[test]
    fn kinds() {
        check_kind("file:///w/train.sbatch", "plaintext", "", DocKind::Sbatch);
        check_kind("file:///w/a.slurm", "", "", DocKind::Sbatch);
        check_kind("file:///w/a.job", "", "", DocKind::Sbatch);
        check_kind(
            "file:///w/run.sh",
            "shellscript",
            "#!/bin/bash\n#SBATCH -p gpu\n",
            DocKind::Sbatch,
        );
        check_kind(
            "file:///w/run.sh",
            "shellscript",
            "#!/bin/bash\n# SBATCH -p gpu\n",
            DocKind::Other,
        );
        check_kind("file:///w/Dockerfile", "", "", DocKind::Dockerfile);
        check_kind("file:///w/gpu.Dockerfile", "", "", DocKind::Dockerfile);
        check_kind("file:///w/Containerfile", "", "", DocKind::Dockerfile);
        check_kind("untitled:Untitled-1", "dockerfile", "", DocKind::Dockerfile);
        check_kind("file:///w/my%20dir/Dockerfile", "", "", DocKind::Dockerfile);
        check_kind("file:///w/train.py", "python", "#SBATCH", DocKind::Sbatch);
    }
}
