import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'coursehub-config-'));
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

describe('loadConfig', () => {
  it('gives the documented defaults with no file and no environment', () => {
    const { config, warnings } = loadConfig({ env: {} });
    expect(config.hub).toMatchObject({ ip: '127.0.0.1', port: 8000, dataDir: './data' });
    expect(config.db.url).toBeUndefined();
    expect(config.users).toEqual({ prune: false });
    expect(config.log.level).toBe('info');
    expect(warnings).toEqual([]);
  });

  it('reads YAML and JSON, resolving file paths relative to the config file', () => {
    const yamlPath = file(
      'hub.yaml',
      'hub:\n  port: 9000\n  dataDir: state\nusers:\n  students: rosters/students.csv\n',
    );
    const fromYaml = loadConfig({ file: yamlPath, env: {} }).config;
    expect(fromYaml.hub.port).toBe(9000);
    expect(fromYaml.hub.dataDir).toBe(join(dir, 'state'));
    expect(fromYaml.users.students).toBe(join(dir, 'rosters/students.csv'));

    const jsonPath = file('hub.json', JSON.stringify({ hub: { ip: '0.0.0.0', dataDir: '/srv/hub' } }));
    const fromJson = loadConfig({ file: jsonPath, env: {} }).config;
    expect(fromJson.hub.ip).toBe('0.0.0.0');
    expect(fromJson.hub.dataDir).toBe('/srv/hub');
  });

  it('treats a key written without a value as absent (its default)', () => {
    const path = file('empty-sections.yaml', 'db:\n  # url: postgresql://...\nhub:\n  publicUrl:\n');
    const { config } = loadConfig({ file: path, env: {} });
    expect(config.db.url).toBeUndefined();
    expect(config.hub.publicUrl).toBeUndefined();
  });

  it('lets environment variables override the file and the command line override both', () => {
    const path = file('env.yaml', 'hub:\n  port: 9000\n  ip: 127.0.0.1\n');
    const { config } = loadConfig({
      file: path,
      env: { COURSEHUB_HUB_PORT: '9100', COURSEHUB_HUB_IP: '127.0.0.2', COURSEHUB_USERS_PRUNE: 'yes' },
      overrides: { 'hub.ip': '127.0.0.3' },
    });
    expect(config.hub.port).toBe(9100);
    expect(config.hub.ip).toBe('127.0.0.3');
    expect(config.users.prune).toBe(true);
  });

  it("keeps the seed's environment variable names working", () => {
    const { config, warnings } = loadConfig({
      env: {
        GITHUB_CLIENT_ID: 'id123',
        GITHUB_CLIENT_SECRET: 's3cret',
        OAUTH_CALLBACK_URL: 'https://hub.example.org/hub/oauth_callback',
        DOCKER_NOTEBOOK_IMAGE: 'jupyter/scipy-notebook:2024-01-01',
        DOCKER_NETWORK_NAME: 'jupyterhub-network',
        DOCKER_NOTEBOOK_DIR: '/home/jovyan/work',
        COURSE_NAME: 'intro101',
        COURSE_HOME: '/srv/nbgrader/intro101',
        POSTGRES_DB: 'jupyterhub',
        POSTGRES_PASSWORD: 'p@ss word',
        POSTGRES_HOST: 'jupyterhub-db',
      },
    });
    expect(config.auth.github).toMatchObject({
      clientId: 'id123',
      clientSecret: 's3cret',
      callbackUrl: 'https://hub.example.org/hub/oauth_callback',
    });
    // The seed's course: COURSE_NAME and COURSE_HOME make it, and are no longer warned about.
    expect(config.course).toMatchObject({ name: 'intro101', home: '/srv/nbgrader/intro101' });
    for (const name of ['COURSE_NAME', 'COURSE_HOME'])
      expect(warnings.join('\n')).not.toContain(`Environment variable ${name} `);
    // The seed's Docker variables set the Docker spawner's image, network and home, unwarned.
    expect(config.spawner.docker).toMatchObject({
      image: 'jupyter/scipy-notebook:2024-01-01',
      network: 'jupyterhub-network',
      notebookDir: '/home/jovyan/work',
    });
    for (const name of ['DOCKER_NOTEBOOK_IMAGE', 'DOCKER_NETWORK_NAME', 'DOCKER_NOTEBOOK_DIR'])
      expect(warnings.join('\n')).not.toContain(`Environment variable ${name} `);
    expect(config.db.url).toBe('postgresql://postgres:p%40ss%20word@jupyterhub-db:5432/jupyterhub');
    // DATABASE_URL wins over the POSTGRES_* parts.
    const explicit = loadConfig({ env: { POSTGRES_DB: 'x', DATABASE_URL: 'postgresql://u@h/d' } }).config;
    expect(explicit.db.url).toBe('postgresql://u@h/d');
  });

  it('names an unknown key as a dotted path and suggests the right one', () => {
    const error = loadError({ file: file('typo.yaml', 'hub:\n  prot: 9000\nfoo: 1\n'), env: {} });
    expect(error.message).toContain('unknown key hub.prot (did you mean hub.port?)');
    expect(error.message).toContain('unknown key foo');
    expect(error.message).toContain(join(dir, 'typo.yaml'));
    expect(error.hint).toMatch(/docs\/configuration\.md/);
  });

  it('names a key with a wrong type, and the variable that set it', () => {
    const error = loadError({ file: file('type.yaml', 'hub:\n  port: "eighty"\n'), env: {} });
    expect(error.message).toMatch(/hub\.port: .*expected number/);
    const fromEnv = loadError({ env: { COURSEHUB_HUB_PORT: 'eighty' } });
    expect(fromEnv.message).toBe(
      'COURSEHUB_HUB_PORT sets hub.port to "eighty", but hub.port needs a number.',
    );
    const range = loadError({ env: { COURSEHUB_HUB_PORT: '70000' } });
    expect(range.message).toMatch(/hub\.port: .*65535.* \(set by environment variable COURSEHUB_HUB_PORT\)/);
    const enumError = loadError({ env: { COURSEHUB_LOG_LEVEL: 'loud' } });
    expect(enumError.message).toMatch(/log\.level: /);
  });

  it('refuses a broken file with the place of the error', () => {
    const yamlError = loadError({ file: file('broken.yaml', 'hub:\n  port: 80\n   ip: x\n'), env: {} });
    expect(yamlError.message).toMatch(/not valid YAML/);
    expect(yamlError.message).toMatch(/at line 2, column 9/);
    expect(loadError({ file: file('broken.json', '{"hub": '), env: {} }).message).toMatch(/not valid JSON/);
    expect(loadError({ file: file('list.yaml', '- a\n- b\n'), env: {} }).message).toMatch(
      /must hold a mapping/,
    );
    expect(loadError({ file: file('hub.toml', 'a=1'), env: {} }).message).toMatch(/\.yaml, \.yml or \.json/);
    expect(loadError({ file: join(dir, 'missing.yaml'), env: {} }).message).toMatch(
      /Cannot read the config file/,
    );
    expect(loadError({ file: file('dup.yaml', 'hub:\n  port: 1\n  port: 2\n'), env: {} }).message).toMatch(
      /not valid YAML/,
    );
  });

  it('warns about COURSEHUB_ variables that name no key', () => {
    const { warnings } = loadConfig({ env: { COURSEHUB_HUB_PROT: '1', COURSEHUB_CONFIG: 'x.yaml' } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/COURSEHUB_HUB_PROT names no configuration key/);
  });
});
