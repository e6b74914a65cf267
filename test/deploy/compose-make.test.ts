// The Docker deployment's files without building or running an image (the Docker spawner's tests
// run real containers): Debian's docker-compose accepts docker-compose.yml (`config` needs no
// daemon), and the Makefile's checks, run for real in a copy of the repository's deployment files,
// stop with the seed's messages on each missing secrets/ or roster file, generate
// secrets/postgres.env with a random password once, and then hand over to docker with the base
// images from .env as build arguments.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');
const FILES = ['Makefile', 'docker-compose.yml', '.env.example', 'Dockerfile', '.dockerignore'];
const CSV_HEADER = 'id,first_name,last_name,email\n';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'coursehub-deploy-'));
  for (const file of FILES) copyFileSync(join(REPO, file), join(dir, file));
  mkdirSync(join(dir, 'notebook'));
  copyFileSync(join(REPO, 'notebook/Dockerfile'), join(dir, 'notebook/Dockerfile'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** `make ARGS` in the copy, with no docker on the PATH: a check that reached docker would fail loudly. */
function make(...args: string[]) {
  const run = spawnSync('make', ['--no-print-directory', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', COMPOSE: 'docker-compose' },
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function selfSignedPair(): void {
  mkdirSync(join(dir, 'secrets'), { recursive: true });
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'],
      ...['-keyout', join(dir, 'secrets/jupyterhub.key'), '-out', join(dir, 'secrets/jupyterhub.crt')],
    ],
    { stdio: 'ignore' },
  );
}

describe("the Makefile's checks (the seed's)", () => {
  it('stop at each missing file with what to put there, in the seed order', () => {
    let run = make('check-files');
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('Need an SSL certificate in secrets/jupyterhub.crt');
    // .env was made from the example on the way, as make read its settings.
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(readFileSync(join(dir, '.env.example'), 'utf8'));

    mkdirSync(join(dir, 'secrets'));
    writeFileSync(join(dir, 'secrets/jupyterhub.crt'), 'x');
    run = make('check-files');
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('Need an SSL key in secrets/jupyterhub.key');

    writeFileSync(join(dir, 'secrets/jupyterhub.key'), 'x');
    run = make('check-files');
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('Need secrets/oauth.env with the GitHub OAuth settings');
    expect(existsSync(join(dir, 'secrets/postgres.env'))).toBe(false);

    writeFileSync(join(dir, 'secrets/oauth.env'), 'GITHUB_CLIENT_ID=x\n');
    run = make('check-files');
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('Generating a PostgreSQL password in secrets/postgres.env');
    expect(run.output).toContain('Need instructors.csv');
    expect(run.output).toContain(CSV_HEADER.trim());

    writeFileSync(join(dir, 'instructors.csv'), CSV_HEADER);
    run = make('check-files');
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('Need students.csv');

    writeFileSync(join(dir, 'students.csv'), CSV_HEADER);
    expect(make('check-files').status).toBe(0);
  });

  it('generate secrets/postgres.env once, with a random password only its owner reads', () => {
    expect(make('secrets/postgres.env').status).toBe(0);
    const file = join(dir, 'secrets/postgres.env');
    const first = readFileSync(file, 'utf8');
    expect(first).toMatch(/^POSTGRES_PASSWORD=[0-9a-f]{64}\n$/);
    expect(lstatSync(file).mode & 0o777).toBe(0o600);
    make('secrets/postgres.env');
    expect(readFileSync(file, 'utf8')).toBe(first);
    rmSync(file);
    make('secrets/postgres.env');
    expect(readFileSync(file, 'utf8')).not.toBe(first);
  });

  it('make build, up and notebook_image check first, then run docker with the base images from .env', () => {
    for (const target of ['build', 'up']) {
      const refused = make(target);
      expect(refused.status).not.toBe(0);
      expect(refused.output).toContain('Need an SSL certificate in secrets/jupyterhub.crt');
      expect(refused.output).not.toContain('docker');
    }
    selfSignedPair();
    writeFileSync(join(dir, 'secrets/oauth.env'), 'GITHUB_CLIENT_ID=x\n');
    writeFileSync(join(dir, 'instructors.csv'), CSV_HEADER);
    writeFileSync(join(dir, 'students.csv'), CSV_HEADER);
    writeFileSync(
      join(dir, '.env'),
      `${readFileSync(join(dir, '.env.example'), 'utf8')}NODE_IMAGE=mirror.example/node:22\n`,
    );
    // -n: what make would run (the checks above ran for real).
    const build = make('-n', 'build');
    expect(build.status).toBe(0);
    expect(build.output).toContain('docker network create coursehub-network');
    expect(build.output).toContain('docker volume create --name coursehub-data');
    expect(build.output).toContain('docker-compose build --build-arg NODE_IMAGE=mirror.example/node:22');
    expect(make('-n', 'up').output).toContain('docker-compose up -d');
    expect(make('-n', 'down').output).toContain('docker-compose down');
    const image = make('-n', 'notebook_image').output;
    expect(image).toContain('docker build -t coursehub-notebook');
    expect(image).toContain('--build-arg BASE_IMAGE=quay.io/jupyter/scipy-notebook:latest');
    expect(image).toContain('-f notebook/Dockerfile .');
  });
});

describe('docker-compose.yml', () => {
  it('is accepted by docker-compose config, with the seed services, ports, network, env files and secrets', () => {
    selfSignedPair();
    writeFileSync(join(dir, 'secrets/oauth.env'), 'GITHUB_CLIENT_ID=id-from-oauth-env\n');
    writeFileSync(join(dir, 'instructors.csv'), CSV_HEADER);
    writeFileSync(join(dir, 'students.csv'), CSV_HEADER);
    expect(make('secrets/postgres.env', '.env').status).toBe(0);
    const run = spawnSync('docker-compose', ['config'], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr).not.toMatch(/ERROR/);
    expect(run.status).toBe(0);
    const config = parse(run.stdout) as {
      services: Record<
        string,
        {
          ports?: { published: number; target: number }[];
          environment: Record<string, string>;
          secrets?: { source: string }[];
          volumes?: string[];
        }
      >;
      networks: { default: { name: string; external: boolean } };
      secrets: Record<string, { file: string }>;
    };
    expect(Object.keys(config.services).sort()).toEqual(['coursehub', 'postgres']);
    const hub = config.services.coursehub!;
    expect(hub.ports?.map((port) => [port.published, port.target])).toEqual([
      [443, 443],
      [80, 80],
    ]);
    expect(config.networks.default).toEqual({ external: true, name: 'coursehub-network' });
    // .env and secrets/oauth.env reach the hub; the generated password reaches both services.
    const password = readFileSync(join(dir, 'secrets/postgres.env'), 'utf8').trim().split('=')[1];
    expect(hub.environment.GITHUB_CLIENT_ID).toBe('id-from-oauth-env');
    expect(hub.environment.DOCKER_NOTEBOOK_IMAGE).toBe('coursehub-notebook');
    expect(hub.environment.POSTGRES_PASSWORD).toBe(password);
    expect(config.services.postgres!.environment.POSTGRES_PASSWORD).toBe(password);
    // The TLS pair as secrets, named where the hub reads them (SSL_CERT / SSL_KEY: https.*).
    expect(config.secrets['jupyterhub.crt']!.file).toBe(join(dir, 'secrets/jupyterhub.crt'));
    expect(hub.secrets?.map((s) => s.source).sort()).toEqual(['jupyterhub.crt', 'jupyterhub.key']);
    expect(hub.environment.SSL_CERT).toBe('/run/secrets/jupyterhub.crt');
    expect(hub.environment.SSL_KEY).toBe('/run/secrets/jupyterhub.key');
    expect(hub.volumes).toContain('/var/run/docker.sock:/var/run/docker.sock:rw');
  });

  it('is refused by docker-compose config without secrets/oauth.env', () => {
    writeFileSync(join(dir, '.env'), readFileSync(join(dir, '.env.example')));
    const run = spawnSync('docker-compose', ['config'], { cwd: dir, encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/secrets\/(oauth|postgres)\.env/);
  });
});
