/**
 * The login area in one call for src/app/build-hub.ts: installs the session + CSRF hooks on the
 * root instance (so every area's routes get `request.session` and CSRF checks), and adds the
 * login pages. The auth services themselves are built by the composition root (src/app/).
 * Must be registered before the other areas' routes.
 */
import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { registerSessionHooks } from '../../hub/auth/session-hook.js';
import type { LoginDeps } from './deps.js';
import { registerLoginRoutes } from './login-routes.js';
import { registerPasswordRoutes } from './password-routes.js';

export type { LoginDeps } from './deps.js';

export async function registerLogin(app: FastifyInstance, deps: LoginDeps): Promise<void> {
  const { auth } = deps;
  await registerSessionHooks(app, auth.sessions, { apiPrefix: deps.urls.api() });
  // Forms post application/x-www-form-urlencoded; other areas' forms share this parser.
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(fastifyFormbody);
  // resolve() already refuses expired sessions; this only keeps the table from growing.
  const purge = setInterval(
    () =>
      void auth.sessions
        .purgeExpired()
        .catch((err: unknown) => app.log.warn({ err }, 'session purge failed')),
    60 * 60 * 1000,
  );
  purge.unref();
  app.addHook('onClose', async () => clearInterval(purge));
  registerLoginRoutes(app, deps);
  registerPasswordRoutes(app, deps);
}
