// Validate every file given with dockerfile-utils, repeatedly for at least MIN_SECONDS,
// and print one JSON line: {"files": N, "seconds": S, "per_second": R, "diagnostics": D}.
// Usage: node dfu_bench.js MIN_SECONDS FILE...
// dockerfile-utils is found next to this script (npm install --prefix tools) or on NODE_PATH.
'use strict';
const fs = require('fs');
const path = require('path');
let dfu;
try {
  dfu = require(path.join(__dirname, 'node_modules', 'dockerfile-utils'));
} catch (e) {
  dfu = require('dockerfile-utils');
}
const [minSeconds, ...files] = process.argv.slice(2);
const texts = files.map((f) => fs.readFileSync(f, 'utf8'));
const start = process.hrtime.bigint();
let n = 0;
let diags = 0;
let elapsed = 0;
do {
  for (const t of texts) {
    diags += dfu.validate(t).length;
    n++;
  }
  elapsed = Number(process.hrtime.bigint() - start) / 1e9;
} while (elapsed < Number(minSeconds));
console.log(JSON.stringify({ files: n, seconds: elapsed, per_second: n / elapsed, diagnostics: diags }));
