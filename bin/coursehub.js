#!/usr/bin/env node
// The command is compiled from src/cli by `npm run build` (the README's set-up runs it).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(entry)) {
  console.error(`coursehub is not built yet. Run \`npm run build\` in ${root}`);
  process.exit(1);
}

/** The newest modification time under a folder (a checkout's src/: a few hundred files). */
function newestUnder(folder) {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

// In a checkout, a build older than its sources would run yesterday's code without a word (after
// a `git pull`, say): refuse, and say how to bring it up to date. An installed package has no src/.
const sources = join(root, 'src');
if (existsSync(sources) && newestUnder(sources) > statSync(entry).mtimeMs) {
  console.error(`coursehub's build is older than its sources. Run \`npm run build\` in ${root}`);
  process.exit(1);
}
await import(new URL(`file://${entry}`).href);
