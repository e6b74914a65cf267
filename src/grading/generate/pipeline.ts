/**
 * generate for one notebook: nbgrader's GenerateAssignment preprocessors, in nbgrader's order, as
 * a list of steps. Pure: the caller (src/course) reads and writes the files and hands in kernels.
 */
import { NbgraderMetadataError, cloneJson, type Notebook } from '../../notebook/index.js';
import { gradeIdOf, runSteps, type Step } from '../pipeline/step.js';
import type { NbgraderSettings } from '../nbgrader-config.js';
import { checkCellMetadata } from '../steps/check-cell-metadata.js';
import { clearOutput } from '../steps/clear-output.js';
import type { GenerateContext } from './context.js';
import { CellMetadataError, GenerateError } from './errors.js';
import { checkNotebookFormat } from './steps/check-notebook-format.js';
import { clearHiddenTests } from './steps/clear-hidden-tests.js';
import { clearMarkScheme } from './steps/clear-mark-scheme.js';
import { clearSolutions } from './steps/clear-solutions.js';
import { computeChecksums } from './steps/compute-checksums.js';
import { includeHeaderFooter } from './steps/include-header-footer.js';
import { instantiateTests } from './steps/instantiate-tests.js';
import { lockCells } from './steps/lock-cells.js';
import { saveCells } from './steps/save-cells.js';
import type { GeneratedNotebookRecord } from './types.js';

export interface PipelineOptions {
  /** nbgrader's --no-metadata: do not validate metadata or compute checksums, allow regions anywhere. */
  checkMetadata?: boolean;
  /** nbgrader's --no-db: do not record cells for the gradebook. */
  saveCells?: boolean;
}

/**
 * The steps, in nbgrader's order (ValidateNotebook stands for nbconvert's format check after
 * IncludeHeaderFooter). ClearHiddenTests must follow SaveCells; checksums are redone after it.
 */
export function generateSteps(options: PipelineOptions = {}): Step<GenerateContext>[] {
  const checkMetadata = options.checkMetadata ?? true;
  const save = options.saveCells ?? true;
  const steps: (Step<GenerateContext> | false)[] = [
    includeHeaderFooter,
    checkNotebookFormat,
    instantiateTests,
    lockCells,
    clearSolutions,
    clearOutput,
    checkMetadata && checkCellMetadata,
    checkMetadata && computeChecksums,
    save && saveCells,
    clearHiddenTests,
    clearMarkScheme,
    checkMetadata && computeChecksums,
    checkMetadata && checkCellMetadata,
  ];
  return steps.filter((step): step is Step<GenerateContext> => step !== false);
}

/** nbgrader's GenerateSourceWithTests: AUTOTEST expanded, outputs cleared, solutions kept. */
export function sourceWithTestsSteps(): Step<GenerateContext>[] {
  return [instantiateTests, clearOutput, checkCellMetadata];
}

/** nbgrader's --no-metadata also lets solution, hidden-test and mark-scheme regions sit in any cell. */
export function settingsForOptions(settings: NbgraderSettings, options: PipelineOptions): NbgraderSettings {
  if (options.checkMetadata ?? true) return settings;
  return {
    ...settings,
    clearSolutions: { ...settings.clearSolutions, enforceMetadata: false },
    clearHiddenTests: { ...settings.clearHiddenTests, enforceMetadata: false },
    clearMarkScheme: { ...settings.clearMarkScheme, enforceMetadata: false },
  };
}

export interface GeneratedNotebook {
  release: Notebook;
  /** What SaveCells recorded (absent with saveCells: false). */
  record?: GeneratedNotebookRecord;
}

/**
 * A step's error in generate's words: which notebook and cell. A metadata error from
 * CheckCellMetadata names its cell, so it also gets the cell's grade id and keeps the validator's
 * hint; the checksum and points helpers do not know their cell and say only what is wrong.
 */
function generateError(error: unknown, notebook: Notebook, label: string): unknown {
  if (error instanceof GenerateError) return error.withLocation({ notebook: label });
  if (!(error instanceof NbgraderMetadataError)) return error;
  const cellIndex = error.cellIndex;
  if (cellIndex === undefined)
    return new CellMetadataError(error.detail, { notebook: label }, { cause: error });
  const cell = notebook.cells[cellIndex];
  return new CellMetadataError(
    error.detail,
    { notebook: label, cellIndex, gradeId: cell && gradeIdOf(cell) },
    { ...(error.hint === undefined ? {} : { hint: error.hint }), cause: error },
  );
}

/** Runs the steps on a copy of `source`. Rejects with a GenerateError naming the notebook and cell. */
export async function generateNotebook(
  source: Notebook,
  context: GenerateContext,
  steps: Step<GenerateContext>[] = generateSteps(),
): Promise<GeneratedNotebook> {
  const notebook = cloneJson(source);
  try {
    await runSteps(notebook, steps, context);
  } catch (error) {
    throw generateError(error, notebook, context.notebookLabel);
  }
  return { release: notebook, ...(context.record ? { record: context.record } : {}) };
}
