// The `spawner` section: keys every spawner class honours, and each class's own under
// `spawner.<class>` (as `auth.local` / `auth.github`). Keys that moved there are refused by their
// old name with the new one in the message, from a file and from the environment alike.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'coursehub-config-spawner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function loadError(options: Parameters<typeof loadConfig>[0]): ConfigError {
  try {
    loadConfig(options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('loadConfig accepted a bad configuration');
}

describe('the spawner section', () => {
  it('holds shared keys and the local spawner’s own under spawner.local', () => {
    const path = file(
      'spawner.yaml',
      [
        'spawner:',
        '  class: local',
        '  memoryLimitMb: 512',
        '  environment: { A: b }',
        '  local:',
        '    command: [jupyter, lab]',
        '    homeRoot: /srv/homes',
        '    sandbox: none',
      ].join('\n'),
    );
    const { spawner } = loadConfig({ file: path, env: {} }).config;
    expect(spawner).toMatchObject({ class: 'local', memoryLimitMb: 512, environment: { A: 'b' } });
    expect(spawner.local).toMatchObject({
      command: ['jupyter', 'lab'],
      homeRoot: '/srv/homes',
      sandbox: 'none',
    });
    expect(spawner.local.args).toContain('--port={port}');
    const fromEnv = loadConfig({ env: { COURSEHUB_SPAWNER_LOCAL_HOME_ROOT: '/data/homes' } }).config;
    expect(fromEnv.spawner.local.homeRoot).toBe('/data/homes');
  });

  it('refuses a key by its old flat name, naming where it moved', () => {
    const error = loadError({
      file: file('old.yaml', 'spawner:\n  homeRoot: /srv/homes\n  sandbox: none\n  memoryLimitMb: 512\n'),
      env: {},
    });
    expect(error.message).toContain('spawner.homeRoot has moved: it is now spawner.local.homeRoot');
    expect(error.message).toContain('spawner.sandbox has moved: it is now spawner.local.sandbox');
    expect(error.message).not.toContain('memoryLimitMb');
  });

  it('refuses an environment variable of a moved key, naming the new variable', () => {
    const error = loadError({ env: { COURSEHUB_SPAWNER_COMMAND: 'jupyter,lab' } });
    expect(error.message).toContain(
      'COURSEHUB_SPAWNER_COMMAND sets spawner.command, which has moved: use COURSEHUB_SPAWNER_LOCAL_COMMAND (spawner.local.command)',
    );
  });
});
