//! A structured random Dockerfile generator and the invariants every parse and check
//! must keep. Shared by the `fuzz` test (a short run) and `examples/fuzz.rs` (long runs).
//! No dependency: a xorshift generator seeded explicitly, so failures reproduce.

#![allow(dead_code)]

use clusterls_core::CodeFilter;
use clusterls_dockerfile::{check_with, parse};

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const KEYWORDS: &[&str] = &[
    "FROM",
    "RUN",
    "CMD",
    "LABEL",
    "MAINTAINER",
    "EXPOSE",
    "ENV",
    "ADD",
    "COPY",
    "ENTRYPOINT",
    "VOLUME",
    "USER",
    "WORKDIR",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
    "from",
    "run",
    "Copy",
    "RUNN",
    "ONBUILD RUN",
    "ONBUILD ONBUILD",
    "HEALTHCHECK CMD",
    "HEALTHCHECK NONE",
];

const PIECES: &[&str] = &[
    " ",
    " ",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\\\n",
    "\\ \n",
    "`\n",
    "\\",
    "`",
    "\"",
    "'",
    "#",
    "# x\n",
    "--from=",
    "--from=build",
    "--mount=type=cache,target=/root/.cache/pip",
    "--chown=1:1",
    "--platform=$BUILDPLATFORM",
    "--interval=",
    "--retries=0",
    "--",
    "--=",
    "[",
    "]",
    "[\"a\", \"b\"]",
    "['a']",
    "[\"\\u00e9\\\"\"]",
    "<<EOF",
    "<<-EOF",
    "<<'EOF'",
    "<<\"E\"",
    "<<<",
    "EOF\n",
    "\tEOF\n",
    "apt-get update",
    "apt-get install",
    "-y",
    "--no-install-recommends",
    "&&",
    "||",
    "|",
    ";",
    "&",
    "rm -rf /var/lib/apt/lists/*",
    "pip install",
    "pip3 install --user",
    "python -m pip install",
    "--no-cache-dir",
    "torch==2.1.0+cu118",
    "conda install",
    "sudo",
    "cd /x",
    "$(echo x)",
    "`id`",
    "$HOME",
    "${X:-y}",
    "${",
    "$",
    "/root/x",
    "~/x",
    "/home/u",
    "nvidia/cuda:12.4.1-devel",
    "ubuntu",
    ":latest",
    "@sha256:ab",
    "AS",
    "as",
    "builder",
    "1st",
    "=",
    "A=b",
    "A",
    "HF_TOKEN=x",
    "8080/tcp",
    "70000",
    "SIGTERM",
    "9",
    "é",
    "日本",
    "𐐀",
    "\u{0}",
    "\u{feff}",
    "(",
    ")",
    "{",
    "}",
    "https://download.pytorch.org/whl/cu121",
    "x.tar.gz",
    "/app",
    "app",
    ".",
    "*",
];

/// A random Dockerfile-like text.
pub fn generate(rng: &mut Rng) -> String {
    let mut s = String::new();
    if rng.below(4) == 0 {
        s += rng.pick(&[
            "# escape=`\n",
            "# escape=\\\n",
            "# syntax=docker/dockerfile:1\n",
            "#escape=x\n",
            "# check=skip=all\n",
        ]);
    }
    let lines = rng.below(14);
    for _ in 0..lines {
        if rng.below(6) != 0 {
            s += rng.pick(KEYWORDS);
        }
        let n = rng.below(10);
        for _ in 0..n {
            if rng.below(3) == 0 {
                s.push(' ');
            }
            s += rng.pick(PIECES);
        }
        s += rng.pick(&["\n", "\n", "\n", "\r\n", "", "\n\n", " \\\n"]);
    }
    s
}

/// A random edit of `base` (insert, delete or duplicate a slice on char boundaries).
pub fn mutate(rng: &mut Rng, base: &str) -> String {
    let mut s = base.to_string();
    for _ in 0..=rng.below(4) {
        let bounds: Vec<usize> = (0..=s.len()).filter(|&i| s.is_char_boundary(i)).collect();
        let a = bounds[rng.below(bounds.len())];
        let b = bounds[rng.below(bounds.len())];
        let (a, b) = (a.min(b), a.max(b));
        match rng.below(3) {
            0 => s.insert_str(a, rng.pick(PIECES)),
            1 => {
                let e = floor(&s, b.min(a + 40));
                s.replace_range(a..e.max(a), "");
            }
            _ => {
                let e = floor(&s, b.min(a + 60)).max(a);
                let piece = s[a..e].to_string();
                s.insert_str(b, &piece);
            }
        }
    }
    s
}

fn floor(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn span_ok(text: &str, r: &std::ops::Range<usize>, what: &str) {
    assert!(
        r.start <= r.end && r.end <= text.len(),
        "{what} span {r:?} out of bounds (len {}) in {text:?}",
        text.len()
    );
    assert!(
        text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
        "{what} span {r:?} not on char boundaries in {text:?}"
    );
}

/// Parse and check `text`, asserting every invariant. Returns the number of findings.
pub fn exercise(text: &str) -> usize {
    let df = parse(text);
    for d in &df.directives {
        span_ok(text, &d.span, "directive");
        span_ok(text, &d.value_span, "directive value");
    }
    for c in &df.comments {
        span_ok(text, &c.span, "comment");
    }
    for r in &df.empty_continuation_lines {
        span_ok(text, r, "empty continuation");
    }
    let mut insts: Vec<&clusterls_dockerfile::Instruction> = df.instructions.iter().collect();
    insts.extend(df.instructions.iter().filter_map(|i| i.trigger.as_deref()));
    for i in insts {
        span_ok(text, &i.span, "instruction");
        span_ok(text, &i.keyword_span, "keyword");
        span_ok(text, &i.args.span, "args");
        // (A keyword may straddle a line continuation, so compare only its start.)
        assert!(
            text[i.keyword_span.clone()].starts_with(i.keyword.get(..1).unwrap_or("")),
            "keyword text in {text:?}"
        );
        assert!(
            i.span.start <= i.keyword_span.start
                && i.keyword_span.end <= i.span.end.max(i.keyword_span.end),
            "keyword outside instruction in {text:?}"
        );
        for f in &i.flags {
            span_ok(text, &f.span, "flag");
            span_ok(text, &f.name_span, "flag name");
            if let Some(v) = &f.value_span {
                span_ok(text, v, "flag value");
            }
        }
        for w in &i.args.words {
            span_ok(text, &w.span, "word");
        }
        for w in i.args.json.iter().flatten() {
            span_ok(text, &w.span, "json item");
        }
        for h in &i.heredocs {
            span_ok(text, &h.marker_span, "heredoc marker");
            span_ok(text, &h.body_span, "heredoc body");
            if let Some(t) = &h.terminator_span {
                span_ok(text, t, "heredoc terminator");
            }
        }
        for c in clusterls_dockerfile::shell::commands(i.args.source()) {
            for w in c.words.iter().chain(&c.assignments) {
                span_ok(text, &w.span, "shell word");
            }
        }
    }
    for st in &df.stages {
        span_ok(text, &st.image_span, "stage image");
        if let Some(n) = &st.name_span {
            span_ok(text, n, "stage name");
        }
    }
    let findings = check_with(text, None, &CodeFilter::default());
    let facts =
        clusterls_core::ClusterFacts { gpu_driver: Some("470.57.02".into()), ..Default::default() };
    let with_facts = check_with(text, Some(&facts), &CodeFilter::default());
    for f in findings.iter().chain(&with_facts) {
        span_ok(text, &f.range, &f.code);
        assert!(
            clusterls_dockerfile::rules::RULES.iter().any(|r| r.code == f.code),
            "unregistered code {}",
            f.code
        );
        for fix in &f.fixes {
            let mut edits = fix.edits.clone();
            edits.sort_by_key(|e| e.range.start);
            for w in edits.windows(2) {
                assert!(w[0].range.end <= w[1].range.start, "overlapping edits in {fix:?}");
            }
            let mut fixed = text.to_string();
            for e in edits.iter().rev() {
                span_ok(text, &e.range, "fix edit");
                fixed.replace_range(e.range.clone(), &e.replacement);
            }
            // The fixed text must itself parse and check without panicking.
            let _ = check_with(&fixed, None, &CodeFilter::default());
        }
    }
    findings.len()
}
