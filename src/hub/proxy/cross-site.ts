/**
 * Whether a browser sent a request for the hub's own pages, or another site made it send it.
 *
 * The proxy adds a user server's own token to every request it lets through, and Jupyter skips
 * its XSRF and websocket-origin checks for token-authenticated requests; the session cookie goes
 * with any request the browser sends to the hub's host, whichever page asked for it (SameSite=Lax
 * stops only other *sites*: another port of the same host, or another page under the same
 * domain, is the same site). So for a request authenticated by the session cookie, the proxy
 * itself refuses every websocket and every request that can change something (anything but
 * GET, HEAD and OPTIONS) whose Origin is not the hub's own; without Origin, Sec-Fetch-Site must
 * say `same-origin`. A request that carries neither did not come from a browser on its own (every
 * browser sends Origin on these requests), and one authenticated by an explicit token is a
 * script's: neither is checked here.
 *
 * The hub's own origin is the one the browser addressed (the Host header, over the scheme the
 * proxy serves: https when it holds the certificate itself) and, behind a TLS front,
 * hub.publicUrl's.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Methods that change nothing (and on which browsers omit Origin for same-origin requests). */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `scheme://host[:port]` as browsers write Origin, or undefined for what is not one (`null`). */
function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

export interface CrossSiteCheck {
  /** hub.publicUrl, when the hub is reached through a TLS front under that name. */
  publicUrl?: string | undefined;
  /** The proxy serves https itself (https.certFile): the browser addressed https://HOST. */
  tls?: boolean | undefined;
}

/**
 * What the proxy makes of a request authenticated by the session cookie.
 * - `refused`: another site's page made the browser send it;
 * - `passes`: it may go on. `originForServer`, when set, is the Origin to hand on: the hub's
 *   public origin behind a TLS front that rewrites Host is not what Jupyter compares Origin with
 *   (the Host it sees), so the proxy, having checked it, hands on the one Jupyter expects.
 */
export interface CrossSiteVerdict {
  refused?: string;
  originForServer?: string;
}

const PASSES: CrossSiteVerdict = Object.freeze({});

export function crossSiteCheck(
  request: { method?: string | undefined; headers: IncomingHttpHeaders },
  isUpgrade: boolean,
  owner: string,
  check: CrossSiteCheck,
): CrossSiteVerdict {
  if (!isUpgrade && READS.has(request.method ?? 'GET')) return PASSES;
  const { origin, host } = request.headers;
  const site = request.headers['sec-fetch-site'];
  const what = isUpgrade ? `A websocket to ${owner}'s server` : `A request that changes ${owner}'s server`;
  const own = host === undefined ? undefined : originOf(`${check.tls ? 'https' : 'http'}://${host}`);
  if (origin !== undefined) {
    const from = originOf(origin);
    if (from !== undefined && from === own) return PASSES;
    if (from !== undefined && from === originOf(check.publicUrl ?? '') && own !== undefined)
      return { originForServer: own };
    return {
      refused: `${what} came from ${origin}, not from the hub's own pages (${own ?? 'no Host'}); it was refused. Scripts authenticate with an API token (Authorization: token ...).`,
    };
  }
  if (site === undefined || site === 'same-origin') return PASSES;
  return {
    refused: `${what} came from another page (Sec-Fetch-Site: ${String(site)}), not from the hub's own pages; it was refused. Scripts authenticate with an API token (Authorization: token ...).`,
  };
}
