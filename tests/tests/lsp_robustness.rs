//! `clusterls lsp` against hostile input over its real stdio: every malformed byte
//! sequence gets an answer or is skipped, the server keeps answering afterwards, and
//! nothing a client sends makes its memory grow without bound.

mod lsp_common;

use lsp_common::Server;
use serde_json::{Value, json};

/// A valid request still gets its answer.
#[track_caller]
fn still_answers(s: &mut Server) {
    let r = s.request("clusterls/noSuchMethod", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    assert!(s.alive());
}

#[test]
fn an_invalid_utf8_byte_in_a_header_is_a_parse_error_not_the_end() {
    let mut s = Server::start(Value::Null, None);
    s.send_bytes(b"Content-Length: 2\xff\r\n\r\n{}");
    s.wait("parse error", |m| m["error"]["code"] == -32700);
    s.send_bytes(b"X-Trace: \xc3\x28\xa0\xa1\r\nContent-Length: 2\r\n\r\n{}");
    s.wait("invalid request", |m| m["error"]["code"] == -32600);
    still_answers(&mut s);
    s.shutdown();
}

/// Found by the fuzzer: a message the guard let through but tower-lsp-server's codec
/// refused ended the server's input.
#[test]
fn a_message_with_a_duplicate_key_is_refused_not_fatal() {
    let mut s = Server::start(Value::Null, None);
    s.send_raw(br#"{"jsonrpc":"2.0","id":77,"id":78,"method":"textDocument/hover","params":{}}"#);
    s.wait("invalid request", |m| m["error"]["code"] == -32600);
    still_answers(&mut s);
    s.shutdown();
}

#[test]
fn after_a_too_small_content_length_the_server_answers_again() {
    let mut s = Server::start(Value::Null, None);
    let body = br#"{"jsonrpc":"2.0","id":"cut","method":"clusterls/x","params":{}}"#;
    s.send_bytes(format!("Content-Length: {}\r\n\r\n", body.len() - 12).as_bytes());
    s.send_bytes(body);
    s.wait("parse error for the cut body", |m| m["error"]["code"] == -32700);
    still_answers(&mut s);
    still_answers(&mut s);
    s.shutdown();
}

#[test]
fn an_unknown_dollar_request_gets_method_not_found() {
    let mut s = Server::start(Value::Null, None);
    let r = s.request("$/clusterls/unknown", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    // A `$/` notification is ignored, as the protocol allows.
    s.notify("$/clusterls/whatever", json!({}));
    still_answers(&mut s);
    s.shutdown();
}

#[test]
fn exit_without_shutdown_exits_with_1_and_after_shutdown_with_0() {
    let mut s = Server::start(Value::Null, None);
    s.notify("exit", Value::Null);
    assert_eq!(s.wait_exit().code(), Some(1));
    let mut s = Server::start(Value::Null, None);
    let r = s.request("shutdown", Value::Null);
    assert!(r.get("error").is_none(), "{r}");
    s.notify("exit", Value::Null);
    assert_eq!(s.wait_exit().code(), Some(0));
}

/// RSS growth (KiB) over `f`, once the server has answered a request after it.
fn growth(s: &mut Server, f: impl FnOnce(&mut Server)) -> u64 {
    still_answers(s);
    let before = s.rss_kib();
    f(s);
    still_answers(s);
    s.rss_kib().saturating_sub(before)
}

const LIMIT_KIB: u64 = 20 << 10;

#[test]
fn did_change_for_documents_never_opened_costs_no_memory() {
    let mut s = Server::start(Value::Null, None);
    let text = "#SBATCH -p gpu\n".repeat(700); // ~10 KB
    let grew = growth(&mut s, |s| {
        for i in 0..10_000 {
            s.change(
                &format!("file:///w/never-opened-{i}.sbatch"),
                2,
                json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": text}]),
            );
        }
    });
    eprintln!("10k didChange for unopened documents: RSS +{grew} KiB");
    assert!(grew < LIMIT_KIB, "RSS grew by {grew} KiB");
    s.shutdown();
}

#[test]
fn a_version_gap_that_never_closes_costs_no_memory() {
    let mut s = Server::start(Value::Null, None);
    let uri = "file:///w/gap.sbatch";
    s.open(uri, "shellscript", "#!/bin/bash\n");
    let text = "#SBATCH -p gpu\n".repeat(700);
    let grew = growth(&mut s, |s| {
        // Version 2 never comes.
        for v in 3..10_003 {
            s.change(
                uri,
                v,
                json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": text}]),
            );
        }
    });
    eprintln!("10k didChange after a version gap: RSS +{grew} KiB");
    assert!(grew < LIMIT_KIB, "RSS grew by {grew} KiB");
    // A full-text change ends the gap.
    s.change(uri, 20_000, json!([{"text": "#SBATCH --gpus=x\n"}]));
    let d = s.diagnostics(uri, 20_000);
    assert!(!d["diagnostics"].as_array().unwrap().is_empty(), "{d}");
    s.shutdown();
}

#[test]
fn a_huge_header_line_is_skipped_without_buffering_it() {
    let mut s = Server::start(Value::Null, None);
    let grew = growth(&mut s, |s| {
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..256 {
            s.send_bytes(&chunk);
        }
        s.send_bytes(b"\r\n\r\n");
        s.wait("parse error for the long line", |m| {
            m["error"]["message"].as_str().is_some_and(|t| t.contains("header line longer"))
        });
    });
    eprintln!("a 256 MiB header line: RSS +{grew} KiB");
    assert!(grew < LIMIT_KIB, "RSS grew by {grew} KiB");
    s.shutdown();
}

#[test]
fn a_body_over_the_limit_is_refused_and_skipped() {
    let mut s = Server::start(Value::Null, None);
    let n = 17 << 20;
    let grew = growth(&mut s, |s| {
        s.send_bytes(format!("Content-Length: {n}\r\n\r\n").as_bytes());
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..17 {
            s.send_bytes(&chunk);
        }
        s.wait("parse error for the big body", |m| {
            m["error"]["message"].as_str().is_some_and(|t| t.contains("larger than"))
        });
    });
    eprintln!("a 17 MiB body: RSS +{grew} KiB");
    assert!(grew < LIMIT_KIB, "RSS grew by {grew} KiB");
    s.shutdown();
}
