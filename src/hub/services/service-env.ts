/**
 * The environment of a managed service: what JupyterHub gives one (its service spawner's
 * get_env), so that HubAuth / HubOAuth and tools such as jupyterhub-idle-culler find the hub
 * from their environment alone. Of the hub's own environment only what a program needs to run
 * is kept (JupyterHub's env_keep), never the hub's secrets.
 */
import type { HubUrls } from '../urls.js';
import type { HubService } from './service-registry.js';

const KEPT_FROM_HUB = ['PATH', 'PYTHONPATH', 'JUPYTER_PATH', 'VIRTUAL_ENV', 'LANG', 'LC_ALL', 'TZ'];

export function serviceEnv(
  service: HubService,
  hubApiUrl: string,
  urls: HubUrls,
  hubEnv: Record<string, string | undefined> = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of KEPT_FROM_HUB) {
    const value = hubEnv[key];
    if (value !== undefined) env[key] = value;
  }
  Object.assign(env, service.environment);
  const accessScopes = JSON.stringify([`access:services!service=${service.name}`]);
  Object.assign(env, {
    JUPYTERHUB_SERVICE_NAME: service.name,
    JUPYTERHUB_API_URL: hubApiUrl.replace(/\/+$/, ''),
    JUPYTERHUB_BASE_URL: urls.base,
    JUPYTERHUB_CLIENT_ID: service.oauthClientId,
    JUPYTERHUB_HOST: '',
    JUPYTERHUB_OAUTH_CALLBACK_URL: service.oauthRedirectUri,
    JUPYTERHUB_OAUTH_SCOPES: accessScopes,
    JUPYTERHUB_OAUTH_ACCESS_SCOPES: accessScopes,
    JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES: JSON.stringify(service.oauthClientAllowedScopes),
  });
  if (service.apiToken !== undefined) {
    env.JUPYTERHUB_API_TOKEN = service.apiToken;
    env.JPY_API_TOKEN = service.apiToken;
  }
  if (service.url !== undefined) {
    env.JUPYTERHUB_SERVICE_URL = service.url;
    env.JUPYTERHUB_SERVICE_PREFIX = service.prefix;
  }
  return env;
}
