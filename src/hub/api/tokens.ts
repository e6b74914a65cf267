/**
 * /hub/api/users/{name}/tokens: list, create (the secret is in the reply once, never again),
 * read and revoke a user's API tokens, as JupyterHub's API.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ROLES } from '../scopes.js';
import { expiresInProblem, type TokenRecord } from '../tokens/index.js';
import { parseUsername } from '../users/username.js';
import { ApiError } from './api-error.js';
import { requireScope } from './authorize.js';
import { objectBody, optionalString, stringList } from './body.js';
import type { ApiDeps } from './deps.js';

type NameParams = { Params: { name: string } };
type TokenParams = { Params: { name: string; id: string } };

/** JupyterHub's token model. Ids are shown as `a<N>` as JupyterHub does for API tokens. */
export function tokenModel(record: TokenRecord): Record<string, unknown> {
  return {
    kind: 'api_token',
    id: `a${record.id}`,
    user: record.owner.name,
    note: record.note,
    scopes: record.scopes,
    roles: [],
    prefix: record.prefix,
    created: record.created,
    expires_at: record.expiresAt,
    last_activity: record.lastActivity,
    // The login an OAuth token was issued under (JupyterHub 2+), else null.
    session_id: record.sessionId ?? null,
    service: null,
  };
}

/** Token ids are database `integer`s: a larger number names no token (and would fail the query). */
const MAX_TOKEN_ID = 2_147_483_647;

/** Accepts `a12` (JupyterHub's form) or `12`. */
function parseTokenId(raw: string): number {
  const match = /^a?(\d{1,10})$/.exec(raw);
  const id = match ? Number(match[1]) : Number.NaN;
  if (!(id <= MAX_TOKEN_ID)) throw new ApiError(404, `No such token: ${raw}.`);
  return id;
}

export function registerTokenRoutes(api: FastifyInstance, deps: ApiDeps): void {
  const { users, tokens } = deps;

  async function owner(request: FastifyRequest, rawName: string, scope: string) {
    const name = parseUsername(rawName);
    const user = await users.get(name);
    requireScope(request, scope, { user: name, userGroups: user?.groups ?? [] });
    if (!user) throw new ApiError(404, `No such user: ${name}.`);
    return user;
  }

  api.get<NameParams>('/users/:name/tokens', async (request) => {
    const user = await owner(request, request.params.name, 'read:tokens');
    return { api_tokens: (await tokens.list(user.name)).map(tokenModel) };
  });

  api.post<NameParams>('/users/:name/tokens', async (request, reply) => {
    const user = await owner(request, request.params.name, 'tokens');
    const identity = request.identity!;
    const body = objectBody(request.body, true);
    const roles = stringList(body.roles, 'roles', true);
    // Own keys only: "constructor" or "__proto__" are not roles because ROLES is an object.
    const unknownRole = roles.find((r) => !Object.hasOwn(ROLES, r));
    if (unknownRole)
      throw new ApiError(
        400,
        `Unknown role "${unknownRole}"; known roles: ${Object.keys(ROLES).join(', ')}.`,
      );
    const scopes = [...stringList(body.scopes, 'scopes', true), ...roles.flatMap((r) => ROLES[r]!)];
    const expiresIn = body.expires_in;
    const expiryProblem = expiresInProblem(expiresIn);
    if (expiryProblem) throw new ApiError(400, expiryProblem);
    const requested =
      identity.user.name === user.name
        ? 'Requested via api'
        : `Requested via api by user ${identity.user.name}`;
    const { token, record } = await tokens.create({
      user: user.name,
      note: optionalString(body.note, 'note') ?? requested,
      scopes: scopes.length > 0 ? scopes : undefined,
      expiresInSeconds: expiresIn as number | null | undefined,
      requesterScopes: identity.scopes,
    });
    request.log.info({ by: identity.user.name, user: user.name, token: record.id }, 'created API token');
    return reply.code(201).send({ ...tokenModel(record), token });
  });

  api.get<TokenParams>('/users/:name/tokens/:id', async (request) => {
    const user = await owner(request, request.params.name, 'read:tokens');
    const record = await tokens.get(user.name, parseTokenId(request.params.id));
    if (!record) throw new ApiError(404, `No such token: ${request.params.id}.`);
    return tokenModel(record);
  });

  api.delete<TokenParams>('/users/:name/tokens/:id', async (request, reply) => {
    const user = await owner(request, request.params.name, 'tokens');
    if (!(await tokens.revoke(user.name, parseTokenId(request.params.id))))
      throw new ApiError(404, `No such token: ${request.params.id}.`);
    // The proxy caches logins for a short while: make it forget this user's, so the revoked token
    // stops opening the user's server now. (Best effort: the cache expires on its own anyway.)
    await deps.forgetCachedLogins(user.name).catch((error: unknown) => {
      request.log.warn({ err: error }, 'could not tell the proxy about a revoked token');
    });
    request.log.info(
      { by: request.identity!.user.name, user: user.name, token: request.params.id },
      'revoked API token',
    );
    return reply.code(204).send();
  });
}
