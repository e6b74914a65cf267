/**
 * Loads the configuration: defaults < config file (YAML or JSON) < environment variables <
 * command-line options, validated with the schema. Anything wrong stops the start with a
 * ConfigError that names each bad key as a dotted path, where its value came from, and what to do.
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { envNameForPath, readEnv, UNUSED_SEED_ENV_VARS, type EnvValue } from './env.js';
import { ConfigError } from './errors.js';
import { configSchema, MOVED_KEYS, type CoursehubConfig } from './schema.js';
import { walkSchema, type ConfigLeaf } from './schema-walk.js';
import { setOwn } from '../util/own-keys.js';

type Env = Record<string, string | undefined>;
type Tree = Record<string, unknown>;

export interface LoadConfigOptions {
  /** Path of the YAML (.yaml/.yml) or JSON (.json) config file; none means defaults + env. */
  file?: string;
  env?: Env;
  /** Command-line values by dotted path (e.g. `{ 'hub.port': 9000 }`); they win over everything. */
  overrides?: Record<string, unknown>;
}

export interface LoadedConfig {
  config: CoursehubConfig;
  /** Absolute path of the file read, if any. */
  file: string | undefined;
  /**
   * Things worth logging that do not stop the start: unknown COURSEHUB_* variables, and the
   * seed's variables this version does not use yet.
   */
  warnings: string[];
}

/** Keys holding host paths: a relative path in the file is relative to the file, not the cwd. */
const FILE_RELATIVE_PATHS = [
  'hub.dataDir',
  'users.instructors',
  'users.students',
  'https.certFile',
  'https.keyFile',
];

const DOCS_HINT = 'docs/configuration.md lists every key with its type, default and environment variable.';

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const { leaves } = walkSchema(configSchema);
  const file = options.file === undefined ? undefined : resolve(options.file);
  const tree: Tree = file ? readConfigFile(file) : {};
  if (file) resolveFileRelativePaths(tree, dirname(file));

  const sources = new Map<string, string>();
  const reading = readEnv(options.env ?? process.env, leaves);
  refuseMovedEnvVars(reading.unknown);
  const leafByPath = new Map(leaves.map((leaf) => [leaf.path, leaf]));
  for (const value of reading.values) {
    setPath(tree, value.path, convertEnvValue(value, leafByPath.get(value.path)));
    sources.set(value.path, `environment variable ${value.source}`);
  }
  for (const [path, value] of Object.entries(options.overrides ?? {})) {
    if (value === undefined) continue;
    setPath(tree, path, value);
    sources.set(path, 'command line');
  }

  const result = configSchema.safeParse(tree);
  if (!result.success) throw invalidConfig(result.error.issues, file, sources, leaves);
  const warnings = [
    ...reading.unknown.map(
      (name) => `Environment variable ${name} names no configuration key; it is ignored. ${DOCS_HINT}`,
    ),
    ...reading.unused.map(
      (name) =>
        `Environment variable ${name} (${UNUSED_SEED_ENV_VARS[name]}) is not used yet by this version of coursehub; it is ignored.`,
    ),
  ];
  return { config: result.data, file, warnings };
}

function readConfigFile(file: string): Tree {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read the config file ${file}: ${(error as Error).message}`, {
      hint: 'Check the path given to --config (or COURSEHUB_CONFIG).',
      cause: error,
    });
  }
  const extension = extname(file).toLowerCase();
  let parsed: unknown;
  if (extension === '.json') {
    try {
      parsed = text.trim() === '' ? {} : JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`The config file ${file} is not valid JSON: ${(error as Error).message}`, {
        hint: 'Fix the syntax (a YAML file must end in .yaml or .yml).',
        cause: error,
      });
    }
  } else if (extension === '.yaml' || extension === '.yml') {
    parsed = parseYaml(text, file);
  } else {
    throw new ConfigError(`The config file ${file} must end in .yaml, .yml or .json.`, {
      hint: 'Rename it so its format is clear.',
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`The config file ${file} must hold a mapping of sections (hub:, db:, ...).`, {
      hint: DOCS_HINT,
    });
  }
  return withoutNulls(parsed as Tree);
}

/** How deeply a YAML file may nest brackets: a configuration needs a handful of levels. */
const MAX_YAML_NESTING = 100;
/** Aliases a YAML file may expand; more is an "alias bomb", not a configuration. */
const MAX_YAML_ALIASES = 100;

/**
 * The deepest nesting of flow collections ([...] and {...}) outside quotes and comments. The
 * yaml library parses them recursively, and a file nested thousands deep overflows its stack
 * (and, the second time in one process, runs V8's regular-expression compiler out of memory), so
 * such a file is refused before it is parsed.
 */
function flowNesting(text: string): number {
  let depth = 0;
  let deepest = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '[' || c === '{') deepest = Math.max(deepest, ++depth);
    else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return deepest;
}

function parseYaml(text: string, file: string): unknown {
  const invalid = (
    why: string,
    hint = 'Fix the syntax at that line (indentation with spaces, `key: value`).',
  ) => new ConfigError(`The config file ${file} is not valid YAML: ${why}`, { hint });
  if (flowNesting(text) > MAX_YAML_NESTING)
    throw invalid(
      `brackets are nested more than ${MAX_YAML_NESTING} levels deep.`,
      'A configuration needs only a few levels.',
    );
  const document = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = document.errors[0];
  if (first) throw invalid(first.message);
  try {
    return document.toJS({ maxAliasCount: MAX_YAML_ALIASES }) ?? {};
  } catch (error) {
    // The yaml library's guard against alias bombs (a ReferenceError), and any other value it
    // cannot build: the file is refused by name either way.
    throw invalid(
      /alias/i.test((error as Error).message)
        ? `its aliases (*name) expand to too much (more than ${MAX_YAML_ALIASES} uses of an alias).`
        : (error as Error).message,
      'Write the values out instead of repeating them through anchors (&name) and aliases (*name).',
    );
  }
}

/**
 * A key written with no value (`db:` followed only by comments) means "use the default", as a
 * reader of the file expects, rather than a type error about null. Keys stay plain keys: a
 * "__proto__" in the file is a (refused) key, never the prototype of a section.
 */
function withoutNulls(tree: Tree): Tree {
  const out: Tree = {};
  for (const [key, value] of Object.entries(tree)) {
    if (value === null) continue;
    setOwn(
      out,
      key,
      typeof value === 'object' && !Array.isArray(value) ? withoutNulls(value as Tree) : value,
    );
  }
  return out;
}

function resolveFileRelativePaths(tree: Tree, base: string): void {
  for (const path of FILE_RELATIVE_PATHS) {
    const value = getPath(tree, path);
    if (typeof value === 'string' && value !== '' && !isAbsolute(value))
      setPath(tree, path, resolve(base, value));
  }
}

function convertEnvValue(value: EnvValue, leaf: ConfigLeaf | undefined): unknown {
  const fail = (expected: string): never => {
    throw new ConfigError(
      `${value.source} sets ${value.path} to "${value.raw}", but ${value.path} needs ${expected}.`,
      {
        hint: `Fix or unset ${value.source}. ${DOCS_HINT}`,
      },
    );
  };
  switch (leaf?.kind) {
    case 'number': {
      const number = Number(value.raw);
      return value.raw.trim() === '' || Number.isNaN(number) ? fail('a number') : number;
    }
    case 'boolean': {
      const lowered = value.raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(lowered)) return true;
      if (['0', 'false', 'no', 'off'].includes(lowered)) return false;
      return fail('true or false');
    }
    case 'array':
      if (value.raw.trim().startsWith('['))
        return parseJson(value.raw) ?? fail('a JSON array or a comma-separated list');
      return value.raw
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
    case 'record':
      return parseJson(value.raw) ?? fail('a JSON object');
    default:
      return value.raw;
  }
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined; // the caller says what the variable needs
  }
}

function invalidConfig(
  issues: z.core.$ZodIssue[],
  file: string | undefined,
  sources: Map<string, string>,
  leaves: ConfigLeaf[],
): ConfigError {
  const known = leaves.map((leaf) => leaf.path);
  const lines = issues.flatMap((issue) => {
    const parent = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const path = parent ? `${parent}.${key}` : key;
        const moved = MOVED_KEYS[path];
        if (moved) return `${path} has moved: it is now ${moved}`;
        const suggestion = closest(path, known);
        return `unknown key ${path}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`;
      });
    }
    const source = sources.get(parent);
    return [`${parent || '(top level)'}: ${issue.message}${source ? ` (set by ${source})` : ''}`];
  });
  const where = file ? `the config file ${file}` : 'the configuration';
  return new ConfigError(`Invalid configuration in ${where}:\n  - ${lines.join('\n  - ')}`, {
    hint: `Fix or remove each key named above. ${DOCS_HINT}`,
  });
}

/** An environment variable of a key that moved sets nothing now: say where the key went. */
function refuseMovedEnvVars(unknown: string[]): void {
  const moved = Object.entries(MOVED_KEYS).filter(([from]) => unknown.includes(envNameForPath(from)));
  if (moved.length === 0) return;
  const lines = moved.map(
    ([from, to]) =>
      `${envNameForPath(from)} sets ${from}, which has moved: use ${envNameForPath(to)} (${to})`,
  );
  throw new ConfigError(`Invalid configuration in the environment:\n  - ${lines.join('\n  - ')}`, {
    hint: `Rename each variable named above. ${DOCS_HINT}`,
  });
}

/** The known key nearest to a misspelt one (same section, at most 2 edits), for "did you mean". */
function closest(path: string, known: string[]): string | undefined {
  let best: { path: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(path, candidate);
    if (distance <= 2 && (!best || distance < best.distance)) best = { path: candidate, distance };
  }
  return best?.path;
}

// Levenshtein distance; a dozen lines are simpler than a dependency for one "did you mean".
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function getPath(tree: Tree, path: string): unknown {
  let node: unknown = tree;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Tree)[key];
  }
  return node;
}

function setPath(tree: Tree, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Tree;
  }
  node[keys[keys.length - 1] as string] = value;
}
