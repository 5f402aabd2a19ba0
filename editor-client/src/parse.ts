// Text in, values out, for the client's settings and onboarding (no vscode: unit-tested).

/** What the repository names as its cluster: top-level `host` and `ssh_config` of clusterls.toml. */
export interface RepoTarget {
  host?: string;
  sshConfig?: string;
}

/**
 * The top-level `host` and `ssh_config` of a clusterls.toml (before its first table). Only
 * these two keys matter here, and only to ask the user; the server parses the file fully.
 */
export function repoTarget(toml: string): RepoTarget {
  const out: RepoTarget = {};
  for (const raw of toml.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      break;
    }
    const m = /^(host|ssh_config)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')/.exec(line);
    if (m) {
      const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
      if (m[1] === 'host') {
        out.host = value;
      } else {
        out.sshConfig = value;
      }
    }
  }
  return out;
}

/**
 * The host aliases an ssh config defines: the names on its `Host` lines, without
 * patterns (`*`, `?`, `!`) and without duplicates, in order. `Include`d files are read
 * through `include` (relative names are under ~/.ssh, as ssh does).
 */
export function sshHosts(text: string, include: (pattern: string) => string[] = () => [], depth = 0): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    const m = /^(\w+)\s*(?:=\s*|\s+)(.*)$/.exec(line);
    if (!m) {
      continue;
    }
    const key = m[1].toLowerCase();
    const words = m[2].split(/\s+/).filter(Boolean).map((w) => w.replace(/^"(.*)"$/, '$1'));
    if (key === 'host') {
      out.push(...words.filter((w) => !/[*?!]/.test(w)));
    } else if (key === 'include' && depth < 8) {
      for (const w of words) {
        for (const t of include(w)) {
          out.push(...sshHosts(t, include, depth + 1));
        }
      }
    }
  }
  return [...new Set(out)];
}

/** VS Code's log level of the channel as a `RUST_LOG` filter for the server. */
export function rustLog(level: number): string {
  // vscode.LogLevel: Off 0, Trace 1, Debug 2, Info 3, Warning 4, Error 5.
  return ['off', 'trace', 'debug', 'info', 'warn', 'error'][level] ?? 'info';
}
