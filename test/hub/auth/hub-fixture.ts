/**
 * A real hub app (src/app/build-hub.ts) on a real database for the login tests, plus a cookie
 * jar so a test can act as one browser across requests made with `app.inject`.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { buildHub } from '../../../src/app/build-hub.js';
import type { HubServices } from '../../../src/app/services.js';
import { configSchema, type CoursehubConfig } from '../../../src/config/schema.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../../src/db/database.js';
import type { CreateAuthOptions } from '../../../src/hub/auth/auth-services.js';

export interface TestHub {
  app: FastifyInstance;
  services: HubServices;
  handle: DatabaseHandle;
  printed: string[];
  close(): Promise<void>;
}

export async function startTestHub(
  config: Record<string, unknown>,
  options: {
    /** Extra routes for the test (added before the app is ready). */
    routes?: (app: FastifyInstance) => void;
    dbUrl?: string;
    users?: Array<{ name: string; admin?: boolean }>;
    auth?: CreateAuthOptions;
  } = {},
): Promise<TestHub> {
  const parsed: CoursehubConfig = configSchema.parse({
    ...config,
    hub: { cookieSecret: 'c0ffee'.repeat(10), ...((config.hub as object | undefined) ?? {}) },
  });
  const handle = openDatabase({ url: options.dbUrl ?? ':memory:' });
  await migrateToLatest(handle.db);
  for (const user of options.users ?? [])
    await handle.db
      .insertInto('users')
      .values({ name: user.name, admin: user.admin ? 1 : 0, created: new Date().toISOString() })
      .execute();
  const printed: string[] = [];
  const { app, services } = await buildHub(
    { config: parsed, db: handle.db, log: pino({ level: 'silent' }) },
    { auth: { print: (l) => printed.push(l), env: {}, ...options.auth } },
  );
  options.routes?.(app);
  await app.ready();
  return {
    app,
    services,
    handle,
    printed,
    async close() {
      await app.close();
      await handle.close();
    },
  };
}

/** One browser: remembers cookies set by responses and sends them back. */
export class Browser {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly app: FastifyInstance,
    private readonly remoteAddress = '127.0.0.1',
  ) {}

  async request(options: {
    method?: 'GET' | 'POST';
    url: string;
    form?: Record<string, string>;
    headers?: Record<string, string>;
    /** A body of another kind than a form (its content-type in `headers`). */
    payload?: Buffer | string;
  }): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await this.app.inject({
      method: options.method ?? (options.form ? 'POST' : 'GET'),
      url: options.url,
      headers: options.form ? { ...headers, 'content-type': 'application/x-www-form-urlencoded' } : headers,
      payload: options.form ? new URLSearchParams(options.form).toString() : options.payload,
      remoteAddress: this.remoteAddress,
    });
    for (const cookie of response.cookies as Array<{
      name: string;
      value: string;
      maxAge?: number;
      expires?: Date;
    }>) {
      const expired = cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() <= Date.now());
      if (expired || cookie.value === '') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return response;
  }

  /** The hidden `_xsrf` field of the last form page. */
  static xsrfOf(body: string): string {
    const match = /name="_xsrf" value="([^"]+)"/.exec(body);
    if (!match) throw new Error(`no _xsrf field in page:\n${body.slice(0, 500)}`);
    return match[1]!;
  }

  /** Opens the login page and submits it. */
  async login(username: string, password: string, next?: string): Promise<LightMyRequestResponse> {
    const page = await this.request({ url: '/hub/login' });
    return this.request({
      url: '/hub/login',
      form: { _xsrf: Browser.xsrfOf(page.body), username, password, ...(next !== undefined ? { next } : {}) },
    });
  }
}
