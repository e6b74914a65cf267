/**
 * The hub watches its proxy, as JupyterHub does (`check_running_interval`): a proxy the hub
 * starts (proxy.autoStart) that dies is started again at once, and every route the hub wants is
 * put back; a proxy someone else runs (autoStart off, e.g. under a service manager) is waited for
 * and, when it is back (or answers as another process than before: restarted between two
 * checks), given every route again. Without this a killed proxy cut every user off until someone
 * restarted the hub.
 *
 * Noticed at once when the hub started the proxy itself (its exit event), else within one
 * check interval.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { CoursehubConfig } from '../../config/schema.js';
import type { ProxyClient } from './client.js';
import { ensureProxy, type EnsuredProxy, type EnsureProxyOptions } from './lifecycle.js';

/** How often the proxy is looked at: a dead one is back, with its routes, a few seconds later. */
export const PROXY_CHECK_INTERVAL_MS = 2_000;

export interface ProxyWatchdogOptions {
  /** The proxy as the hub's start found or started it: a started one's exit is noticed at once. */
  ensured?: EnsuredProxy;
  intervalMs?: number;
  /** How to start the proxy again (tests); default: this installation's `coursehub proxy`. */
  command?: EnsureProxyOptions['command'];
  /** Routes beyond the users' servers (services) to put back after the user routes. */
  putBackOtherRoutes?: () => Promise<unknown>;
}

export interface ProxyWatchdog {
  /** Ends the watch; resolves once a check in progress is over. */
  stop(): Promise<void>;
}

export function watchProxy(
  host: { config: CoursehubConfig; log: FastifyBaseLogger },
  client: ProxyClient,
  options: ProxyWatchdogOptions = {},
): ProxyWatchdog {
  const { config } = host;
  const log = host.log.child({ area: 'proxy-watchdog' });
  /** The proxy process last seen (undefined: none answered at the last check). */
  let instance: string | undefined;
  let seenOnce = false;
  let stopped = false;
  let checking: Promise<void> | undefined;

  async function putRoutesBack(why: string): Promise<void> {
    const synced = await client.syncUserServers();
    await options.putBackOtherRoutes?.();
    log.warn({ added: synced.added, removed: synced.removed }, why);
  }

  async function check(): Promise<void> {
    const now = await client.instance();
    if (now === undefined) {
      if (!config.proxy.autoStart) {
        if (instance !== undefined || !seenOnce)
          log.error(
            { api: client.settings.apiUrl },
            'the proxy does not answer (proxy.autoStart is off): users cannot reach the hub until it is back',
          );
        instance = undefined;
        seenOnce = true;
        return;
      }
      const started = await ensureProxy(host, client, options.command ? { command: options.command } : {});
      follow(started);
      instance = await client.instance();
      seenOnce = true;
      await putRoutesBack('the proxy had stopped: started it again, with every route');
      return;
    }
    const changed = seenOnce && now !== instance;
    instance = now;
    seenOnce = true;
    if (changed) await putRoutesBack('the proxy is back (or was restarted): every route put back');
  }

  function runCheck(): void {
    if (stopped || checking) return;
    checking = check()
      .catch((error: unknown) => log.error({ err: error }, 'checking the proxy failed'))
      .finally(() => (checking = undefined));
  }

  /** A proxy the hub started: its exit starts a check at once. */
  function follow(ensured: EnsuredProxy | undefined): void {
    void ensured?.exited?.then(() => {
      if (stopped) return;
      log.warn({ pid: ensured.pid }, 'the proxy the hub started has exited');
      runCheck();
    });
  }

  follow(options.ensured);
  if (options.ensured) {
    // The proxy ensureProxy found or started and synced: the process to compare with.
    void client.instance().then(
      (now) => {
        if (!seenOnce) [instance, seenOnce] = [now, true];
      },
      () => undefined,
    );
  }
  const timer = setInterval(runCheck, options.intervalMs ?? PROXY_CHECK_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await checking;
    },
  };
}
