//! Reading a local file whole, bounded: only a regular file is opened (a FIFO with no
//! writer would block for ever, `/dev/zero` never ends), and at most a limit is read
//! (a file may grow between the check and the read). `clusterls check`'s inputs and a
//! run's script or a build's Dockerfile are read through it; each caller words its
//! own errors.

use std::fs::Metadata;
use std::io::Read;
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Not a regular file: what it is ([`kind`]).
    NotRegular(&'static str),
    /// Over the limit.
    TooLarge,
    Io(std::io::Error),
}

/// What a file that is not a regular one is, for a message (`a FIFO`, `a directory`).
pub fn kind(meta: &Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// `path` whole, when it is a regular file (`meta`, its metadata) of at most `limit` bytes.
pub fn read(path: &Path, meta: &Metadata, limit: u64) -> Result<Vec<u8>, ReadError> {
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind(meta)));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge);
    }
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    read_capped(file, limit).map_err(ReadError::Io)?.ok_or(ReadError::TooLarge)
}

/// At most `limit` bytes of `r`, read to its end; `None` when there is more.
pub fn read_capped(r: impl Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    r.take(limit + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}
