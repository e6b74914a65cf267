/**
 * The REST API under BASE/hub/api (JupyterHub-compatible). Register it after the identity hook
 * (src/hub/identity.ts), which every route relies on; src/app/build-hub.ts does both.
 *
 * Inside /hub/api every error is JSON `{"status": N, "message": "..."}`, as JupyterHub answers,
 * including unknown routes (404) and over-large bodies (413).
 */
import type { FastifyInstance } from 'fastify';
import { acceptTokenInUrl } from '../identity.js';
import { registerActivityRoute } from './activity.js';
import { toApiError } from './api-error.js';
import { registerCourseRoutes } from './courses.js';
import type { ApiDeps } from './deps.js';
import { registerGroupRoutes } from './groups.js';
import { JUPYTERHUB_API_VERSION, registerInfoRoutes } from './info.js';
import { openApiDocument } from './openapi.js';
import { registerServiceRoutes } from './services.js';
import { registerTokenRoutes } from './tokens.js';
import { registerUserRoutes } from './users.js';

export type { ServerFields, ServerFieldsProvider, ServerModel } from './user-model.js';
export type { ApiDeps } from './deps.js';
export { ApiError } from './api-error.js';
export { requireScope, requireIdentity } from './authorize.js';

export async function registerApi(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  await app.register(
    async (api) => {
      // The API's routes take `?token=` on GET and log their URLs scrubbed (see identity.ts).
      acceptTokenInUrl(api);
      api.setErrorHandler(async (error, request, reply) => {
        const known = toApiError(error);
        if (known) return reply.code(known.status).send({ status: known.status, message: known.message });
        request.log.error({ err: error }, 'API request failed');
        return reply.code(500).send({
          status: 500,
          message: 'The hub hit an unexpected error. It has been logged; try again or tell an administrator.',
        });
      });
      api.setNotFoundHandler(async (request, reply) =>
        reply
          .code(404)
          .send({ status: 404, message: `No API route ${request.method} ${request.url.split('?')[0]}.` }),
      );
      api.get('/openapi.json', async () => openApiDocument(JUPYTERHUB_API_VERSION, deps.urls));
      registerInfoRoutes(api, deps);
      registerUserRoutes(api, deps);
      registerActivityRoute(api, deps);
      registerTokenRoutes(api, deps);
      registerGroupRoutes(api, deps);
      registerCourseRoutes(api, deps);
      registerServiceRoutes(api, deps);
    },
    { prefix: deps.urls.api() },
  );
}
