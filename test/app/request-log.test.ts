// The request log must never carry a secret that arrived in a query string (JupyterHub clients
// may send `?token=`; OAuth callbacks carry `code` and `state`).
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/open-database.js';
import { configSchema } from '../../src/config/schema.js';

describe('request log', () => {
  it('masks token, code, state and _xsrf in logged URLs and keeps the rest', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = Fastify({ loggerInstance: createLogger(configSchema.parse({}), sink) });
    app.get('/hub/api/user', async () => 'ok');
    await app.inject({
      url: '/hub/api/user?page=2&token=SECRET-T&code=SECRET-C&state=SECRET-S&_xsrf=SECRET-X',
    });
    await app.close();

    const logged = lines.join('');
    expect(logged).toContain('/hub/api/user?page=2&token=[hidden]');
    expect(logged).not.toMatch(/SECRET-/);
  });
});
