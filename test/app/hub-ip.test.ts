// hub.hubIp (JupyterHub's hub_ip): the hub process listens on loopback by default, and on every
// address with 0.0.0.0, so that users' servers in containers on a Docker network reach its API
// (docker-compose.yml), while the proxy still reaches it on loopback.
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startRealHub, type RealHub } from '../support/hub.js';

let hub: RealHub | undefined;
afterEach(async () => {
  await hub?.stop();
  hub = undefined;
});

describe('hub.hubIp', () => {
  it.each([
    [undefined, '127.0.0.1'],
    ['0.0.0.0', '0.0.0.0'],
  ])(
    '%s: the hub listens on %s and answers through the proxy',
    async (hubIp, expected) => {
      hub = await startRealHub({
        config: { auth: { authenticator: 'dummy' }, ...(hubIp ? { hub: { hubIp } } : {}) },
      });
      expect((hub.hub.app.server.address() as AddressInfo).address).toBe(expected);
      const answer = await fetch(`${hub.url}hub/login`);
      expect(answer.status).toBe(200);
    },
    60_000,
  );
});
