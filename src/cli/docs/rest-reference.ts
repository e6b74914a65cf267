/**
 * docs/reference/rest-api.md, rendered from the OpenAPI document the hub serves at
 * /hub/api/openapi.json (src/hub/api/openapi.ts), so the page cannot say other than the hub does.
 */
import { JUPYTERHUB_API_VERSION } from '../../hub/api/info.js';
import { openApiDocument } from '../../hub/api/openapi.js';
import { HubUrls } from '../../hub/urls.js';

type Operation = {
  summary: string;
  'x-scopes'?: string[];
  requestBody?: { description: string };
  responses: Record<string, { description: string }>;
};

/** A list item is one line. */
function oneLine(text: string): string {
  return text.replace(/\n/g, ' ');
}

export function renderRestReference(): string {
  const doc = openApiDocument(JUPYTERHUB_API_VERSION, new HubUrls('/')) as {
    info: { title: string; version: string; description: string };
    paths: Record<string, Record<string, Operation>>;
  };
  const parts = [
    '# REST API reference',
    '',
    '<!-- Generated from src/hub/api/openapi.ts by `npm run docs:reference`; do not edit by hand. -->',
    '',
    `${doc.info.title}, JupyterHub API version ${doc.info.version}. The hub serves the same document as`,
    "JSON at `/hub/api/openapi.json`. Paths are under the hub's `hub.baseUrl`.",
    '',
    doc.info.description,
    '',
  ];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      parts.push(`## \`${method.toUpperCase()} ${path}\``, '', op.summary, '');
      if (op['x-scopes'])
        parts.push(`Scopes (any of): ${op['x-scopes'].map((s) => `\`${s}\``).join(', ')}`, '');
      if (op.requestBody) parts.push(`Body: ${op.requestBody.description}`, '');
      for (const [code, response] of Object.entries(op.responses))
        parts.push(`- **${code}**: ${oneLine(response.description)}`);
      parts.push('');
    }
  }
  return parts.join('\n');
}
