/** The shape of one operation in the hand-written OpenAPI document (./openapi.ts). */
export type Op = { summary: string; scopes?: string[]; body?: string; responses: Record<string, string> };

/** The refusals every operation may answer. */
export const ERR = { '403': 'Missing credentials or scopes', '404': 'No such object' };
