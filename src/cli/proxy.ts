/**
 * `coursehub proxy`: runs the proxy in the foreground, as its own process. The hub starts it this
 * way (detached) when none is running; it can also run under a service manager with
 * proxy.autoStart off. Secrets come from the environment or files, never from argv (`ps` shows
 * argv to every user): COURSEHUB_PROXY_SECRET (or CONFIGPROXY_AUTH_TOKEN) or DATA_DIR/proxy_secret,
 * and COURSEHUB_COOKIE_SECRET or the cookie secret file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { pino } from 'pino';
import { verifySessionCookie } from '../hub/auth/session-cookie.js';
import { ProxyStartError } from '../hub/proxy/errors.js';
import { hubOracle, hubServerCheck } from '../hub/proxy/hub-oracle.js';
import { startProxyProcess, type ProxyTlsOptions } from '../hub/proxy/proxy-process.js';
import { ensureProxySecret } from '../hub/proxy/secret.js';
import { HubUrls } from '../hub/urls.js';

interface ProxyCommandOptions {
  ip: string;
  port: string;
  apiIp: string;
  apiPort: string;
  defaultTarget: string;
  hubApiUrl?: string;
  baseUrl: string;
  publicUrl?: string;
  dataDir: string;
  cookieSecretFile?: string;
  authTtl: string;
  authMaxStale: string;
  tlsCert?: string;
  tlsKey?: string;
  redirectPort: string;
  hstsMaxAge: string;
  tlsReloadInterval: string;
}

function cookieSecret(options: ProxyCommandOptions): string {
  const fromEnv = process.env.COURSEHUB_COOKIE_SECRET?.trim();
  if (fromEnv) return fromEnv;
  const file = options.cookieSecretFile ?? join(options.dataDir, 'cookie_secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new ProxyStartError(`The proxy cannot read the hub's cookie secret from ${file}.`, {
      hint: "Set COURSEHUB_COOKIE_SECRET, or pass --cookie-secret-file / --data-dir pointing at the hub's.",
      cause: error,
    });
  }
}

function port(value: string, flag: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) {
    throw new ProxyStartError(`${flag} must be a port number (0-65535), got "${value}".`);
  }
  return number;
}

function tlsOptions(options: ProxyCommandOptions): ProxyTlsOptions | undefined {
  if (options.tlsCert === undefined && options.tlsKey === undefined) return undefined;
  if (options.tlsCert === undefined || options.tlsKey === undefined) {
    throw new ProxyStartError('--tls-cert and --tls-key go together.', {
      hint: 'Give both (https.certFile and https.keyFile), or neither for plain http.',
    });
  }
  const seconds = Number(options.tlsReloadInterval);
  const hstsMaxAge = Number(options.hstsMaxAge);
  if (!(seconds > 0))
    throw new ProxyStartError(`--tls-reload-interval must be positive, got "${options.tlsReloadInterval}".`);
  if (!Number.isInteger(hstsMaxAge) || hstsMaxAge < 0)
    throw new ProxyStartError(
      `--hsts-max-age must be a whole number of seconds, got "${options.hstsMaxAge}".`,
    );
  return {
    certFile: options.tlsCert,
    keyFile: options.tlsKey,
    redirectPort: port(options.redirectPort, '--redirect-port'),
    hstsMaxAgeSeconds: hstsMaxAge,
    reloadIntervalMs: seconds * 1000,
  };
}

export function registerProxyCommand(program: Command): void {
  program
    .command('proxy')
    .description("Run coursehub's proxy (users' entry point; routes BASE/user/NAME/ to their servers).")
    .option('--ip <address>', 'public address', '127.0.0.1')
    .option('--port <port>', 'public port', '8000')
    .option('--api-ip <address>', 'address of the REST API (keep it on loopback)', '127.0.0.1')
    .option('--api-port <port>', 'port of the REST API', '8001')
    .option('--default-target <url>', 'where everything else goes: the hub', 'http://127.0.0.1:8081')
    .option(
      '--base-url <path>',
      "the hub's hub.baseUrl: servers are under BASE/user/, the hub under BASE/hub/",
      '/',
    )
    .option(
      '--public-url <url>',
      "the hub's hub.publicUrl (behind a TLS front): requests from its origin are the hub's own",
    )
    .option('--hub-api-url <url>', "the hub's API, asked about logins (default: DEFAULT_TARGET BASE/hub/api)")
    .option('--data-dir <dir>', 'where proxy_secret and cookie_secret are read from', './data')
    .option('--cookie-secret-file <file>', "the hub's cookie secret (default: DATA_DIR/cookie_secret)")
    .option('--auth-ttl <seconds>', "how long the hub's answer about a login is trusted", '30')
    .option(
      '--auth-max-stale <seconds>',
      'how long accepted logins stay accepted while the hub is down',
      '900',
    )
    .option('--tls-cert <file>', 'serve https with this PEM certificate (https.certFile); needs --tls-key')
    .option('--tls-key <file>', 'its PEM private key (https.keyFile)')
    .option('--redirect-port <port>', 'with https: a plain-HTTP port that redirects to https (0: none)', '0')
    .option('--hsts-max-age <seconds>', 'with https: Strict-Transport-Security max-age (0: none)', '31536000')
    .option('--tls-reload-interval <seconds>', 'with https: how often the pair is checked for a renewal', '5')
    .action(async (options: ProxyCommandOptions) => {
      const log = pino({ name: 'coursehub-proxy' });
      const secret = cookieSecret(options);
      const apiSecret = ensureProxySecret(options.dataDir);
      const urls = new HubUrls(options.baseUrl);
      const hubApiUrl = options.hubApiUrl ?? `${options.defaultTarget.replace(/\/$/, '')}${urls.api()}`;
      const proxy = await startProxyProcess({
        ip: options.ip,
        port: port(options.port, '--port'),
        apiIp: options.apiIp,
        apiPort: port(options.apiPort, '--api-port'),
        defaultTarget: options.defaultTarget,
        baseUrl: urls.base,
        publicUrl: options.publicUrl,
        apiSecret,
        oracle: hubOracle({ hubApiUrl, proxySecret: apiSecret }),
        checkServer: hubServerCheck({ hubApiUrl, proxySecret: apiSecret }),
        verifySessionCookie: (value) => verifySessionCookie(value, secret),
        authTtlMs: Number(options.authTtl) * 1000,
        authMaxStaleMs: Number(options.authMaxStale) * 1000,
        tls: tlsOptions(options),
        log: (message, fields) => log.info(fields ?? {}, message),
      });
      // The command lasts until the proxy has stopped; main.ts then ends the process.
      let stopped: () => void = () => undefined;
      const untilStopped = new Promise<void>((resolve) => (stopped = resolve));
      const stop = (signal: string) => {
        log.info({ signal }, 'proxy stopping');
        proxy.close().then(stopped, () => {
          process.exitCode = 1;
          stopped();
        });
      };
      // A proxy whose data directory was removed belongs to no hub any more (its secret is gone
      // with it, so no hub could ever talk to it): leave instead of holding the ports forever.
      const dataDir = resolve(options.dataDir);
      if (existsSync(dataDir)) {
        setInterval(() => {
          if (!existsSync(dataDir)) {
            log.info({ dataDir }, 'data directory removed');
            stop('data directory removed');
          }
        }, 5_000).unref();
      }
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      // Started detached by a hub that may go away: a hang-up of its terminal is not ours. With
      // https, SIGHUP is the operator's "the certificate was renewed" (as nginx's reload).
      process.on('SIGHUP', () =>
        proxy.tls ? proxy.tls.reload('SIGHUP') : log.info('proxy ignores SIGHUP (no https)'),
      );
      await untilStopped;
    });
}
