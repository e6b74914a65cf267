/**
 * What the proxy answers when a user's server does not take a request (connection refused, or
 * closed before answering): its Jupyter may have died, as under the out-of-memory killer. The
 * proxy tells the hub, which looks at once and tears down a server that is gone; its user is
 * then sent to the hub's page that says the server stopped (and why) and offers to start it, or,
 * for API calls and websockets, told so in a 503. Only when the hub finds the server still
 * running, or cannot be asked, is the answer the bare 502 "not responding".
 *
 * A page that fails with many requests at once asks the hub once.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { redirect, refuseUpgrade, sendAnswer } from './answers.js';
import type { ServerCheckAnswer, ServerCheckOracle } from './hub-oracle.js';
import type { Route } from './route-table.js';
import { HubUrls } from '../urls.js';

export interface UnreachableServerOptions {
  checkServer: ServerCheckOracle | undefined;
  baseUrl: string;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

export function unreachableServerAnswers(options: UnreachableServerOptions) {
  const urls = new HubUrls(options.baseUrl);
  const homeUrl = urls.hub('home');
  const asking = new Map<string, Promise<ServerCheckAnswer | undefined>>();

  function askHub(route: Route, owner: string): Promise<ServerCheckAnswer | undefined> {
    const check = options.checkServer;
    if (!check) return Promise.resolve(undefined);
    let answer = asking.get(route.path);
    if (!answer) {
      const serverName = typeof route.data.server_name === 'string' ? route.data.server_name : '';
      answer = check(owner, serverName)
        .catch((error: unknown) => {
          options.log('could not ask the hub about an unreachable server', {
            route: route.path,
            error: String(error),
          });
          return undefined;
        })
        .finally(() => asking.delete(route.path));
      asking.set(route.path, answer);
    }
    return answer;
  }

  function stoppedMessage(owner: string, answer: ServerCheckAnswer): string {
    const why = answer.outOfMemory ? ': it ran out of memory' : '';
    return `${owner}'s server stopped${why}. Start it again from the hub home page (${homeUrl}).`;
  }

  /** `fallback`: the 502 "not responding" answer, for a server the hub still finds running. */
  return {
    http(
      request: IncomingMessage,
      response: ServerResponse,
      route: Route,
      pathAndQuery: string,
      fallback: () => void,
    ): void {
      const owner = route.data.user;
      if (owner === undefined) return fallback();
      void askHub(route, owner).then((answer) => {
        if (response.headersSent || response.destroyed) return;
        if (answer?.state !== 'stopped') return fallback();
        // Browsers go to the hub's page for it (as for a server without a route), the rest get JSON.
        if (request.method === 'GET' || request.method === 'HEAD')
          return redirect(
            response,
            `${urls.hub()}user/${owner}${pathAndQuery.slice(urls.userPrefix.length + owner.length)}`,
          );
        sendAnswer(request, response, homeUrl, 503, stoppedMessage(owner, answer));
      });
    },
    upgrade(socket: Duplex, route: Route, fallback: () => void): void {
      const owner = route.data.user;
      if (owner === undefined) return fallback();
      void askHub(route, owner).then((answer) => {
        if (socket.destroyed) return;
        if (answer?.state !== 'stopped') return fallback();
        refuseUpgrade(socket, 503, stoppedMessage(owner, answer));
      });
    },
  };
}
