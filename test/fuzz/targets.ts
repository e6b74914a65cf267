/**
 * The parsers of what users hand coursehub, each with a generator of near-valid inputs and the
 * property they must keep (issue 17, item 7): for any input the result is a valid value or a
 * CoursehubError, never another exception, and nothing on disk changes. Hangs are caught by the
 * runners (a test timeout; test/fuzz/run.ts's watchdog). Used by parsers.test.ts (a fixed seed, a
 * few hundred inputs each) and by `npm run fuzz` (100,000 each).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import YAML from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { sourceNotebookFromGenerated } from '../../src/gradebook/store-generated.js';
import { autogradeGradeSteps, autogradeSanitizeSteps } from '../../src/grading/autograde/index.js';
import { autogradeSettingsFrom } from '../../src/grading/autograde/settings.js';
import { usableNbgraderConfig } from '../../src/grading/config/check-config.js';
import { NBGRADER_CLASSES } from '../../src/grading/config/nbgrader-classes.js';
import { generateNotebook, generateSteps } from '../../src/grading/generate/index.js';
import { latePenaltyMethod } from '../../src/grading/late-penalty/index.js';
import { nbgraderSettings, readNbgraderConfig } from '../../src/grading/nbgrader-config.js';
import { collectingLog } from '../../src/grading/pipeline/step-log.js';
import { runSteps } from '../../src/grading/pipeline/step.js';
import { readCsvRows, readRosterFile } from '../../src/hub/users/roster-csv.js';
import { usernameProblem } from '../../src/hub/users/username.js';
import {
  cloneJson,
  computeChecksum,
  needsChecksum,
  parseNotebook,
  upgradeNotebookMetadata,
  validateNotebookMetadata,
  writeNotebook,
  type Notebook,
} from '../../src/notebook/index.js';
import { CoursehubError } from '../../src/util/errors.js';
import { asBytes, nearly } from './mutate.js';

export interface FuzzTarget<T> {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  /** Throws (anything but a CoursehubError) when the property does not hold. */
  check(input: T): void | Promise<void>;
}

/** A refusal is fine; anything else thrown is a crash. */
export function refusalOnly(error: unknown): void {
  if (!(error instanceof CoursehubError)) throw error;
}

/** One private folder for the inputs' files, made when first needed and reused (it is fast). */
let folder: string | undefined;

/** Removes the inputs' folder; the runners call it when they are done. */
export function removeFuzzFolder(): void {
  if (folder) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
}

/** Writes one input to its file, parses it, and fails if anything in the folder changed. */
function inFolder<R>(name: string, content: string | Uint8Array, work: (path: string) => R): R {
  folder ??= mkdtempSync(join(tmpdir(), 'coursehub-fuzz-'));
  for (const entry of readdirSync(folder)) rmSync(join(folder, entry), { recursive: true, force: true });
  const path = join(folder, name);
  writeFileSync(path, content);
  const result = work(path);
  const after = readdirSync(folder);
  if (after.length !== 1 || after[0] !== name) throw new Error(`the folder changed: ${after.join(', ')}`);
  if (!readFileSync(path).equals(Buffer.from(content))) throw new Error(`${name} was changed`);
  return result;
}

const invariant = (ok: boolean, what: string) => {
  if (!ok) throw new Error(`invalid result: ${what}`);
};

// ---------------------------------------------------------------------------------------------
// Roster CSV (src/hub/users/roster-csv.ts), as bytes: decoding is part of the parser.

const csvField = fc.oneof(
  fc.constantFrom(
    '',
    'ada',
    'Bob',
    'jdoe',
    'x@y.org',
    'Zoë',
    '名前',
    'root',
    '_svc',
    'a-b',
    'A B',
    '-x',
    '1abc',
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ maxLength: 8 }).map((s) => `"${s.replaceAll('"', '""')}"`),
  fc.constantFrom('"a,b"', '"multi\nline"', '"he said ""hi"""', '#not a comment', ' padded '),
);
const csvHeader = fc.oneof(
  fc.constant('id,first_name,last_name,email'),
  fc
    .shuffledSubarray(['id', 'first_name', 'last_name', 'email', 'extra', 'ID', 'Email'], { minLength: 1 })
    .map((c) => c.join(',')),
);
const csvText = fc
  .tuple(
    fc.constantFrom('', '\ufeff'),
    csvHeader,
    fc.array(
      fc.array(csvField, { minLength: 1, maxLength: 6 }).map((fields) => fields.join(',')),
      { maxLength: 8 },
    ),
    fc.constantFrom('\n', '\r\n'),
    fc.array(fc.constantFrom('', '# a comment', '   '), { maxLength: 2 }),
  )
  .map(([bom, header, rows, eol, extra]) => bom + [header, ...extra, ...rows].join(eol) + eol);

export const rosterTarget: FuzzTarget<Uint8Array> = {
  name: 'roster CSV',
  arbitrary: asBytes(nearly(csvText)),
  check(bytes) {
    inFolder('roster.csv', bytes, (path) => {
      try {
        const entries = readRosterFile(path);
        for (const entry of entries) {
          invariant(usernameProblem(entry.name) === undefined, `username ${JSON.stringify(entry.name)}`);
          invariant(Number.isInteger(entry.line) && entry.line > 0, 'line');
        }
        invariant(new Set(entries.map((e) => e.name)).size === entries.length, 'duplicate names');
      } catch (error) {
        refusalOnly(error);
      }
      try {
        for (const row of readCsvRows(path))
          invariant(
            row.fields.every((f) => typeof f === 'string'),
            'fields',
          );
      } catch (error) {
        refusalOnly(error);
      }
    });
  },
};

// ---------------------------------------------------------------------------------------------
// The hub configuration (src/config/load.ts), YAML or JSON.

const configValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    8000,
    0,
    -1,
    65536,
    1e16,
    1.5,
    NaN,
    'abc',
    '',
    '127.0.0.1',
    '0.0.0.0',
    'not an ip',
    true,
    null,
  ),
  fc.constantFrom(
    'sqlite:///x.db',
    'postgresql://u:p@h/db',
    'mysql://x',
    'local',
    'github',
    'dummy',
    'info',
    'trace',
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
const configSection = fc.dictionary(
  fc.constantFrom(
    'ip',
    'port',
    'hubPort',
    'dataDir',
    'url',
    'authenticator',
    'level',
    'instructors',
    'students',
    'prune',
    'baseUrl',
    'publicUrl',
    'cookieSecret',
    '__proto__',
    'constructor',
    'toString',
    'iP',
  ),
  configValue,
  { maxKeys: 4 },
);
const configObject = fc.dictionary(
  fc.constantFrom(
    'hub',
    'db',
    'users',
    'auth',
    'log',
    'spawner',
    'proxy',
    'grading',
    '__proto__',
    'constructor',
    'hubb',
  ),
  fc.oneof({ weight: 4, arbitrary: configSection }, { weight: 1, arbitrary: configValue }),
  { maxKeys: 4 },
);
const yamlText = fc.oneof(
  configObject.map((value) => YAML.stringify(value)),
  fc.constantFrom(
    'a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n',
    'hub: {port: 8000, ip: 127.0.0.1}\n',
    'hub:\n\tport: 1\n',
    'hub:\n  port: 1\nhub:\n  port: 2\n',
    '---\nhub: {}\n---\ndb: {}\n',
    '!!js/function "x"\n',
    '<<: {hub: {port: 1}}\n',
    `${'['.repeat(300)}${']'.repeat(300)}\n`,
  ),
);
const configInput = fc.oneof(
  nearly(yamlText).map((text) => ({ format: 'yaml' as const, text })),
  nearly(configObject.map((value) => JSON.stringify(value))).map((text) => ({
    format: 'json' as const,
    text,
  })),
);

export const hubConfigTarget: FuzzTarget<{ format: 'yaml' | 'json'; text: string }> = {
  name: 'hub configuration',
  arbitrary: configInput,
  check({ format, text }) {
    inFolder(`coursehub.${format}`, text, (path) => {
      try {
        const loaded = loadConfig({ file: path, env: {} });
        invariant(typeof loaded.config === 'object' && loaded.config !== null, 'config');
        invariant(Object.getPrototypeOf(loaded.config.hub) === Object.prototype, 'hub section prototype');
      } catch (error) {
        refusalOnly(error);
      }
    });
  },
};

// ---------------------------------------------------------------------------------------------
// nbgrader_config.py (src/grading/nbgrader-config.ts and src/grading/config/).

const KNOWN_KEYS = [...NBGRADER_CLASSES].flatMap(([section, options]) =>
  options.map((o) => `${section}.${o}`),
);
const pythonString = fc.oneof(
  fc
    .string({ maxLength: 10 })
    .map((s) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n')}'`),
  fc.constantFrom(
    "'a'",
    '"b"',
    "r'\\d+'",
    "'''multi\nline'''",
    '"\\x41\\u00e9\\N"',
    "u'x'",
    "b'bytes'",
    "f'{x}'",
    "'unterminated",
    '"""open',
  ),
);
const pythonLiteral: fc.Arbitrary<string> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    pythonString,
    fc.constantFrom(
      'True',
      'False',
      'None',
      '0',
      '-1',
      '30',
      '1_000',
      '0x1F',
      '0o17',
      '0b101',
      '1e3',
      '.5',
      '-0.0',
      '1e999',
      'nan',
      'os.environ',
    ),
    fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`),
    fc
      .array(tie('value'), { maxLength: 3 })
      .map((items) => `(${items.join(', ')}${items.length === 1 ? ',' : ''})`),
    fc
      .array(fc.tuple(pythonString, tie('value')), { maxLength: 3 })
      .map((pairs) => `{${pairs.map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
  ),
})).value as fc.Arbitrary<string>;
const configLine = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.constantFrom(...KNOWN_KEYS), pythonLiteral)
      .map(([key, value]) => `c.${key} = ${value}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'c = get_config()',
      '# a comment',
      'import os',
      "c.ClearSolutions.code_stub = {'__proto__': {'python': 'x'}}",
      "c.ClearSolutions.code_stubb = 'x'",
      'c.Nope.x = 1',
      'c.Execute.timeout = 60 * 5',
      "c.CourseDirectory.course_id += 'x'",
      'if True:\n    c.Exchange.root = "/x"',
      'c.Exchange.root = (\n  "/srv"\n  "/exchange"\n)',
      "c.CourseDirectory.ignore = [\n  '.ipynb_checkpoints', # a comment\n]",
      'c.X.y = \\\n  1',
    ),
  },
);
const nbgraderConfigText = fc
  .array(configLine, { maxLength: 8 })
  .map((lines) => ['c = get_config()', ...lines].join('\n') + '\n');

export const nbgraderConfigTarget: FuzzTarget<string> = {
  name: 'nbgrader_config.py',
  arbitrary: nearly(nbgraderConfigText),
  check(text) {
    const config = readNbgraderConfig(text, 'nbgrader_config.py');
    for (const problem of config.problems) invariant(problem.line >= 1, 'problem line');
    try {
      usableNbgraderConfig(config);
      const settings = nbgraderSettings(config);
      invariant(typeof settings.courseId === 'string', 'course id');
      invariant(
        Object.values(settings.clearSolutions.codeStub).every((s) => typeof s === 'string'),
        'code stubs',
      );
      invariant(settings.executeTimeout === null || settings.executeTimeout > 0, 'timeout');
      const autograde = autogradeSettingsFrom(settings);
      latePenaltyMethod(autograde.penaltyMethod);
    } catch (error) {
      refusalOnly(error);
    }
  },
};

// ---------------------------------------------------------------------------------------------
// Notebooks (src/notebook/read.ts, python-json.ts, write.ts) and nbgrader cell metadata.

const multiline = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.array(fc.string({ maxLength: 10 }), { maxLength: 4 }),
  fc.constantFrom(
    '### BEGIN SOLUTION\na = 1\n### END SOLUTION',
    '### BEGIN HIDDEN TESTS\nassert a\n### END HIDDEN TESTS',
    '=== BEGIN MARK SCHEME ===\nx\n=== END MARK SCHEME ===',
    '### BEGIN SOLUTION\nunterminated',
    '### AUTOTEST a; b',
    '### END SOLUTION',
  ),
);
const points = fc.oneof(
  fc.constantFrom(0, 1, 2.5, -1, 1e308, 'NaN', 'Infinity', '3', 'abc', null, true),
  fc.double(),
);
const nbgraderMeta = fc.record(
  {
    schema_version: fc.oneof(fc.constantFrom(3, 3, 3, 2, 1, 0, 4, '3', null)),
    grade: fc.oneof(fc.boolean(), fc.constantFrom(1, 'yes', null)),
    solution: fc.oneof(fc.boolean(), fc.constantFrom(0, '')),
    locked: fc.boolean(),
    task: fc.boolean(),
    grade_id: fc.oneof(
      fc.constantFrom('q1', 'q2', 'test_a', '__proto__', 'constructor', '', 'has space', 'a\n'),
      fc.string({ maxLength: 6 }),
    ),
    points,
    checksum: fc.oneof(fc.constant('0'.repeat(32)), fc.string({ maxLength: 34 })),
    cell_type: fc.constantFrom('code', 'markdown', 'raw', 'nope'),
    extra: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);
const output = fc.oneof(
  fc.record({
    output_type: fc.constant('stream'),
    name: fc.constantFrom('stdout', 'stderr'),
    text: multiline,
  }),
  fc.record({
    output_type: fc.constantFrom('display_data', 'execute_result'),
    data: fc.dictionary(
      fc.constantFrom('text/plain', 'image/png', 'application/json', 'text/html', '__proto__'),
      fc.oneof(multiline, fc.jsonValue({ maxDepth: 2 })),
    ),
    metadata: fc.constant({}),
    execution_count: fc.option(fc.nat()),
  }),
  fc.record({
    output_type: fc.constant('error'),
    ename: fc.string(),
    evalue: fc.string(),
    traceback: fc.array(fc.string(), { maxLength: 2 }),
  }),
);
const cell = fc.record(
  {
    cell_type: fc.constantFrom('code', 'code', 'markdown', 'raw', 'other'),
    id: fc.oneof(fc.uuid(), fc.constantFrom('a', 'b', '__proto__')),
    source: multiline,
    metadata: fc.record(
      { nbgrader: nbgraderMeta, deletable: fc.boolean(), trusted: fc.boolean() },
      { requiredKeys: [] },
    ),
    outputs: fc.array(output, { maxLength: 2 }),
    execution_count: fc.option(fc.nat()),
    attachments: fc.constant({ 'x.png': { 'image/png': ['aGk=', 'aGk='] } }),
  },
  { requiredKeys: ['cell_type', 'source', 'metadata'] },
);
const notebookValue = fc.record({
  nbformat: fc.constantFrom(4, 4, 4, 3, 5, '4'),
  nbformat_minor: fc.constantFrom(5, 4, 0, -1, 1.5),
  metadata: fc.record(
    {
      kernelspec: fc.record({
        name: fc.constantFrom('python3', 'ir', 'constructor', ''),
        display_name: fc.string(),
        language: fc.constantFrom('python', 'R', '__proto__'),
      }),
      language_info: fc.constant({ name: 'python' }),
    },
    { requiredKeys: [] },
  ),
  cells: fc.array(cell, { maxLength: 6 }),
});

/** JSON text as Python's json writes it: NaN and Infinity as bare words, 1.0 kept. */
const pythonJsonText = (value: unknown) =>
  JSON.stringify(value, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `@@${v}@@` : v))
    .replace(/"@@(NaN|Infinity|-Infinity)@@"/g, '$1')
    .replace(/"(NaN|Infinity)"/g, (_, word: string) => word);

export const notebookTarget: FuzzTarget<string> = {
  name: 'notebook JSON',
  arbitrary: nearly(
    fc.oneof(
      notebookValue.map(pythonJsonText),
      fc.constantFrom(
        `{"nbformat":4,"nbformat_minor":5,"metadata":{"x":${'['.repeat(600)}${']'.repeat(600)}},"cells":[]}`,
      ),
    ),
  ),
  check(text) {
    let notebook: Notebook;
    try {
      notebook = parseNotebook(text, { name: 'fuzz.ipynb' });
    } catch (error) {
      return refusalOnly(error);
    }
    invariant(Array.isArray(notebook.cells), 'cells');
    for (const c of notebook.cells) invariant(typeof c.source === 'string', 'source joined');
    // What is read can be written, and reads back the same.
    const written = writeNotebook(notebook);
    invariant(writeNotebook(parseNotebook(written)) === written, 'write, read, write is stable');
  },
};

const GENERATE_SETTINGS = nbgraderSettings();

export const metadataTarget: FuzzTarget<unknown> = {
  name: 'nbgrader cell metadata',
  arbitrary: notebookValue,
  async check(value) {
    let notebook: Notebook;
    try {
      notebook = parseNotebook(pythonJsonText(value), { name: 'fuzz.ipynb' });
    } catch (error) {
      return refusalOnly(error);
    }
    try {
      const validation = validateNotebookMetadata(cloneJson(notebook));
      invariant(Array.isArray(validation.warnings), 'warnings');
      for (const c of notebook.cells)
        if (needsChecksum(c)) invariant(/^[0-9a-f]{32}$/.test(computeChecksum(c)), 'checksum');
    } catch (error) {
      refusalOnly(error);
    }
    try {
      upgradeNotebookMetadata(cloneJson(notebook));
    } catch (error) {
      refusalOnly(error);
    }
    // generate, then autograde the same notebook as a submission against what generate stored.
    let generated: Awaited<ReturnType<typeof generateNotebook>>;
    try {
      generated = await generateNotebook(
        cloneJson(notebook),
        {
          notebookId: 'fuzz',
          notebookLabel: 'fuzz.ipynb',
          settings: GENERATE_SETTINGS,
          autotestsYamlFound: false,
        },
        generateSteps(),
      );
    } catch (error) {
      return refusalOnly(error);
    }
    if (!generated.record) return;
    try {
      const source = { ...sourceNotebookFromGenerated({ ...generated.record, name: 'fuzz' }), name: 'fuzz' };
      const settings = autogradeSettingsFrom(GENERATE_SETTINGS);
      const context = {
        source,
        settings,
        log: collectingLog(),
        executionMode: 'autograde' as const,
        cellTimeoutSeconds: 1,
      };
      const submission = cloneJson(notebook);
      await runSteps(submission, autogradeSanitizeSteps({ clearOutputs: false }), context);
      await runSteps(submission, autogradeGradeSteps({ execute: false }), context);
      writeNotebook(submission);
    } catch (error) {
      refusalOnly(error);
    }
  },
};

export const FUZZ_TARGETS = [
  rosterTarget,
  hubConfigTarget,
  nbgraderConfigTarget,
  notebookTarget,
  metadataTarget,
] as FuzzTarget<unknown>[];
