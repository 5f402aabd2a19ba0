//! A guard in front of tower-lsp-server's stdio transport.
//!
//! tower-lsp-server decodes frames with tokio-util's `FramedRead`, which ends the
//! stream after the first decoding error: one malformed message would stop the
//! server. This layer reads the real stdin frame by frame, answers malformed ones
//! itself (`-32700` for a body that is not JSON or a broken header, `-32600` for JSON
//! that is no JSON-RPC message, `-32601` for a `$/` request, which tower-lsp-server
//! would leave unanswered), and passes only well-formed messages on. It also owns
//! stdout, so its replies and the server's are written whole, one at a time.
//!
//! Any byte sequence is survivable and every buffer is bounded: header lines are read
//! as bytes up to [`MAX_HEADER_LINE`] (the rest of a longer line is skipped), bodies up
//! to [`MAX_BODY`], and replies wait in a bounded queue (a client that stops reading
//! stops being read). After a frame whose Content-Length was too small, the reader
//! finds the next `Content-Length:` header and carries on.

use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
    DuplexStream,
};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tower_lsp_server::jsonrpc::{Request, Response};

/// Bodies larger than this are refused (and skipped) rather than buffered.
pub const MAX_BODY: usize = 16 << 20;
/// Header lines longer than this are a broken header (and not buffered).
pub const MAX_HEADER_LINE: usize = 8 << 10;
/// Frames (replies and the server's messages) waiting to be written to stdout.
const QUEUE: usize = 16;

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
        let (frames, frames_rx) = mpsc::channel::<Vec<u8>>(QUEUE);
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

/// What tower-lsp-server's codec decodes each body into (its own type is private):
/// a body passes only when the codec will take it, since one it refuses ends the
/// server's input stream.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Message {
    #[allow(dead_code)] // Only whether it parses matters.
    Response(Response),
    Request(Request),
}

fn judge(body: &[u8]) -> Verdict {
    // As the codec reads it: UTF-8 text, then JSON into `Message`.
    let message = std::str::from_utf8(body)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str::<Message>(text).map_err(|e| e.to_string()));
    match message {
        Ok(Message::Request(request)) => {
            // tower-lsp-server drops every `$/` message it has no handler for; the
            // protocol says a request among them must get MethodNotFound.
            if let Some(id) = request.id()
                && request.method().starts_with("$/")
            {
                let id = serde_json::to_value(id).unwrap_or_default();
                let message = format!("Method not found: {}", request.method());
                return Verdict::Reply(error_frame(id, -32601, &message));
            }
            return Verdict::Pass;
        }
        Ok(Message::Response(_)) => return Verdict::Pass,
        Err(_) => {}
    }
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

/// One header line, as bytes without its line end; `None` at end of input. A line
/// longer than [`MAX_HEADER_LINE`] is consumed to its end but not kept (`too_long`).
async fn read_line<R: AsyncBufRead + Unpin>(r: &mut R) -> std::io::Result<Option<(Vec<u8>, bool)>> {
    let mut line = Vec::new();
    let mut too_long = false;
    let mut any = false;
    loop {
        let buf = r.fill_buf().await?;
        if buf.is_empty() {
            return Ok(any.then_some((line, too_long)));
        }
        any = true;
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..=i], true),
            None => (buf, false),
        };
        let n = chunk.len();
        if line.len() + n <= MAX_HEADER_LINE + 2 {
            line.extend_from_slice(chunk);
        } else {
            too_long = true;
        }
        r.consume(n);
        if done {
            while line.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
                line.pop();
            }
            return Ok(Some((line, too_long)));
        }
    }
}

/// Where `Content-Length:` starts in a header line (any case), if it does.
fn content_length_at(line: &[u8]) -> Option<usize> {
    const NAME: &[u8] = b"content-length:";
    line.windows(NAME.len()).rposition(|w| w.eq_ignore_ascii_case(NAME))
}

/// Read one frame's headers. `Ok(None)` at end of input; `Err(message)` for a broken
/// header block (the block is consumed).
async fn read_headers<R: AsyncBufRead + Unpin>(
    r: &mut R,
) -> std::io::Result<Option<Result<usize, String>>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut broken: Option<String> = None;
    let mut any = false;
    loop {
        let Some((line, too_long)) = read_line(r).await? else {
            return Ok(if any { Some(Err("input ended inside a header".into())) } else { None });
        };
        if line.is_empty() && !too_long {
            if !any {
                continue; // Tolerate stray blank lines between frames.
            }
            if let Some(e) = broken {
                return Ok(Some(Err(e)));
            }
            return Ok(Some(length.unwrap_or_else(|| Err("no Content-Length header".into()))));
        }
        any = true;
        if too_long {
            broken = Some(format!("a header line longer than {MAX_HEADER_LINE} bytes"));
            continue;
        }
        if let Some(at) = content_length_at(&line) {
            if at > 0 {
                // The tail of a body whose Content-Length was too small, then the next
                // frame's header: start over at the header.
                tracing::warn!("skipping {at} bytes before a Content-Length header");
                broken = None;
            }
            let value = String::from_utf8_lossy(&line[at + "content-length:".len()..]);
            length =
                Some(value.trim().parse::<usize>().map_err(|e| format!("bad Content-Length: {e}")));
        } else if !line.contains(&b':') {
            let shown = String::from_utf8_lossy(&line[..line.len().min(80)]).into_owned();
            broken = Some(format!("not a header line: {shown:?}"));
        }
    }
}

async fn read_client<I: AsyncRead + Unpin>(
    stdin: I,
    mut to_server: DuplexStream,
    replies: mpsc::Sender<Vec<u8>>,
) {
    let mut r = BufReader::new(stdin);
    loop {
        let length = match read_headers(&mut r).await {
            Ok(None) | Err(_) => break,
            Ok(Some(Ok(n))) => n,
            Ok(Some(Err(e))) => {
                tracing::warn!("bad message header: {e}");
                let reply =
                    error_frame(serde_json::Value::Null, -32700, &format!("Parse error: {e}"));
                if replies.send(reply).await.is_err() {
                    break;
                }
                continue;
            }
        };
        if length > MAX_BODY {
            let message = format!(
                "Parse error: a {length}-byte message is larger than the {MAX_BODY}-byte limit"
            );
            if replies.send(error_frame(serde_json::Value::Null, -32700, &message)).await.is_err() {
                break;
            }
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
                if replies.send(reply).await.is_err() {
                    break;
                }
            }
        }
    }
    // End of input: the server sees it and stops.
    let _ = to_server.shutdown().await;
}

/// Re-frame what the server writes so that each message reaches stdout whole.
async fn read_server(from_server: DuplexStream, frames: mpsc::Sender<Vec<u8>>) {
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
        if frames.send(frame(&body)).await.is_err() {
            break;
        }
    }
}

async fn write_frames<O: AsyncWrite + Unpin>(mut stdout: O, mut frames: mpsc::Receiver<Vec<u8>>) {
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
        // `$/` requests get MethodNotFound; `$/` notifications pass (and are dropped).
        check(r#"{"jsonrpc":"2.0","id":9,"method":"$/unknown"}"#, Some("-32601 9"));
        check(r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}"#, None);
        // What tower-lsp-server's codec refuses must not pass: a duplicate key.
        check(r#"{"jsonrpc":"2.0","id":4,"id":5,"method":"m"}"#, Some("-32600 5"));
        check(r#"{"jsonrpc":"2.0","method":"m","method":"n"}"#, Some("-32600 null"));
    }

    /// Frames in, what the guard makes of them out: `pass <body>` or `reply <code>`.
    #[track_caller]
    fn check_stream(input: &[u8], expected: &str) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let got = rt.block_on(async {
            let mut r = BufReader::new(input);
            let mut out = String::new();
            while let Some(h) = read_headers(&mut r).await.unwrap() {
                match h {
                    Err(e) => out.push_str(&format!("error {e}\n")),
                    Ok(n) if n > MAX_BODY => out.push_str("too big\n"),
                    Ok(n) => {
                        let mut body = vec![0; n];
                        if r.read_exact(&mut body).await.is_err() {
                            out.push_str("truncated\n");
                            break;
                        }
                        match judge(&body) {
                            Verdict::Pass => {
                                out.push_str(&format!("pass {}\n", String::from_utf8_lossy(&body)))
                            }
                            Verdict::Reply(_) => {
                                out.push_str(&format!("reply {}\n", String::from_utf8_lossy(&body)))
                            }
                        }
                    }
                }
            }
            out
        });
        assert_eq!(got, expected, "{}", String::from_utf8_lossy(input));
    }

    fn frame_str(body: &str) -> Vec<u8> {
        frame(body.as_bytes())
    }

    #[test]
    fn reads_any_byte_sequence() {
        let ok = r#"{"jsonrpc":"2.0","method":"x"}"#;
        let pass = format!("pass {ok}\n");
        check_stream(&frame_str(ok), &pass);
        // Invalid UTF-8 in a header line is a broken header, not the end.
        let mut input = b"X-\xff\xfe: 1\r\nContent-Length: 30\r\n\r\n".to_vec();
        input.extend_from_slice(ok.as_bytes());
        input.extend(frame_str(ok));
        check_stream(&input, &format!("{pass}{pass}"));
        let mut input = b"\xff\xfe\r\n\r\n".to_vec();
        input.extend(frame_str(ok));
        check_stream(&input, &format!("error not a header line: \"\u{fffd}\u{fffd}\"\n{pass}"));
        // A header line too long to keep: skipped, then the next frame.
        let mut input = vec![b'a'; 1 << 20];
        input.extend_from_slice(b"\r\n\r\n");
        input.extend(frame_str(ok));
        check_stream(
            &input,
            &format!("error a header line longer than {MAX_HEADER_LINE} bytes\n{pass}"),
        );
        // A Content-Length too small: the tail of the body is skipped up to the next
        // frame's header.
        let mut input = format!("Content-Length: 10\r\n\r\n{ok}").into_bytes();
        input.extend(frame_str(ok));
        check_stream(&input, &format!("reply {}\n{pass}", &ok[..10]));
        // Case and spacing of the header name.
        check_stream(format!("content-LENGTH:30\r\n\r\n{ok}").as_bytes(), &pass);
        // A body over the limit.
        check_stream(format!("Content-Length: {}\r\n\r\n", MAX_BODY + 1).as_bytes(), "too big\n");
    }
}
