/**
 * The nbgrader exchange commands talk to a running hub's REST API: `--hub URL` or
 * JUPYTERHUB_API_URL (e.g. http://127.0.0.1:8081/hub/api), `--token T` or JUPYTERHUB_API_TOKEN;
 * both are set inside every user server, so the commands work from a terminal there, as
 * nbgrader's did in the seed. The hub's refusals come back as HubRequestError with its message.
 */
import { CoursehubError } from '../../util/errors.js';

export class HubRequestError extends CoursehubError {}

export interface HubOptions {
  hub?: string;
  token?: string;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HubClient {
  /** A JSON answer. */
  call<T>(method: Method, path: string, body?: unknown): Promise<T>;
  /** A text answer as it came (grades.csv). */
  callText(method: Method, path: string): Promise<string>;
}

export function hubClient(options: HubOptions, env: NodeJS.ProcessEnv = process.env): HubClient {
  const base = (options.hub ?? env.JUPYTERHUB_API_URL ?? '').replace(/\/+$/, '');
  const token = options.token ?? env.JUPYTERHUB_API_TOKEN;
  if (!base)
    throw new HubRequestError('Which hub? No --hub URL and no JUPYTERHUB_API_URL.', {
      hint: 'Give --hub http://HOST:PORT/hub/api (inside your Jupyter server it is set already).',
    });
  if (!token)
    throw new HubRequestError('No API token: no --token and no JUPYTERHUB_API_TOKEN.', {
      hint: 'Create one on the hub (Token page or `coursehub token create`) and pass it with --token.',
    });
  async function request(method: Method, path: string, body?: unknown): Promise<string> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `token ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new HubRequestError(`Cannot reach the hub at ${base}: ${(error as Error).message}`, {
        hint: 'Check --hub (or JUPYTERHUB_API_URL) and that the hub runs.',
        cause: error,
      });
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined; // not JSON (a proxy's error page): its text is shown below instead
    }
    if (!response.ok) {
      const message = (json as { message?: string } | undefined)?.message ?? text.slice(0, 300);
      throw new HubRequestError(`The hub refused (${response.status}): ${message}`);
    }
    return text;
  }
  return {
    async call<T>(method: Method, path: string, body?: unknown): Promise<T> {
      const text = await request(method, path, body);
      return (text ? JSON.parse(text) : undefined) as T;
    },
    callText: (method, path) => request(method, path),
  };
}
