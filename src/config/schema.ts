/**
 * The configuration file's schema: every key, its type and its default. One section per area;
 * each area owns its section. `coursehub config docs` (and docs/configuration.md) are generated
 * from the `.describe()` texts, so every key must have one.
 *
 * Unknown keys are errors (`.strict()`): a typo must stop the start, not be ignored.
 */
import { z } from 'zod';

export const hubSection = z
  .object({
    ip: z.string().default('127.0.0.1').describe('Address the hub (and its proxy) listens on.'),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .default(8000)
      .describe('Public port: the proxy, which users reach.'),
    hubPort: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(8081)
      .describe('Port of the hub process behind the proxy (loopback).'),
    baseUrl: z.string().default('/').describe('URL prefix the hub is served under.'),
    publicUrl: z
      .string()
      .optional()
      .describe('Public URL (https://...) when behind TLS; sets Secure cookies.'),
    dataDir: z.string().default('./data').describe('Where the database, cookie secret and logs live.'),
    cookieSecret: z
      .string()
      .optional()
      .describe(
        'Secret that signs cookies (hex). Generated on first start into DATA_DIR/cookie_secret (mode 600) when absent.',
      ),
  })
  .strict();

export const dbSection = z
  .object({
    url: z
      .string()
      .optional()
      .describe(
        'postgresql://user:pass@host/db for PostgreSQL; default: SQLite file DATA_DIR/coursehub.sqlite.',
      ),
  })
  .strict();

export const proxySection = z
  .object({
    apiIp: z
      .string()
      .default('127.0.0.1')
      .describe("Address of the proxy's REST API (keep it on loopback: only the hub calls it)."),
    apiPort: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .default(8001)
      .describe("Port of the proxy's REST API (configurable-http-proxy's default)."),
    autoStart: z
      .boolean()
      .default(true)
      .describe(
        'Start the proxy as its own detached process when none is running (re-using a running one). Off: run `coursehub proxy` yourself, e.g. under a service manager.',
      ),
    adminAccess: z
      .boolean()
      .default(false)
      .describe("JupyterHub's admin_access: admins may open other users' servers through the proxy."),
    authCacheTtlSeconds: z
      .number()
      .positive()
      .default(30)
      .describe("How long the proxy trusts the hub's answer about a login before asking again."),
    authMaxStaleSeconds: z
      .number()
      .nonnegative()
      .default(900)
      .describe(
        'While the hub cannot be reached (restarting), logins the proxy already accepted stay accepted for up to this long.',
      ),
  })
  .strict();

export const configSchema = z
  .object({
    hub: hubSection.default(hubSection.parse({})),
    db: dbSection.default(dbSection.parse({})),
    proxy: proxySection.default(proxySection.parse({})),
  })
  .strict();

export type CoursehubConfig = z.infer<typeof configSchema>;
