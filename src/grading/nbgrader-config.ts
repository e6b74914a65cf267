/**
 * Settings from a course's `nbgrader_config.py`, read without executing it: only literal
 * assignments `c.Section.key = <literal>` count; every other line is reported with its number and
 * ignored. `nbgraderSettings` turns the assignments into typed settings with nbgrader's defaults.
 */
import type { JsonValue } from '../notebook/index.js';
import { CoursehubError } from '../util/errors.js';
import { PythonLiteralError, PythonLiteralReader } from './config/python-literal.js';

export class NbgraderConfigError extends CoursehubError {}

export interface ConfigProblem {
  line: number;
  text: string;
  reason: string;
  /** "Section.key" when the line assigns one (its value could not be read). */
  key?: string;
  /** True when Python itself would refuse the line (an unterminated string). */
  syntaxError?: boolean;
}

export interface ConfigAssignment {
  value: JsonValue;
  line: number;
}

export interface NbgraderConfigFile {
  /** "Section.key" -> the last literal assigned to it. */
  assignments: Map<string, ConfigAssignment>;
  /** Lines that were not literal assignments, ignored (never executed). */
  problems: ConfigProblem[];
  /** Where the settings came from, for messages. */
  source: string;
}

const ASSIGNMENT = /^c\.([A-Za-z_]\w*)\.([A-Za-z_]\w*)[ \t]*=(?!=)/;
const GET_CONFIG = /^c[ \t]*=[ \t]*get_config\(\)[ \t]*(#.*)?$/;

/** Reads the literal assignments of an nbgrader_config.py text. Never throws for odd lines. */
export function readNbgraderConfig(text: string, source = 'nbgrader_config.py'): NbgraderConfigFile {
  const assignments = new Map<string, ConfigAssignment>();
  const problems: ConfigProblem[] = [];
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (offset: number) => {
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= offset) line++;
    return line + 1;
  };
  let pos = 0;
  while (pos < text.length) {
    const end = text.indexOf('\n', pos) === -1 ? text.length : text.indexOf('\n', pos);
    const line = text.slice(pos, end).replace(/\r$/, '');
    const trimmed = line.trim();
    const lineNumber = lineOf(pos);
    const next = end + 1;
    if (trimmed === '' || trimmed.startsWith('#') || GET_CONFIG.test(trimmed)) {
      pos = next;
      continue;
    }
    const match = ASSIGNMENT.exec(line);
    if (!match) {
      problems.push({
        line: lineNumber,
        text: trimmed,
        reason: 'not a literal assignment c.Section.key = value',
      });
      pos = next;
      continue;
    }
    const reader = new PythonLiteralReader(text, pos + match[0].length);
    try {
      const value = reader.value();
      reader.skipSpace(false);
      if (text[reader.pos] === '#')
        while (reader.pos < text.length && text[reader.pos] !== '\n') reader.pos++;
      if (reader.pos < text.length && text[reader.pos] !== '\n' && text[reader.pos] !== '\r')
        throw new PythonLiteralError('only a literal value may follow =', reader.pos);
      assignments.set(`${match[1]}.${match[2]}`, { value, line: lineNumber });
      pos = text.indexOf('\n', reader.pos) === -1 ? text.length : text.indexOf('\n', reader.pos) + 1;
    } catch (error) {
      if (!(error instanceof PythonLiteralError)) throw error;
      problems.push({
        line: lineNumber,
        text: trimmed,
        reason: `not a literal value (${error.message})`,
        key: `${match[1]}.${match[2]}`,
        ...(error.syntaxError ? { syntaxError: true } : {}),
      });
      pos = next;
    }
  }
  return { assignments, problems, source };
}

/** Applies a command-line override such as `--Execute.timeout=2` (value read as a Python literal, else as text). */
export function applyConfigOverride(config: NbgraderConfigFile, key: string, valueText: string): void {
  let value: JsonValue = valueText;
  try {
    const reader = new PythonLiteralReader(valueText);
    const parsed = reader.value();
    reader.skipSpace(false);
    if (reader.pos === valueText.length) value = parsed;
  } catch {
    // Not a literal: nbgrader (traitlets) takes the text as a string, and so does coursehub.
  }
  config.assignments.set(key, { value, line: 0 });
}

export interface ClearSolutionsSettings {
  /** Stub per kernel language that replaces code solutions. */
  codeStub: Record<string, string>;
  textStub: string;
  beginSolutionDelimiter: string;
  endSolutionDelimiter: string;
  enforceMetadata: boolean;
}

export interface RegionSettings {
  beginDelimiter: string;
  endDelimiter: string;
  enforceMetadata: boolean;
}

export interface NbgraderSettings {
  courseId: string;
  includeHeaderFooter: { header: string; footer: string };
  clearSolutions: ClearSolutionsSettings;
  clearHiddenTests: RegionSettings;
  clearMarkScheme: RegionSettings & { checkAttachmentLeakage: boolean };
  lockCells: {
    lockSolutionCells: boolean;
    lockGradeCells: boolean;
    lockReadonlyCells: boolean;
    lockAllCells: boolean;
  };
  /**
   * Seconds per cell (Execute.timeout, else ExecutePreprocessor.timeout); null means no limit,
   * which None, 0 and negative values mean (nbclient: "None or -1 will disable the timeout").
   */
  executeTimeout: number | null;
  latePenaltyMethod: string;
  /** Assignment -> files autograde must not overwrite with the instructor's copy. */
  excludeOverwriting: Record<string, string[]>;
  addMissingCells: boolean;
  ignorePattern: { enabled: boolean; pattern: string };
  limitOutput: { maxLines: number; maxTraceback: number };
  ignoreChecksums: boolean;
  validateAll: boolean;
  /** coursehub's own GenerateFeedback.show_hidden_tests (default False: hidden tests are removed). */
  generateFeedback: { showHiddenTests: boolean };
  /** The course directory's layout and file rules (CourseDirectory.*). */
  courseDirectory: CourseDirectorySettings;
}

/**
 * nbgrader's CourseDirectory settings that coursehub reads: where each step's folders are and
 * which files are left out. The course directory itself (nbgrader's `root`) is the folder holding
 * nbgrader_config.py and the gradebook (--course-dir), so `CourseDirectory.root` is not read.
 */
export interface CourseDirectorySettings {
  /** Python format string with {nbgrader_step}, {student_id} and {assignment_id}. */
  directoryStructure: string;
  sourceDirectory: string;
  releaseDirectory: string;
  sourceWithTestsDirectory: string;
  submittedDirectory: string;
  autogradedDirectory: string;
  feedbackDirectory: string;
  solutionDirectory: string;
  /** File glob of the students to work on ('*': everyone). */
  studentId: string;
  /** File glob of the notebooks to work on, without `.ipynb` ('*': every notebook). */
  notebookId: string;
  /** Names (file globs) never copied: matched against each file's and folder's own name. */
  ignore: string[];
  /** Names (file globs) of the files the exchange copies (CourseDirectory.include). */
  include: string[];
  /** Larger files (kilobytes of 1000 bytes) are not copied by the exchange; 0: no limit. */
  maxFileSize: number;
}

/** nbgrader 0.9.5's CourseDirectory defaults. */
export const DEFAULT_COURSE_DIRECTORY: Readonly<CourseDirectorySettings> = {
  directoryStructure: '{nbgrader_step}/{student_id}/{assignment_id}',
  sourceDirectory: 'source',
  releaseDirectory: 'release',
  sourceWithTestsDirectory: 'source_with_tests',
  submittedDirectory: 'submitted',
  autogradedDirectory: 'autograded',
  feedbackDirectory: 'feedback',
  solutionDirectory: 'solution',
  studentId: '*',
  notebookId: '*',
  ignore: ['.ipynb_checkpoints', '*.pyc', '__pycache__', 'feedback'],
  include: ['*'],
  maxFileSize: 100000,
};

export const DEFAULT_CODE_STUBS: Readonly<Record<string, string>> = {
  python: '# YOUR CODE HERE\nraise NotImplementedError()',
  R: '# YOUR CODE HERE\nfail()',
  matlab: "% YOUR CODE HERE\nerror('No Answer Given!')",
  octave: "% YOUR CODE HERE\nerror('No Answer Given!')",
  sas: '/* YOUR CODE HERE */\n %notImplemented;',
  java: '// YOUR CODE HERE',
};

/** Typed settings with nbgrader 0.9.5's defaults for whatever the file does not set. */
export function nbgraderSettings(config?: NbgraderConfigFile): NbgraderSettings {
  const get = (key: string) => config?.assignments.get(key);
  const wrongType = (key: string, expected: string) => {
    const at = get(key)!;
    const where = at.line > 0 ? `${config!.source} line ${at.line}` : 'the command line';
    return new NbgraderConfigError(`${key} must be ${expected} (${where})`, {
      hint: `Fix the value of c.${key} in ${config!.source}.`,
    });
  };
  const str = (key: string, fallback: string): string => {
    const v = get(key)?.value;
    if (v === undefined) return fallback;
    if (typeof v !== 'string') throw wrongType(key, 'a string');
    return v;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = get(key)?.value;
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') throw wrongType(key, 'True or False');
    return v;
  };
  const int = (key: string, fallback: number): number => {
    const v = get(key)?.value;
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw wrongType(key, 'an integer');
    return v;
  };
  const stringList = (key: string, fallback: string[]): string[] => {
    const v = get(key)?.value;
    if (v === undefined) return fallback;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
      throw wrongType(key, 'a list of strings');
    return v as string[];
  };
  const codeStub = (): Record<string, string> => {
    const v = get('ClearSolutions.code_stub')?.value;
    if (v === undefined) return { ...DEFAULT_CODE_STUBS };
    // Old nbgrader configs give one string; nbgrader still accepts it as the python stub.
    if (typeof v === 'string') return { python: v };
    if (
      typeof v !== 'object' ||
      v === null ||
      Array.isArray(v) ||
      !Object.values(v).every((x) => typeof x === 'string')
    )
      throw wrongType(
        'ClearSolutions.code_stub',
        "a dict of language -> stub, like {'python': '# YOUR CODE HERE'}",
      );
    return v as Record<string, string>;
  };
  const timeout = (): number | null => {
    for (const key of ['Execute.timeout', 'ExecutePreprocessor.timeout']) {
      const at = get(key);
      if (at === undefined) continue;
      if (at.value === null) return null;
      if (typeof at.value !== 'number' || Number.isNaN(at.value))
        throw wrongType(key, 'a number of seconds or None');
      return at.value > 0 ? at.value : null;
    }
    return 30;
  };
  const excludeOverwriting = (): Record<string, string[]> => {
    const v = get('Autograde.exclude_overwriting')?.value;
    if (v === undefined) return {};
    const valid =
      typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v) &&
      Object.values(v).every((files) => Array.isArray(files) && files.every((f) => typeof f === 'string'));
    if (!valid)
      throw wrongType('Autograde.exclude_overwriting', 'a dict of assignment -> list of file names');
    return v as Record<string, string[]>;
  };
  const courseDirectory = (): CourseDirectorySettings => {
    const d = DEFAULT_COURSE_DIRECTORY;
    // nbgrader strips whitespace around these ids (with a warning).
    const id = (key: string, fallback: string) => str(key, fallback).trim();
    return {
      directoryStructure: str('CourseDirectory.directory_structure', d.directoryStructure),
      sourceDirectory: str('CourseDirectory.source_directory', d.sourceDirectory),
      releaseDirectory: str('CourseDirectory.release_directory', d.releaseDirectory),
      sourceWithTestsDirectory: str(
        'CourseDirectory.source_with_tests_directory',
        d.sourceWithTestsDirectory,
      ),
      submittedDirectory: str('CourseDirectory.submitted_directory', d.submittedDirectory),
      autogradedDirectory: str('CourseDirectory.autograded_directory', d.autogradedDirectory),
      feedbackDirectory: str('CourseDirectory.feedback_directory', d.feedbackDirectory),
      solutionDirectory: str('CourseDirectory.solution_directory', d.solutionDirectory),
      studentId: id('CourseDirectory.student_id', d.studentId),
      notebookId: id('CourseDirectory.notebook_id', d.notebookId),
      ignore: stringList('CourseDirectory.ignore', [...d.ignore]),
      include: stringList('CourseDirectory.include', [...d.include]),
      maxFileSize: int('CourseDirectory.max_file_size', d.maxFileSize),
    };
  };
  return {
    courseId: str('CourseDirectory.course_id', ''),
    includeHeaderFooter: {
      header: str('IncludeHeaderFooter.header', ''),
      footer: str('IncludeHeaderFooter.footer', ''),
    },
    clearSolutions: {
      codeStub: codeStub(),
      textStub: str('ClearSolutions.text_stub', 'YOUR ANSWER HERE'),
      beginSolutionDelimiter: str('ClearSolutions.begin_solution_delimeter', 'BEGIN SOLUTION'),
      endSolutionDelimiter: str('ClearSolutions.end_solution_delimeter', 'END SOLUTION'),
      enforceMetadata: bool('ClearSolutions.enforce_metadata', true),
    },
    clearHiddenTests: {
      beginDelimiter: str('ClearHiddenTests.begin_test_delimeter', 'BEGIN HIDDEN TESTS'),
      endDelimiter: str('ClearHiddenTests.end_test_delimeter', 'END HIDDEN TESTS'),
      enforceMetadata: bool('ClearHiddenTests.enforce_metadata', true),
    },
    clearMarkScheme: {
      beginDelimiter: str('ClearMarkScheme.begin_mark_scheme_delimeter', 'BEGIN MARK SCHEME'),
      endDelimiter: str('ClearMarkScheme.end_mark_scheme_delimeter', 'END MARK SCHEME'),
      enforceMetadata: bool('ClearMarkScheme.enforce_metadata', true),
      checkAttachmentLeakage: bool('ClearMarkScheme.check_attachment_leakage', true),
    },
    lockCells: {
      lockSolutionCells: bool('LockCells.lock_solution_cells', true),
      lockGradeCells: bool('LockCells.lock_grade_cells', true),
      lockReadonlyCells: bool('LockCells.lock_readonly_cells', true),
      lockAllCells: bool('LockCells.lock_all_cells', false),
    },
    executeTimeout: timeout(),
    latePenaltyMethod: str('LateSubmissionPlugin.penalty_method', 'none'),
    excludeOverwriting: excludeOverwriting(),
    addMissingCells: bool('OverwriteCells.add_missing_cells', false),
    ignorePattern: {
      enabled: bool('IgnorePattern.enabled', false),
      pattern: str('IgnorePattern.pattern', ''),
    },
    limitOutput: {
      maxLines: int('LimitOutput.max_lines', 1000),
      maxTraceback: int('LimitOutput.max_traceback', 100),
    },
    ignoreChecksums: bool('Validator.ignore_checksums', false),
    validateAll: bool('Validator.validate_all', false),
    generateFeedback: { showHiddenTests: bool('GenerateFeedback.show_hidden_tests', false) },
    courseDirectory: courseDirectory(),
  };
}

/**
 * Every "Section.key" nbgraderSettings reads: found by letting it read an empty configuration and
 * noting what it asks for, so the list cannot drift from the code.
 */
export const NBGRADER_KEYS_READ: ReadonlySet<string> = (() => {
  const asked = new Set<string>();
  const recorder: NbgraderConfigFile = {
    assignments: {
      get(key: string) {
        asked.add(key);
        return undefined;
      },
    } as Map<string, ConfigAssignment>,
    problems: [],
    source: '',
  };
  nbgraderSettings(recorder);
  return asked;
})();
