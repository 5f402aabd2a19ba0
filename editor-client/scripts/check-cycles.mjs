// Fails when the modules of src/ import each other in a cycle (type-only imports
// count: they make the two modules one unit for a reader all the same).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.join(path.dirname(path.dirname(new URL(import.meta.url).pathname)), 'src');

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) {
      return files(p);
    }
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** The graph: module (relative path without .ts) -> modules it imports from src/. */
export function graph(dir) {
  const g = new Map();
  for (const file of files(dir)) {
    const from = path.relative(dir, file).replace(/\.ts$/, '');
    const text = readFileSync(file, 'utf8');
    const deps = new Set();
    for (const m of text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+['"](\.[^'"]+)['"]/gms)) {
      deps.add(path.relative(dir, path.resolve(path.dirname(file), m[1])).replace(/\.ts$/, ''));
    }
    g.set(from, deps);
  }
  return g;
}

/** Every cycle, each once, from its smallest member. */
export function cycles(g) {
  const out = [];
  for (const start of g.keys()) {
    const stack = [[start, [start]]];
    const seen = new Set();
    while (stack.length) {
      const [node, trail] = stack.pop();
      for (const next of g.get(node) ?? []) {
        if (next === start) {
          if (trail.every((n) => n >= start)) {
            out.push([...trail, start].join(' -> '));
          }
        } else if (!seen.has(next)) {
          seen.add(next);
          stack.push([next, [...trail, next]]);
        }
      }
    }
  }
  return out;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  // The check must be able to fail: a cycle made up here is found.
  const sample = new Map([
    ['a', new Set(['b'])],
    ['b', new Set(['c'])],
    ['c', new Set(['a'])],
    ['d', new Set(['a'])],
  ]);
  if (cycles(sample).join() !== 'a -> b -> c -> a') {
    console.error(`the cycle check is broken: ${cycles(sample)}`);
    process.exit(1);
  }
  const found = cycles(graph(root));
  if (found.length) {
    console.error(`import cycles between modules of src/:\n${found.join('\n')}`);
    process.exit(1);
  }
  console.log(`no import cycles among ${graph(root).size} modules of src/`);
}
