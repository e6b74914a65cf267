/**
 * The files every hub page loads: the stylesheet (./stylesheet.ts). Pages' scripts are served by
 * their own areas (the home page's by ./home/register.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { HubUrls } from '../hub/urls.js';
import { STYLESHEET, STYLESHEET_PATH } from './stylesheet.js';

export function registerAssets(app: FastifyInstance, urls: HubUrls): void {
  app.get(urls.hub(STYLESHEET_PATH), async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(STYLESHEET),
  );
}
