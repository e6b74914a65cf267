/**
 * Waits until a just-started server answers HTTP, as JupyterHub's `wait_up` does. The server's
 * unauthenticated `api` endpoint (its version) answers 200 once it serves requests. The interval
 * starts at 20 ms and stays at or below 50 ms: a notebook is up in about a second here, and every
 * millisecond between it being up and the next probe is added to the user's wait (with 200 ms
 * steps that was 9% on average; bench/spawn.ts measures it). Until the server listens, a probe is
 * a refused connection on loopback, which costs next to nothing even with a class starting.
 *
 * An answer counts only if the spawner says the listening socket is its server's: any local
 * process (another student's code among them) can bind a free port between the spawner choosing
 * it and the server binding it, and would then be sent the server's token with every proxied
 * request. Asking the spawner (which knows the server's processes) keeps the check exact without
 * changing how the proxy reaches servers. A server that finds its port taken exits, which ends
 * the wait with an error that says so (the hub then tries once more on a fresh port).
 */
import { ServerStartError } from './errors.js';
import type { PollResult } from '../spawner/spawner.js';

export interface ReadinessOptions {
  timeoutMs: number;
  /** Asked between attempts; a non-null answer means the server exited and will never answer. */
  poll: () => Promise<PollResult>;
  /** Asked once the address answers: whether the answering process is the server (Spawner.ownsAddress). */
  ownsAddress: () => Promise<boolean>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000), redirect: 'manual' });
    await response.body?.cancel();
    return response.status < 500;
  } catch {
    return false;
  }
}

/** Whether the server at `baseUrl` answers HTTP now (its `api` endpoint, within 2 s). */
export function serverAnswers(baseUrl: string): Promise<boolean> {
  return answers(new URL('api', baseUrl).toString());
}

export async function waitForServer(baseUrl: string, options: ReadinessOptions): Promise<void> {
  const probe = new URL('api', baseUrl).toString();
  const deadline = Date.now() + options.timeoutMs;
  let interval = 20;
  let squatted = false;
  while (Date.now() < deadline) {
    if (await answers(probe)) {
      if (await options.ownsAddress()) return;
      squatted = true;
    }
    const exit = await options.poll();
    if (exit !== null)
      throw new ServerStartError(
        squatted
          ? `The server exited (status ${exit}) before it answered HTTP: another process was answering on its port, and was not trusted with the server's token.`
          : `The server exited (status ${exit}) before it answered HTTP.`,
        {
          hint: squatted
            ? 'Something on this host took the port chosen for the server; the hub tries once more on another. See the server log in DATA_DIR/logs/servers/.'
            : 'See the server log in DATA_DIR/logs/servers/ for the reason.',
        },
      );
    await sleep(interval);
    interval = Math.min(50, Math.round(interval * 1.3));
  }
  throw new ServerStartError(
    `The server did not answer at ${probe} within ${Math.round(options.timeoutMs / 1000)} s.`,
    {
      hint: 'It may be slow to start on a busy machine: raise spawner.startTimeoutSeconds, or see its log in DATA_DIR/logs/servers/.',
    },
  );
}
