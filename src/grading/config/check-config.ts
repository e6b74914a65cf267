/**
 * What is wrong with a course's nbgrader_config.py, told apart from what is merely unused:
 *
 * - errors (the file cannot be used as written): a value coursehub needs that it cannot read (it
 *   reads the file without running it), a line that changes such a key in another way than
 *   `c.Section.key = value`, and an unterminated string (Python itself refuses the file);
 * - warnings: a misspelt option of a class coursehub knows ("Config option `code_stubb` not
 *   recognized by `ClearSolutions`. Did you mean `code_stub`?", as traitlets says it), a class
 *   nbgrader does not have, an nbgrader option coursehub does not use, and other lines it skips.
 */
import { NbgraderConfigError, NBGRADER_KEYS_READ, type NbgraderConfigFile } from '../nbgrader-config.js';
import { suggestion } from './close-matches.js';
import { NBGRADER_CLASSES } from './nbgrader-classes.js';

export interface ConfigNote {
  /** 1-based line of the file; 0 for the command line. */
  line: number;
  message: string;
}

export interface ConfigCheck {
  errors: ConfigNote[];
  warnings: ConfigNote[];
}

const READ_ANYWHERE = /\bc\.([A-Za-z_]\w*)\.([A-Za-z_]\w*)/g;

function keyNote(key: string, line: number): ConfigNote | undefined {
  const [section, option] = key.split('.') as [string, string];
  const options = NBGRADER_CLASSES.get(section);
  if (!options) {
    const meant = suggestion(section, NBGRADER_CLASSES.keys());
    return {
      line,
      message: `Config class \`${section}\` is not a class of nbgrader; c.${key} is ignored.${meant ? ` ${meant}` : ''}`,
    };
  }
  if (!options.includes(option)) {
    const meant = suggestion(option, options);
    return {
      line,
      message: `Config option \`${option}\` not recognized by \`${section}\`.${meant ? ` ${meant}` : ''}`,
    };
  }
  if (!NBGRADER_KEYS_READ.has(key))
    return { line, message: `c.${key} is an nbgrader setting not used by coursehub; it is ignored.` };
  return undefined;
}

export function checkNbgraderConfig(config: NbgraderConfigFile): ConfigCheck {
  const errors: ConfigNote[] = [];
  const warnings: ConfigNote[] = [];
  for (const problem of config.problems) {
    const mentioned = [...problem.text.matchAll(READ_ANYWHERE)]
      .map((m) => `${m[1]}.${m[2]}`)
      .find((key) => NBGRADER_KEYS_READ.has(key));
    const needed = problem.key !== undefined && NBGRADER_KEYS_READ.has(problem.key) ? problem.key : mentioned;
    if (problem.syntaxError)
      errors.push({
        line: problem.line,
        message: `${problem.text}: ${problem.reason}; Python cannot read it either.`,
      });
    else if (needed)
      errors.push({
        line: problem.line,
        message:
          `${problem.text}: coursehub needs ${needed} but cannot read this line (${problem.reason}). ` +
          'It reads nbgrader_config.py without running it: write the value itself (a string, number, ' +
          'True/False/None, list or dict).',
      });
    else warnings.push({ line: problem.line, message: `ignored (${problem.reason}): ${problem.text}` });
    if (problem.key !== undefined) {
      const note = keyNote(problem.key, problem.line);
      if (note) warnings.push(note);
    }
  }
  for (const [key, { line }] of config.assignments) {
    const note = keyNote(key, line);
    if (note) warnings.push(note);
  }
  warnings.sort((a, b) => a.line - b.line);
  return { errors, warnings };
}

/** "FILE line N" (or "the command line") for messages. */
export function configPlace(config: NbgraderConfigFile, line: number): string {
  return line > 0 ? `${config.source} line ${line}` : 'the command line';
}

/**
 * Checks the file: returns its warnings as "FILE line N: ..." lines, or throws one
 * NbgraderConfigError listing every error.
 */
export function usableNbgraderConfig(config: NbgraderConfigFile): string[] {
  const { errors, warnings } = checkNbgraderConfig(config);
  if (errors.length > 0)
    throw new NbgraderConfigError(
      errors.map((note) => `${configPlace(config, note.line)}: ${note.message}`).join('\n'),
      {
        hint: `Fix ${errors.length === 1 ? 'this line' : 'these lines'} of ${config.source}; nothing was done.`,
      },
    );
  return warnings.map((note) => `${configPlace(config, note.line)}: ${note.message}`);
}
