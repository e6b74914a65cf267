/**
 * The login area in one call for src/app/build-hub.ts: builds ctx.auth (unless a caller, such as
 * a test, built it already), installs the session + CSRF hooks on the root instance (so every
 * area's routes get `request.session` and CSRF checks), and adds the login pages.
 * Must be registered before the other areas' routes.
 */
import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { createAuthServices } from '../../hub/auth/auth-services.js';
import { registerSessionHooks } from '../../hub/auth/session-hook.js';
import type { HubContext } from '../../hub/context.js';
import { registerLoginRoutes } from './login-routes.js';
import { registerPasswordRoutes } from './password-routes.js';

export async function registerLogin(app: FastifyInstance, ctx: HubContext): Promise<void> {
  ctx.auth ??= await createAuthServices(ctx.config, ctx.db);
  const auth = ctx.auth;
  await registerSessionHooks(app, auth.sessions);
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
  registerLoginRoutes(app, ctx, auth);
  registerPasswordRoutes(app, ctx, auth);
}
