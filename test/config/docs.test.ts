import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envNameForPath } from '../../src/config/env.js';
import { configSchema } from '../../src/config/schema.js';
import { walkSchema } from '../../src/config/schema-walk.js';
import { USERNAME_PATTERN } from '../../src/hub/users/username.js';
import { CONFIG_DOCS_PATH, formattedConfigDocs } from '../../src/config/write-docs.js';

describe('docs/configuration.md', () => {
  it('is up to date with the schema (regenerate with `npm run docs:config`)', async () => {
    const committed = readFileSync(CONFIG_DOCS_PATH, 'utf8');
    expect(committed, 'docs/configuration.md is stale: run `npm run docs:config`').toBe(
      await formattedConfigDocs(),
    );
  });

  it('states the username pattern the users area enforces', () => {
    expect(readFileSync(CONFIG_DOCS_PATH, 'utf8')).toContain(`    ${USERNAME_PATTERN.source}\n`);
  });

  it('documents every key with a description, and its environment variable', () => {
    const committed = readFileSync(CONFIG_DOCS_PATH, 'utf8');
    const { leaves } = walkSchema(configSchema);
    expect(leaves.length).toBeGreaterThan(10);
    for (const leaf of leaves) {
      expect(leaf.description, `${leaf.path} has no .describe() text`).toBeTruthy();
      expect(committed).toContain(`\`${leaf.path}\``);
      expect(committed).toContain(envNameForPath(leaf.path));
    }
  });
});
