// The login-node mode: when the extension host runs where Slurm's commands are (VS Code
// Remote-SSH or WSL on a login node, code-server on the cluster), clusterls runs them here.

import * as path from 'node:path';

import { isExecutableFile } from './platform';

/** The host value that means "run Slurm's commands on this machine". */
export const LOCAL_HOST = 'local';

/** Whether `sbatch` and `squeue` are both on `pathVar` (a PATH value). */
export function localSlurm(pathVar: string, isFile: (p: string) => boolean = isExecutableFile): boolean {
  const dirs = pathVar.split(path.delimiter).filter(Boolean);
  return ['sbatch', 'squeue'].every((cmd) => dirs.some((d) => isFile(path.join(d, cmd))));
}
