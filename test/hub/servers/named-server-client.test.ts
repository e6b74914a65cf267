// A Python client of JupyterHub's REST API (named-server-client.py, python3-requests) walks the
// named-server flow JupyterHub's server-API tutorial describes, through the real proxy, against a
// real hub and a real notebook server. What it must see comes from JupyterHub 5's rest-api.yml:
// 201/202 to start, an event stream ending in {ready, url}, 204/202 to stop, 204 to remove, and
// 404 for the removed server.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './hub-fixture.js';

const ALICE = 'chnamedpy_alice';
let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({ users: [ALICE], spawner: { allowNamedServers: true } });
});
afterAll(async () => {
  await hub?.dispose();
});

it(
  'a requests-based client starts, follows, uses, stops and deletes a named server',
  { timeout: 120_000 },
  async () => {
    const token = await hub.token(ALICE);
    const result = await runClient(token);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const seen = JSON.parse(result.stdout) as Record<string, unknown>;
    expect([201, 202]).toContain(seen.start_status);
    expect(seen.model).toMatchObject({ name: 'lab2', url: `/user/${ALICE}/lab2/` });
    expect(seen.progress_content_type).toMatch(/^text\/event-stream/);
    expect(seen.last_event).toMatchObject({ progress: 100, ready: true, url: `/user/${ALICE}/lab2/` });
    expect(seen.server_status).toBe(200);
    expect([204, 202]).toContain(seen.stop_status);
    expect(seen.remove_status).toBe(204);
    expect(seen.after_remove).toEqual({
      status: 404,
      body: { status: 404, message: `${ALICE} has no server named 'lab2'` },
    });
  },
);

/** Runs the client as a child process, asynchronously, so that the hub in this process answers it. */
async function runClient(token: string) {
  const child = spawn(
    'python3',
    [join(import.meta.dirname, 'named-server-client.py'), hub.proxy.publicUrl, ALICE, 'lab2'],
    {
      env: { PATH: '/usr/bin:/bin', JUPYTERHUB_API_TOKEN: token },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { status, stdout, stderr };
}
