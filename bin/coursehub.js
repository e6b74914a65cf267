#!/usr/bin/env node
// The command is compiled from src/cli by `npm run build` (the README's set-up runs it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error(
    'coursehub is not built yet. Run `npm run build` in ' + fileURLToPath(new URL('..', import.meta.url)),
  );
  process.exit(1);
}
await import(entry.href);
