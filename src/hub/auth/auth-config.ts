/**
 * Turns the `auth` config section (plus the seed's environment variables) into a checked
 * authenticator choice. Everything that would make login impossible or unsafe stops the start
 * here, with a message naming the key to set.
 */
import type { CoursehubConfig } from '../../config/schema.js';
import { AuthConfigError } from './errors.js';
import type { GitHubAuthenticatorOptions } from './github-authenticator.js';
import type { OidcAuthenticatorOptions } from './oidc-authenticator.js';

type Env = Record<string, string | undefined>;

export type AuthChoice =
  | { kind: 'local'; adminUser: string; adminPassword: string | undefined }
  | { kind: 'dummy' }
  | { kind: 'github'; options: GitHubAuthenticatorOptions }
  | { kind: 'oidc'; options: OidcAuthenticatorOptions };

/** True for addresses only this machine can reach. '0.0.0.0', '::' and real interfaces are not. */
export function isLoopbackAddress(ip: string): boolean {
  return ip === 'localhost' || ip === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);
}

function required(value: string | undefined, key: string, envName?: string): string {
  if (value && value.trim()) return value.trim();
  throw new AuthConfigError(
    `The ${key} setting is missing${envName ? ` (environment variable ${envName})` : ''}, and the chosen authenticator needs it.`,
    {
      hint: `Set ${envName ? `${envName} or ` : ''}${key} in the config file, or choose another auth.authenticator.`,
    },
  );
}

export function resolveAuthChoice(config: CoursehubConfig, env: Env = process.env): AuthChoice {
  const auth = config.auth;
  switch (auth.authenticator) {
    case 'local':
      return {
        kind: 'local',
        adminUser: auth.local.adminUser,
        adminPassword: env.COURSEHUB_ADMIN_PASSWORD || auth.local.adminPassword,
      };
    case 'dummy':
      if (!isLoopbackAddress(config.hub.ip))
        throw new AuthConfigError(
          `The dummy authenticator lets anyone log in with any password, so it is refused while the hub listens on ${config.hub.ip}.`,
          {
            hint: 'Use hub.ip: 127.0.0.1 (or --ip 127.0.0.1) for a local demo, or choose auth.authenticator: local.',
          },
        );
      return { kind: 'dummy' };
    case 'github':
      return {
        kind: 'github',
        options: {
          clientId: required(
            auth.github.clientId ?? env.GITHUB_CLIENT_ID,
            'auth.github.clientId',
            'GITHUB_CLIENT_ID',
          ),
          clientSecret: required(
            auth.github.clientSecret ?? env.GITHUB_CLIENT_SECRET,
            'auth.github.clientSecret',
            'GITHUB_CLIENT_SECRET',
          ),
          callbackUrl: required(
            auth.github.callbackUrl ?? env.OAUTH_CALLBACK_URL,
            'auth.github.callbackUrl',
            'OAUTH_CALLBACK_URL',
          ),
          allowedOrganizations: auth.github.allowedOrganizations,
          webUrl: auth.github.webUrl,
          apiUrl: auth.github.apiUrl,
        },
      };
    case 'oidc':
      return {
        kind: 'oidc',
        options: {
          issuer: required(auth.oidc.issuer, 'auth.oidc.issuer'),
          clientId: required(auth.oidc.clientId, 'auth.oidc.clientId'),
          clientSecret: auth.oidc.clientSecret,
          callbackUrl: required(
            auth.oidc.callbackUrl ?? env.OAUTH_CALLBACK_URL,
            'auth.oidc.callbackUrl',
            'OAUTH_CALLBACK_URL',
          ),
          usernameClaim: auth.oidc.usernameClaim,
          scopes: auth.oidc.scopes,
          buttonLabel: auth.oidc.buttonLabel,
        },
      };
  }
}
