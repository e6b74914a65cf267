/**
 * `npm run docs:reference`: regenerates docs/reference/cli.md and docs/reference/rest-api.md from
 * the code, formatted with the project's Prettier settings (so `prettier --check .` and the
 * freshness test, test/docs/reference.test.ts, agree).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../program.js';
import { renderCliReference } from './cli-reference.js';
import { renderRestReference } from './rest-reference.js';

export const CLI_REFERENCE_PATH = fileURLToPath(new URL('../../../docs/reference/cli.md', import.meta.url));
export const REST_REFERENCE_PATH = fileURLToPath(
  new URL('../../../docs/reference/rest-api.md', import.meta.url),
);

async function formatted(path: string, markdown: string): Promise<string> {
  // Prettier is a dev dependency: imported here only, never by the running hub.
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(path)) ?? {};
  return prettier.format(markdown, { ...options, parser: 'markdown' });
}

export async function formattedCliReference(): Promise<string> {
  return formatted(CLI_REFERENCE_PATH, renderCliReference(buildProgram()));
}

export async function formattedRestReference(): Promise<string> {
  return formatted(REST_REFERENCE_PATH, renderRestReference());
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(new URL('../../../docs/reference/', import.meta.url), { recursive: true });
  writeFileSync(CLI_REFERENCE_PATH, await formattedCliReference());
  writeFileSync(REST_REFERENCE_PATH, await formattedRestReference());
  console.log(`wrote ${CLI_REFERENCE_PATH} and ${REST_REFERENCE_PATH}`);
}
