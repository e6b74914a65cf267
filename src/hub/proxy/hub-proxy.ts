/**
 * The proxy as the hub sees it: the API client for the configured proxy (the spawner adds and
 * removes routes through it; the composition root builds it once, and ensureProxy uses it before
 * the app exists) and the shared secret, read on first use.
 */
import type { CoursehubConfig } from '../../config/schema.js';
import { ProxyClient } from './client.js';
import { ProxyApiError } from './errors.js';
import { readProxySecret } from './secret.js';

export function proxyApiUrl(config: Pick<CoursehubConfig, 'proxy'>): string {
  const { apiIp, apiPort } = config.proxy;
  return `http://${apiIp.includes(':') ? `[${apiIp}]` : apiIp}:${apiPort}`;
}

/** The client for the configured proxy; its secret is read on first use (see lazyProxySecret). */
export function proxyClientFor(config: Pick<CoursehubConfig, 'proxy' | 'hub'>): ProxyClient {
  return new ProxyClient(proxyApiUrl(config), lazyProxySecret(config.hub.dataDir), config.hub.baseUrl);
}

/**
 * Reads the secret on first use, not when the hub is built, and never creates it: only starting
 * the proxy (ensureProxy) does, so a hub app built in a test leaves no file behind.
 */
export function lazyProxySecret(dataDir: string): () => string {
  let secret: string | undefined;
  return () => {
    secret ??= readProxySecret(dataDir);
    if (secret === undefined) {
      throw new ProxyApiError('There is no proxy secret yet, so no proxy of this hub is running.', {
        hint: 'Start the hub with `coursehub start` (it starts the proxy), or run `coursehub proxy`.',
      });
    }
    return secret;
  };
}
