// Which text is an sbatch script, for the "Submit to cluster" menu entry: `#SBATCH`
// directives at the start of a line (the server decides what a run does by the same
// content).

/** Whether a text has `#SBATCH` directives at the start of a line. */
export function hasSbatchDirectives(text: string): boolean {
  return /^#SBATCH[ \t]/m.test(text);
}
