/**
 * The proxy's routes to services: BASE/services/NAME/ -> the service's url, for every service
 * with one, as JupyterHub adds them. The route carries `service: NAME` and no `user`, so the
 * proxy lets every request through: a service checks its callers itself (HubAuth / HubOAuth),
 * as behind JupyterHub's proxy. Put back whenever the proxy was (re)started.
 */
import type { RouteDescription } from '../proxy/route-table.js';
import type { ServiceRegistry } from './service-registry.js';

export interface ServiceRouteProxy {
  addRoute(routespec: string, target: string, data?: Record<string, unknown>): Promise<void>;
  getRoutes(): Promise<Record<string, RouteDescription>>;
}

/** Adds each service's route the proxy lacks (or has with another target); returns those added. */
export async function syncServiceRoutes(
  proxy: ServiceRouteProxy,
  registry: ServiceRegistry,
): Promise<string[]> {
  const present = await proxy.getRoutes();
  const added: string[] = [];
  for (const service of registry.list()) {
    if (service.url === undefined) continue;
    const current = present[service.prefix.replace(/\/$/, '')];
    const target = new URL(service.url).href.replace(/\/$/, '');
    if (current?.target === target && current.service === service.name) continue;
    await proxy.addRoute(service.prefix, service.url, { service: service.name });
    added.push(service.prefix);
  }
  return added;
}
