/**
 * The shell blocks a guide marks runnable, in the order they appear: a fence opened as
 * ```sh runnable runs on the hub's machine as the admin; ```sh runnable token=USER there too, with
 * USER's API token in JUPYTERHUB_API_TOKEN (an instructor's terminal); ```sh runnable as=USER as
 * that user's own Unix account, in their home, with their token (a terminal of their server).
 */
export interface RunnableBlock {
  /** 1-based line of the opening fence, for messages. */
  line: number;
  /** How the block runs: the admin's shell, USER's token there, or USER's own account. */
  runs: { kind: 'admin' } | { kind: 'token' | 'as'; user: string };
  script: string;
}

const OPENING = /^```sh\s+runnable(?:\s+(as|token)=([a-z_][a-z0-9_-]*))?\s*$/;

export function runnableBlocks(markdown: string): RunnableBlock[] {
  const lines = markdown.split('\n');
  const blocks: RunnableBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const opening = OPENING.exec(lines[i]!);
    if (!opening) continue;
    const body: string[] = [];
    const start = i;
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    if (i === lines.length) throw new Error(`line ${start + 1}: a runnable block is never closed`);
    const runs = opening[1]
      ? { kind: opening[1] as 'as' | 'token', user: opening[2]! }
      : { kind: 'admin' as const };
    blocks.push({ line: start + 1, runs, script: body.join('\n') });
  }
  return blocks;
}
