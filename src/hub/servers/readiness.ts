/**
 * Waits until a just-started server answers HTTP, as JupyterHub's `wait_up` does. The server's
 * unauthenticated `api` endpoint (its version) answers 200 once it serves requests. The interval
 * starts at 20 ms and stays at or below 50 ms: a notebook is up in about a second here, and every
 * millisecond between it being up and the next probe is added to the user's wait (with 200 ms
 * steps that was 9% on average; bench/spawn.ts measures it). Until the server listens, a probe is
 * a refused connection on loopback, which costs next to nothing even with a class starting.
 */
import { ServerStartError } from './errors.js';
import type { PollResult } from '../spawner/spawner.js';

export interface ReadinessOptions {
  timeoutMs: number;
  /** Asked between attempts; a non-null answer means the server exited and will never answer. */
  poll: () => Promise<PollResult>;
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
  while (Date.now() < deadline) {
    if (await answers(probe)) return;
    const exit = await options.poll();
    if (exit !== null)
      throw new ServerStartError(`The server exited (status ${exit}) before it answered HTTP.`, {
        hint: 'See the server log in DATA_DIR/logs/servers/ for the reason.',
      });
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
