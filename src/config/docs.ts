/**
 * docs/configuration.md, generated from the schema (`npm run docs:config`). A test compares the
 * committed file with this output, so the documentation cannot drift from the code.
 */
import { envNameForPath, POSTGRES_ENV_VARS, SEED_ENV_VARS, UNUSED_SEED_ENV_VARS } from './env.js';
import { configSchema, serviceEntry, servicesSection } from './schema.js';
import { walkSchema, type ConfigLeaf } from './schema-walk.js';

function typeOf(leaf: ConfigLeaf): string {
  if (leaf.kind === 'enum') return (leaf.values ?? []).map((v) => `\`${v}\``).join(' \\| ');
  if (leaf.kind === 'array') return 'list';
  if (leaf.kind === 'record') return 'mapping';
  return leaf.kind;
}

function defaultOf(leaf: ConfigLeaf): string {
  if (leaf.defaultValue === undefined) return '(none)';
  return `\`${JSON.stringify(leaf.defaultValue)}\``;
}

function envOf(leaf: ConfigLeaf): string {
  const seed = Object.entries(SEED_ENV_VARS)
    .filter(([, path]) => path === leaf.path)
    .map(([name]) => name);
  if (leaf.path === 'db.url') seed.push(POSTGRES_ENV_VARS.join('/'));
  return [...seed, envNameForPath(leaf.path)].map((name) => `\`${name}\``).join(', ');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

const ROSTER_TEXT = [
  'The roster files are CSV with the header `id,first_name,last_name,email` (UTF-8, with or without',
  'a BOM; LF or CRLF; blank lines and lines starting with `#` ignored). `id` is the username: it is',
  'trimmed and lowercased, then must match',
  '',
  // Kept in step with src/hub/users/username.ts by test/config/docs.test.ts (config cannot import hub).
  '    ^[a-z_][a-z0-9_-]{0,31}$',
  '',
  'that is, 1 to 32 characters: a lowercase letter or `_` first, then lowercase letters, digits, `_`',
  'or `-`, since usernames become Unix account names. A file with a bad row',
  '(missing column, missing or duplicate id, invalid username, invalid UTF-8) is refused with file,',
  'line and reason, and nothing of it is applied. So are both files when an id is in both (naming',
  'both lines), and an id that is a system account (`root`, `nobody`, the grader account) or a Unix',
  'account coursehub did not create. A prune that would remove more than a tenth of the instructors',
  'or of the students (a file with only its header removes them all) is refused, naming them, until',
  'it is confirmed. `coursehub users import --instructors F --students F [--prune [--yes]]` does the',
  'same import by hand; `--yes` confirms such a prune.',
  '',
];

export function renderConfigDocs(): string {
  const { leaves, branches } = walkSchema(configSchema);
  const sections = branches.filter((branch) => !branch.path.includes('.'));
  const out: string[] = [
    '# Configuration',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs:config`; do not edit by hand. -->',
    '',
    'coursehub reads one configuration file, YAML (`.yaml`, `.yml`) or JSON (`.json`), given with',
    '`coursehub start --config FILE` (or the `COURSEHUB_CONFIG` environment variable). Every key is',
    'optional; the defaults below run a hub on <http://127.0.0.1:8000> with SQLite in `./data`.',
    '',
    'Precedence, lowest first: defaults, the file, environment variables, command-line options',
    '(`--port`, `--ip`, `--data-dir`, `--authenticator`). Relative paths in `hub.dataDir`,',
    '`users.instructors` and `users.students` are relative to the config file.',
    '',
    'An unknown key, a value of the wrong type or a missing secret stops the start with a message',
    'naming the key (as a dotted path such as `hub.port`). Every key has an environment variable:',
    "`COURSEHUB_` followed by its path in UPPER_SNAKE case. The seed deployment's variables",
    `(${Object.keys(SEED_ENV_VARS)
      .filter((name) => !name.startsWith('COURSEHUB_') && name !== 'JPY_COOKIE_SECRET')
      .map((name) => `\`${name}\``)
      .join(', ')},`,
    `${POSTGRES_ENV_VARS.map((name) => `\`${name}\``).join(', ')}) keep working${
      Object.keys(UNUSED_SEED_ENV_VARS).length === 0
        ? '.'
        : `; those for what this version does not do yet (${Object.keys(UNUSED_SEED_ENV_VARS)
            .map((name) => `\`${name}\``)
            .join(', ')}) are ignored with a warning at start.`
    } Lists in environment`,
    'variables are comma-separated (or a JSON array); mappings are JSON objects.',
    '',
    'With `POSTGRES_DB` or `POSTGRES_PASSWORD` set (and no `DATABASE_URL`), `db.url` becomes',
    '`postgresql://POSTGRES_USER:POSTGRES_PASSWORD@POSTGRES_HOST:POSTGRES_PORT/POSTGRES_DB`, with the',
    "official postgres image's defaults (`postgres`, `localhost`, `5432`).",
    '',
    'The cookie secret is generated on first start into `DATA_DIR/cookie_secret` (mode 600) unless',
    '`hub.cookieSecret` is given; a secret file that other users can read stops the start.',
    '',
  ];
  for (const section of sections) {
    out.push(`## \`${section.path}\``, '');
    if (section.description) out.push(section.description, '');
    if (section.path === 'users') out.push(...ROSTER_TEXT);
    out.push('| key | type | default | environment | description |', '|---|---|---|---|---|');
    for (const leaf of leaves.filter((l) => l.path.startsWith(`${section.path}.`))) {
      out.push(
        `| \`${leaf.path}\` | ${typeOf(leaf)} | ${cell(defaultOf(leaf))} | ${envOf(leaf)} | ${cell(leaf.description ?? '')} |`,
      );
    }
    out.push('');
  }
  out.push(...servicesDocs());
  return out.join('\n');
}

/** `services` is a list, not a section: one table of the keys each entry takes. */
function servicesDocs(): string[] {
  const out = ['## `services`', '', servicesSection.description ?? '', ''];
  out.push(
    'Give the list in the configuration file (or as a JSON array in `COURSEHUB_SERVICES`). Each entry:',
    '',
    '| key | type | default | description |',
    '|---|---|---|---|',
  );
  for (const leaf of walkSchema(serviceEntry).leaves)
    out.push(
      `| \`${leaf.path}\` | ${typeOf(leaf)} | ${cell(defaultOf(leaf))} | ${cell(leaf.description ?? '')} |`,
    );
  out.push('');
  return out;
}
