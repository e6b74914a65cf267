// The nbgrader exchange commands talking to a running hub over HTTP (--hub, --token or
// JUPYTERHUB_API_URL / JUPYTERHUB_API_TOKEN): run in this process with the command modules the CLI
// registers, against the hub app listening on a loopback port. File moves themselves (fetch,
// submit with real accounts) are tested at the service in test/exchange/.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { nbgraderExchangeCommands } from '../../src/cli/nbgrader/exchange.js';
import { removeCourseGroup } from '../../src/sandbox/course-groups.js';
import { startApiTestHub, type ApiTestHub } from '../hub/api/api-app.js';

const COURSE = 'cli-x101';
let hub: ApiTestHub;
let api: string;
let dir: string;
let profToken: string;
let amyToken: string;
let printed: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'coursehub-cli-exchange-'));
  hub = await startApiTestHub();
  await hub.app.listen({ host: '127.0.0.1', port: 0 });
  const address = hub.app.server.address() as { port: number };
  api = `http://127.0.0.1:${address.port}/hub/api`;
  for (const name of ['prof', 'amy']) await hub.users.create({ name });
  await hub.services.courses.create({ id: COURSE, directory: join(dir, COURSE) });
  await hub.services.courses.enroll(COURSE, [
    { name: 'prof', role: 'instructor' },
    { name: 'amy', role: 'student' },
  ]);
  profToken = (await hub.tokens.create({ user: 'prof' })).token;
  amyToken = (await hub.tokens.create({ user: 'amy' })).token;
});
afterAll(async () => {
  await hub?.close();
  rmSync(dir, { recursive: true, force: true });
  await removeCourseGroup(COURSE).catch(() => undefined);
});
beforeEach(() => {
  printed = [];
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

async function nbgrader(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  const group = program.command('nbgrader').exitOverride();
  for (const command of nbgraderExchangeCommands()) group.addCommand(command);
  await program.parseAsync(['node', 'coursehub', 'nbgrader', ...args]);
  return printed.splice(0).join('\n');
}

describe('coursehub nbgrader exchange commands against a hub', () => {
  it('releases (once per change) and lists, with --hub/--token or the JUPYTERHUB_ variables', async () => {
    await expect(
      nbgrader('release_assignment', 'ps1', '--course', COURSE, '--hub', api, '--token', profToken),
    ).rejects.toThrow(/The hub refused \(409\): release\/ps1 of cli-x101 is missing or empty/);
    mkdirSync(join(dir, COURSE, 'release', 'ps1'), { recursive: true });
    writeFileSync(join(dir, COURSE, 'release', 'ps1', 'p1.ipynb'), '{"cells": []}');
    expect(
      await nbgrader('release_assignment', 'ps1', '--course', COURSE, '--hub', api, '--token', profToken),
    ).toBe('Released ps1 as version 1 (1 files)');
    vi.stubEnv('JUPYTERHUB_API_URL', api);
    vi.stubEnv('JUPYTERHUB_API_TOKEN', profToken);
    expect(await nbgrader('release_assignment', 'ps1', '--course', COURSE)).toBe(
      'ps1 is released already, unchanged (version 1)',
    );
    vi.stubEnv('JUPYTERHUB_API_TOKEN', amyToken);
    expect(await nbgrader('list', '--course', COURSE)).toBe(
      `Released assignments of ${COURSE}:\n  ${COURSE} ps1: not fetched`,
    );
    expect(JSON.parse(await nbgrader('list', '--course', COURSE, '--json'))).toEqual([
      expect.objectContaining({ assignment: 'ps1', fetched: false, submissions: [] }),
    ]);
  });

  it('says what the hub refused, and what is missing to reach it', async () => {
    await expect(
      nbgrader('collect', 'ps1', '--course', COURSE, '--hub', api, '--token', amyToken),
    ).rejects.toThrow(/The hub refused \(403\): amy is not an instructor or a grader of "cli-x101"/);
    await expect(
      nbgrader('submit', 'ps1', '--course', 'other101', '--hub', api, '--token', amyToken),
    ).rejects.toThrow(/\(403\)/);
    vi.stubEnv('JUPYTERHUB_API_URL', '');
    await expect(nbgrader('list', '--course', COURSE, '--token', amyToken)).rejects.toThrow(
      /No --hub URL and no JUPYTERHUB_API_URL/,
    );
    vi.stubEnv('JUPYTERHUB_API_TOKEN', '');
    await expect(nbgrader('list', '--course', COURSE, '--hub', api)).rejects.toThrow(/No API token/);
    await expect(
      nbgrader('list', '--course', COURSE, '--hub', 'http://127.0.0.1:1/hub/api', '--token', 'x'),
    ).rejects.toThrow(/Cannot reach the hub/);
  });

  it('collects as the instructor', async () => {
    expect(await nbgrader('collect', 'ps1', '--course', COURSE, '--hub', api, '--token', profToken)).toBe('');
  });

  it('says when release_assignment generated the assignment first', async () => {
    cpSync(
      new URL('../../examples/sample-course/source/hello', import.meta.url),
      join(dir, COURSE, 'source', 'hello'),
      {
        recursive: true,
      },
    );
    expect(
      await nbgrader('release_assignment', 'hello', '--course', COURSE, '--hub', api, '--token', profToken),
    ).toBe(
      'Generated release/hello first (hello.ipynb): it did not exist yet\nReleased hello as version 1 (1 files)',
    );
  });
});
