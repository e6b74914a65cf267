/**
 * generate for one notebook: nbgrader's GenerateAssignment preprocessors, in nbgrader's order, as
 * a list of small steps. Pure: the caller reads and writes the files.
 */
import { NbgraderMetadataError, cloneJson, type Notebook } from '../../notebook/index.js';
import { CellMetadataError, GenerateError } from './errors.js';
import type { NbgraderSettings } from '../nbgrader-config.js';
import type { GenerateContext, GenerateStep } from './step.js';
import { checkCellMetadata } from './steps/check-cell-metadata.js';
import { checkNotebookFormat } from './steps/check-notebook-format.js';
import { clearHiddenTests } from './steps/clear-hidden-tests.js';
import { clearMarkScheme } from './steps/clear-mark-scheme.js';
import { clearOutput } from './steps/clear-output.js';
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

/** The steps, in nbgrader's order. ClearHiddenTests must follow SaveCells; checksums are redone after it. */
export function generateSteps(options: PipelineOptions = {}): GenerateStep[] {
  const checkMetadata = options.checkMetadata ?? true;
  const save = options.saveCells ?? true;
  const steps: (GenerateStep | false)[] = [
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
  return steps.filter((step): step is GenerateStep => step !== false);
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

/** Runs the steps on a copy of `source`. Throws GenerateError naming the notebook and cell. */
export function generateNotebook(
  source: Notebook,
  context: GenerateContext,
  steps: GenerateStep[] = generateSteps(),
): GeneratedNotebook {
  const notebook = cloneJson(source);
  for (const step of steps) {
    try {
      step.run(notebook, context);
    } catch (error) {
      if (error instanceof GenerateError) throw error.withLocation({ notebook: context.notebookLabel });
      if (error instanceof NbgraderMetadataError)
        throw new CellMetadataError(
          error.detail,
          {
            notebook: context.notebookLabel,
            ...(error.cellIndex === undefined ? {} : { cellIndex: error.cellIndex }),
          },
          { cause: error },
        );
      throw error;
    }
  }
  return { release: notebook, ...(context.record ? { record: context.record } : {}) };
}
