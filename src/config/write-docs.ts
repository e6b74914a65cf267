/**
 * `npm run docs:config`: regenerates docs/configuration.md from the schema, formatted with the
 * project's Prettier settings (so `prettier --check .` and the freshness test agree).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderConfigDocs } from './docs.js';

export const CONFIG_DOCS_PATH = fileURLToPath(new URL('../../docs/configuration.md', import.meta.url));

export async function formattedConfigDocs(): Promise<string> {
  // Prettier is a dev dependency: imported here only, never by the running hub.
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(CONFIG_DOCS_PATH)) ?? {};
  return prettier.format(renderConfigDocs(), { ...options, parser: 'markdown' });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(new URL('../../docs/', import.meta.url), { recursive: true });
  writeFileSync(CONFIG_DOCS_PATH, await formattedConfigDocs());
  console.log(`wrote ${CONFIG_DOCS_PATH}`);
}
