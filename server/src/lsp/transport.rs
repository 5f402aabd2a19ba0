//! A guard in front of tower-lsp-server's stdio transport.
//!
//! tower-lsp-server decodes frames with tokio-util's `FramedRead`, which ends the
//! stream after the first decoding error: one malformed message would stop the
//! server. This layer reads the real stdin frame by frame, answers malformed ones
//! itself (`-32700` for a body that is not JSON or a broken header, `-32600` for JSON
//! that is no JSON-RPC message), and passes only well-formed messages on. It also
//! owns stdout, so its replies and the server's are written whole, one at a time.

use tokio::io::{
    AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader, DuplexStream,
};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tower_lsp_server::jsonrpc::{Request, Response};

/// Bodies larger than this are refused (and skipped) rather than buffered.
const MAX_BODY: usize = 64 << 20;

pub struct Guard {
    /// What the language server reads.
    pub input: DuplexStream,
    /// What the language server writes.
    pub output: DuplexStream,
    reader: JoinHandle<()>,
    server_out: JoinHandle<()>,
    writer: JoinHandle<()>,
}

impl Guard {
    pub fn new<I, O>(stdin: I, stdout: O) -> Guard
    where
        I: AsyncRead + Unpin + Send + 'static,
        O: AsyncWrite + Unpin + Send + 'static,
    {
        let (to_server, input) = tokio::io::duplex(1 << 16);
        let (output, from_server) = tokio::io::duplex(1 << 16);
        let (frames, frames_rx) = mpsc::unbounded_channel::<Vec<u8>>();
        let reader = tokio::spawn(read_client(stdin, to_server, frames.clone()));
        let server_out = tokio::spawn(read_server(from_server, frames));
        let writer = tokio::spawn(write_frames(stdout, frames_rx));
        Guard { input, output, reader, server_out, writer }
    }

    /// Split into the server's ends and the rest, to be finished once the server returns.
    pub fn split(self) -> (DuplexStream, DuplexStream, Tasks) {
        let Guard { input, output, reader, server_out, writer } = self;
        (input, output, Tasks { reader, server_out, writer })
    }
}

pub struct Tasks {
    reader: JoinHandle<()>,
    server_out: JoinHandle<()>,
    writer: JoinHandle<()>,
}

impl Tasks {
    /// After the server returned (and dropped its ends): stop reading stdin and write
    /// out everything still queued.
    pub async fn finish(self) {
        self.reader.abort();
        let _ = self.reader.await;
        let _ = self.server_out.await;
        let _ = self.writer.await;
    }
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut v = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    v.extend_from_slice(body);
    v
}

fn error_frame(id: serde_json::Value, code: i64, message: &str) -> Vec<u8> {
    let body = serde_json::json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    frame(body.to_string().as_bytes())
}

/// What to do with one incoming body.
enum Verdict {
    Pass,
    Reply(Vec<u8>),
}

fn judge(body: &[u8]) -> Verdict {
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!("a message that is not JSON: {e}");
            return Verdict::Reply(error_frame(
                serde_json::Value::Null,
                -32700,
                &format!("Parse error: the message is not JSON ({e})"),
            ));
        }
    };
    if serde_json::from_value::<Request>(value.clone()).is_ok()
        || serde_json::from_value::<Response>(value.clone()).is_ok()
    {
        return Verdict::Pass;
    }
    let id = match value.get("id") {
        Some(id @ (serde_json::Value::Number(_) | serde_json::Value::String(_))) => id.clone(),
        _ => serde_json::Value::Null,
    };
    tracing::warn!("a JSON message that is no JSON-RPC 2.0 request, notification or response");
    Verdict::Reply(error_frame(
        id,
        -32600,
        "Invalid request: expected a JSON-RPC 2.0 request, notification or response",
    ))
}

/// Read one frame's headers. `Ok(None)` at end of input; `Err(message)` for a broken
/// header block (the block is consumed).
async fn read_headers<R: AsyncBufReadExt + Unpin>(
    r: &mut R,
) -> std::io::Result<Option<Result<usize, String>>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut any = false;
    loop {
        let mut line = String::new();
        let n = r.read_line(&mut line).await?;
        if n == 0 {
            return Ok(if any { Some(Err("input ended inside a header".into())) } else { None });
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if !any {
                continue; // Tolerate stray blank lines between frames.
            }
            return Ok(Some(length.unwrap_or_else(|| Err("no Content-Length header".into()))));
        }
        any = true;
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = Some(
                    value.trim().parse::<usize>().map_err(|e| format!("bad Content-Length: {e}")),
                );
            }
        } else {
            length = Some(Err(format!("not a header line: {line:?}")));
        }
    }
}

async fn read_client<I: AsyncRead + Unpin>(
    stdin: I,
    mut to_server: DuplexStream,
    replies: mpsc::UnboundedSender<Vec<u8>>,
) {
    let mut r = BufReader::new(stdin);
    loop {
        let length = match read_headers(&mut r).await {
            Ok(None) | Err(_) => break,
            Ok(Some(Ok(n))) => n,
            Ok(Some(Err(e))) => {
                tracing::warn!("bad message header: {e}");
                let _ = replies.send(error_frame(
                    serde_json::Value::Null,
                    -32700,
                    &format!("Parse error: {e}"),
                ));
                continue;
            }
        };
        if length > MAX_BODY {
            let _ = replies.send(error_frame(
                serde_json::Value::Null,
                -32700,
                &format!(
                    "Parse error: a {length}-byte message is larger than the {MAX_BODY}-byte limit"
                ),
            ));
            let skipped =
                tokio::io::copy(&mut (&mut r).take(length as u64), &mut tokio::io::sink()).await;
            if skipped.map_or(true, |n| n < length as u64) {
                break;
            }
            continue;
        }
        let mut body = vec![0; length];
        if r.read_exact(&mut body).await.is_err() {
            break;
        }
        match judge(&body) {
            Verdict::Pass => {
                if to_server.write_all(&frame(&body)).await.is_err() {
                    break;
                }
            }
            Verdict::Reply(reply) => {
                let _ = replies.send(reply);
            }
        }
    }
    // End of input: the server sees it and stops.
    let _ = to_server.shutdown().await;
}

/// Re-frame what the server writes so that each message reaches stdout whole.
async fn read_server(from_server: DuplexStream, frames: mpsc::UnboundedSender<Vec<u8>>) {
    let mut r = BufReader::new(from_server);
    loop {
        let length = match read_headers(&mut r).await {
            Ok(Some(Ok(n))) => n,
            _ => break,
        };
        let mut body = vec![0; length];
        if r.read_exact(&mut body).await.is_err() {
            break;
        }
        if frames.send(frame(&body)).is_err() {
            break;
        }
    }
}

async fn write_frames<O: AsyncWrite + Unpin>(
    mut stdout: O,
    mut frames: mpsc::UnboundedReceiver<Vec<u8>>,
) {
    while let Some(f) = frames.recv().await {
        if stdout.write_all(&f).await.is_err() || stdout.flush().await.is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(body: &str, expected: Option<&str>) {
        let got = match judge(body.as_bytes()) {
            Verdict::Pass => None,
            Verdict::Reply(r) => {
                let s = String::from_utf8(r).unwrap();
                Some(s.split("\r\n\r\n").nth(1).unwrap().to_string())
            }
        };
        let got: Option<serde_json::Value> = got.map(|g| serde_json::from_str(&g).unwrap());
        let want: Option<(i64, serde_json::Value)> = expected.map(|e| {
            let (code, id) = e.split_once(' ').unwrap();
            (code.parse().unwrap(), serde_json::from_str(id).unwrap())
        });
        match (got, want) {
            (None, None) => {}
            (Some(g), Some((code, id))) => {
                assert_eq!(g["error"]["code"], code, "{g}");
                assert_eq!(g["id"], id, "{g}");
            }
            (g, w) => panic!("{body}: got {g:?}, want {w:?}"),
        }
    }

    #[test]
    fn judges_messages() {
        check(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#, None);
        check(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#, None);
        check(r#"{"jsonrpc":"2.0","id":"a","result":null}"#, None);
        check(r#"{"jsonrpc":"2.0","id":3,"error":{"code":-1,"message":"x"}}"#, None);
        check("{not json", Some("-32700 null"));
        check("", Some("-32700 null"));
        check(r#"{"hello":"world"}"#, Some("-32600 null"));
        check(r#"{"jsonrpc":"2.0","id":7,"method":5}"#, Some("-32600 7"));
        check(r#"{"jsonrpc":"1.0","id":"x","method":"m"}"#, Some("-32600 \"x\""));
        check(r#"[1,2]"#, Some("-32600 null"));
    }
}
