import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import {
  CLI_REFERENCE_PATH,
  REST_REFERENCE_PATH,
  formattedCliReference,
  formattedRestReference,
} from '../../src/cli/docs/write-reference.js';

describe('docs/reference/', () => {
  it('cli.md is up to date with the commands (regenerate with `npm run docs:reference`)', async () => {
    expect(readFileSync(CLI_REFERENCE_PATH, 'utf8'), 'docs/reference/cli.md is stale').toBe(
      await formattedCliReference(),
    );
  });

  it('rest-api.md is up to date with the OpenAPI document (regenerate with `npm run docs:reference`)', async () => {
    expect(readFileSync(REST_REFERENCE_PATH, 'utf8'), 'docs/reference/rest-api.md is stale').toBe(
      await formattedRestReference(),
    );
  });

  it('cli.md has a section for every command and subcommand', () => {
    const committed = readFileSync(CLI_REFERENCE_PATH, 'utf8');
    const names: string[] = [];
    const walk = (command: ReturnType<typeof buildProgram>, prefix: string): void => {
      for (const sub of command.commands) {
        names.push(`${prefix} ${sub.name()}`);
        walk(sub, `${prefix} ${sub.name()}`);
      }
    };
    walk(buildProgram(), 'coursehub');
    expect(names).toContain('coursehub course create');
    for (const name of names) expect(committed).toContain(`## \`${name}\``);
  });

  it("rest-api.md has a section for a route of JupyterHub's REST API and one of coursehub's own", () => {
    const committed = readFileSync(REST_REFERENCE_PATH, 'utf8');
    // Routes named in JupyterHub's rest-api.yml and in the courses area.
    expect(committed).toContain('## `POST /hub/api/users/{name}/tokens`');
    expect(committed).toMatch(/## `GET \/hub\/api\/courses/);
  });
});
