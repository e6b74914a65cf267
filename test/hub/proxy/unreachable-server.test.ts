// A user's server that does not take a request (its Jupyter died): the real proxy tells the hub
// (here a stand-in for the hub's answer, counted), and its answer decides what the visitor gets:
// a stopped server's browser goes to the hub's page for it, API calls and websockets get a 503
// that says it stopped (and why); a server the hub still finds running, or a hub that cannot be
// asked, gives the plain 502 as before. A page failing with many requests asks the hub once.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ServerCheckAnswer } from '../../../src/hub/proxy/hub-oracle.js';
import { ProxyClient } from '../../../src/hub/proxy/client.js';
import type { RunningProxy } from '../../../src/hub/proxy/proxy-process.js';
import {
  PROXY_SECRET,
  freePort,
  rawRequest,
  rawUpgradeStatus,
  startProxyForHub,
  startTestHub,
  type TestHub,
} from './support.js';

let proxy: RunningProxy;
let hub: TestHub;
let cookie: string;
/** What the stand-in hub answers next, and the questions it was asked. */
let answer: () => Promise<ServerCheckAnswer>;
const asked: string[] = [];

beforeAll(async () => {
  const hubPort = await freePort();
  proxy = await startProxyForHub(`http://127.0.0.1:${hubPort}`, {
    checkServer: (owner, serverName) => {
      asked.push(`${owner}/${serverName}`);
      return answer();
    },
  });
  hub = await startTestHub({ proxyApiUrl: proxy.apiUrl, port: hubPort });
  cookie = `coursehub-session=${(await hub.login('alice')).cookie}`;
});
afterAll(async () => {
  await proxy?.close();
  await hub?.close();
});
beforeEach(async () => {
  asked.length = 0;
  // Each test: alice's route points at a port nobody listens on (her Jupyter is gone).
  await new ProxyClient(proxy.apiUrl, PROXY_SECRET).addUserServer({
    user: 'alice',
    url: `http://127.0.0.1:${await freePort()}`,
    serverToken: 'alice-token-0123456789',
  });
});

const stopped =
  (outOfMemory = false) =>
  async (): Promise<ServerCheckAnswer> => ({
    state: 'stopped',
    ...(outOfMemory ? { outOfMemory } : {}),
  });

describe('a server that refuses the connection', () => {
  it("sends a browser to the hub's page for the stopped server, keeping where it was going", async () => {
    answer = stopped();
    const response = await rawRequest(proxy.publicUrl, '/user/alice/notebooks/a.ipynb?x=1', {
      cookie,
      accept: 'text/html',
    });
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/hub/user/alice/notebooks/a.ipynb?x=1');
    expect(asked).toEqual(['alice/']);
  });

  it('answers an API call 503, saying it stopped and why', async () => {
    answer = stopped(true);
    const response = await rawRequest(
      proxy.publicUrl,
      '/user/alice/api/contents/a.ipynb',
      { cookie, origin: proxy.publicUrl, accept: 'application/json' },
      'PUT',
    );
    expect(response.status).toBe(503);
    expect(JSON.parse(response.body)).toEqual({
      status: 503,
      message:
        "alice's server stopped: it ran out of memory. Start it again from the hub home page (/hub/home).",
    });
  });

  it('refuses a websocket 503, saying it stopped', async () => {
    answer = stopped();
    expect(
      await rawUpgradeStatus(proxy.publicUrl, '/user/alice/api/kernels/k/channels', {
        cookie,
        origin: proxy.publicUrl,
      }),
    ).toBe(503);
    expect(asked).toEqual(['alice/']);
  });

  it('is the plain 502 when the hub finds the server still running', async () => {
    answer = async () => ({ state: 'running' });
    const response = await rawRequest(proxy.publicUrl, '/user/alice/tree', {
      cookie,
      accept: 'application/json',
    });
    expect(response.status).toBe(502);
    expect(JSON.parse(response.body).message).toMatch(/alice's server is not responding/);
  });

  it('is the plain 502 when the hub cannot be asked', async () => {
    answer = async () => {
      throw new Error('hub down');
    };
    const response = await rawRequest(proxy.publicUrl, '/user/alice/tree', {
      cookie,
      accept: 'application/json',
    });
    expect(response.status).toBe(502);
  });

  it('asks the hub once for many requests failing together', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    answer = async () => {
      await held;
      return { state: 'stopped' };
    };
    const requests = Array.from({ length: 6 }, (_, i) =>
      rawRequest(proxy.publicUrl, `/user/alice/static/${i}.js`, { cookie }),
    );
    // A refused connection on loopback fails at once: all six are waiting for the one answer.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    release();
    const statuses = (await Promise.all(requests)).map((r) => r.status);
    expect(statuses).toEqual([302, 302, 302, 302, 302, 302]);
    expect(asked).toEqual(['alice/']);
  });
});
