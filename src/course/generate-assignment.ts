/**
 * generate_assignment on an nbgrader course directory: `source/ASSIGNMENT/*.ipynb` and the files
 * beside them -> `release/ASSIGNMENT/` (and with --source_with_tests also
 * `source_with_tests/ASSIGNMENT/`). Every output is built beside its target; only when all of them
 * are complete are they handed to `publish` (which stores the gradebook record) and renamed into
 * place, so a failure leaves the old release (or none) and the old gradebook rows, never a half of
 * either, and a kill leaves only hidden folders that the next run removes.
 */
import { existsSync } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { KernelLauncher } from '../grading/execution.js';
import {
  GenerateError,
  generateNotebook,
  generateSteps,
  settingsForOptions,
  sourceWithTestsSteps,
  type GenerateContext,
  type GeneratedAssignmentRecord,
  type PipelineOptions,
} from '../grading/generate/index.js';
import { nbgraderSettings, type ConfigProblem, type NbgraderSettings } from '../grading/nbgrader-config.js';
import { usableNbgraderConfig } from '../grading/config/check-config.js';
import type { Step } from '../grading/pipeline/step.js';
import type { Notebook } from '../notebook/index.js';
import { CourseDirectory } from './course-directory.js';
import { copyFiles, readNotebookFile, writeNotebookFile } from './course-files.js';
import { kernelsInScratchCopy } from './kernels.js';
import { readNbgraderConfigFile } from './nbgrader-config-file.js';
import { removeStaleStages, stageBeside, type StagedFolder } from './staged-folder.js';
import { setOwn } from '../util/own-keys.js';

export interface GenerateAssignmentOptions extends PipelineOptions {
  courseDir: string;
  assignment: string;
  /** Replace an existing release. Without it an existing release is left alone (as nbgrader does). */
  force?: boolean;
  /** Settings to use; by default read from COURSE/nbgrader_config.py. */
  settings?: NbgraderSettings;
  /** Also write source_with_tests/ASSIGNMENT (AUTOTEST expanded, solutions kept), as nbgrader's --source_with_tests. */
  sourceWithTests?: boolean;
  /** Kernels for expanding AUTOTEST directives; without one, such notebooks are refused. */
  launcher?: KernelLauncher;
  /**
   * Called once every output is built and before any is in place: store `record` (undefined with
   * saveCells: false), then call `commit` to move the outputs into place. If either fails, nothing
   * is in place and the error is passed on. Run `commit` inside the store's transaction, so that a
   * failed move keeps the old rows too. By default the outputs are committed and nothing stored.
   */
  publish?: (record: GeneratedAssignmentRecord | undefined, commit: () => Promise<void>) => Promise<void>;
}

export interface GenerateAssignmentResult {
  releaseDir: string;
  /** true when the release existed and --force was not given: nothing was done. */
  skipped: boolean;
  /** Released notebook file names, sorted. */
  notebooks: string[];
  /** Other released files (relative POSIX paths), sorted. */
  files: string[];
  /** What was published for the gradebook (absent when skipped or with saveCells: false). */
  record?: GeneratedAssignmentRecord;
  /** Lines of nbgrader_config.py that were not literal assignments (ignored). */
  configProblems: ConfigProblem[];
}

/** Mode of released files and folders, as nbgrader sets them. */
const RELEASE_FILE_MODE = 0o644;
const RELEASE_FOLDER_MODE = 0o755;
const AUTOTESTS_FILE = 'autotests.yml';

function checkAssignmentName(assignment: string): void {
  if (!/^[^/\\\0]+$/.test(assignment) || assignment === '.' || assignment === '..')
    throw new GenerateError(
      `'${assignment}' is not a valid assignment name`,
      {},
      {
        hint: 'Use the name of a folder in source/, without slashes.',
      },
    );
}

async function loadSettings(
  courseDir: string,
): Promise<{ settings: NbgraderSettings; problems: ConfigProblem[] }> {
  const config = await readNbgraderConfigFile(new CourseDirectory(courseDir).configFile);
  usableNbgraderConfig(config); // refuses a file that cannot be used as written
  return { settings: nbgraderSettings(config), problems: config.problems };
}

async function readExtraNotebook(courseDir: string, path: string, role: string): Promise<Notebook> {
  const full = join(courseDir, path);
  if (!existsSync(full))
    throw new GenerateError(
      `the ${role} notebook ${path} does not exist`,
      {},
      {
        hint: `Fix IncludeHeaderFooter.${role} in nbgrader_config.py (paths are relative to the course directory).`,
      },
    );
  return readNotebookFile(full, path);
}

function addUp(
  records: GeneratedAssignmentRecord['notebooks'],
  assignment: string,
): GeneratedAssignmentRecord {
  const all = Object.values(records);
  const sum = (pick: (r: (typeof all)[number]) => number) => all.reduce((total, r) => total + pick(r), 0);
  return {
    assignment,
    notebooks: records,
    max_score: sum((r) => r.max_score),
    max_code_score: sum((r) => r.max_code_score),
    max_written_score: sum((r) => r.max_written_score),
    max_task_score: sum((r) => r.max_task_score),
  };
}

export async function generateAssignment(
  options: GenerateAssignmentOptions,
): Promise<GenerateAssignmentResult> {
  const { courseDir, assignment } = options;
  checkAssignmentName(assignment);
  const loaded = options.settings
    ? { settings: options.settings, problems: [] }
    : await loadSettings(courseDir);
  const settings = settingsForOptions(loaded.settings, options);
  const course = new CourseDirectory(courseDir, settings.courseDirectory);
  const sourceDir = course.source(assignment);
  const releaseDir = course.release(assignment);
  if (!existsSync(sourceDir) || !(await lstat(sourceDir)).isDirectory())
    throw new GenerateError(
      `there is no assignment folder ${course.label(sourceDir)} in ${courseDir}`,
      {},
      {
        hint: 'Put the source notebooks in COURSE/source/ASSIGNMENT/ or pass --course-dir.',
      },
    );
  const notebookFiles = await course.notebooks(sourceDir);
  if (notebookFiles.length === 0)
    throw new GenerateError(
      `no notebooks were found in ${course.label(sourceDir)}`,
      {},
      {
        hint: 'An assignment needs at least one .ipynb file in its source folder.',
      },
    );
  const result = { releaseDir, configProblems: loaded.problems, notebooks: notebookFiles };
  if (existsSync(releaseDir) && !options.force) return { ...result, skipped: true, files: [] };

  const header = settings.includeHeaderFooter.header
    ? await readExtraNotebook(courseDir, settings.includeHeaderFooter.header, 'header')
    : undefined;
  const footer = settings.includeHeaderFooter.footer
    ? await readExtraNotebook(courseDir, settings.includeHeaderFooter.footer, 'footer')
    : undefined;
  // InstantiateTests reads the assignment's autotests.yml, else the course's.
  const autotestsFile = [join(sourceDir, AUTOTESTS_FILE), join(courseDir, AUTOTESTS_FILE)].find((path) =>
    existsSync(path),
  );
  const shared: BuildShared = {
    course,
    sourceDir,
    notebookFiles,
    settings,
    autotestsYamlFound: autotestsFile !== undefined,
    autotestsYaml:
      options.launcher && autotestsFile !== undefined ? await readFile(autotestsFile, 'utf8') : undefined,
    launcher: options.launcher,
  };

  const plans: BuildPlan[] = [
    ...(options.sourceWithTests
      ? [{ outputDir: course.sourceWithTests(assignment), steps: sourceWithTestsSteps() }]
      : []),
    {
      outputDir: releaseDir,
      steps: generateSteps(options),
      ...(header ? { header } : {}),
      ...(footer ? { footer } : {}),
    },
  ];
  const built: BuiltOutput[] = [];
  try {
    for (const plan of plans) built.push(await buildOutput(shared, plan));
    const release = built.at(-1)!;
    const saved = options.saveCells ?? true;
    const record = saved ? addUp(release.records, assignment) : undefined;
    const commit = async () => {
      for (const output of built) await output.stage.commit({ mode: RELEASE_FOLDER_MODE });
    };
    await (options.publish ?? ((_, commitOutputs) => commitOutputs()))(record, commit);
    return { ...result, skipped: false, files: release.files, ...(record ? { record } : {}) };
  } catch (error) {
    // The old outputs stay as they were: only what this run built is removed.
    await Promise.all(built.map((output) => output.stage.discard()));
    throw error;
  }
}

interface BuildShared {
  course: CourseDirectory;
  sourceDir: string;
  notebookFiles: string[];
  settings: NbgraderSettings;
  autotestsYamlFound: boolean;
  autotestsYaml: string | undefined;
  launcher: KernelLauncher | undefined;
}

interface BuildPlan {
  outputDir: string;
  steps: Step<GenerateContext>[];
  header?: Notebook;
  footer?: Notebook;
}

interface BuiltOutput {
  stage: StagedFolder;
  files: string[];
  records: GeneratedAssignmentRecord['notebooks'];
}

/** The label of the folders generate builds beside release/ASSIGNMENT (see staged-folder.ts). */
const GENERATING = 'generating';

/** Builds one output folder (release/ or source_with_tests/) beside it, ready to be committed. */
async function buildOutput(shared: BuildShared, plan: BuildPlan): Promise<BuiltOutput> {
  const { course, sourceDir, settings } = shared;
  const files = await course.dataFiles(sourceDir);
  await removeStaleStages(plan.outputDir, GENERATING);
  const stage = await stageBeside(plan.outputDir, GENERATING);
  // AUTOTEST's kernel runs in a private copy of the assignment's files (the sandbox takes it over).
  const kernels = shared.launcher
    ? kernelsInScratchCopy(shared.launcher, 'autotest', (folder) => copyFiles(sourceDir, folder, files))
    : undefined;
  try {
    await copyFiles(sourceDir, stage.path, files, { mode: RELEASE_FILE_MODE });
    const records: GeneratedAssignmentRecord['notebooks'] = {};
    for (const file of shared.notebookFiles) {
      const label = course.label(join(sourceDir, file));
      const source = await readNotebookFile(join(sourceDir, file), label);
      const notebookId = basename(file, '.ipynb');
      const context: GenerateContext = {
        notebookId,
        notebookLabel: label,
        settings,
        autotestsYamlFound: shared.autotestsYamlFound,
        ...(shared.autotestsYaml === undefined ? {} : { autotestsYaml: shared.autotestsYaml }),
        ...(kernels ? { kernels } : {}),
        ...(plan.header ? { header: plan.header } : {}),
        ...(plan.footer ? { footer: plan.footer } : {}),
      };
      const generated = await generateNotebook(source, context, plan.steps);
      if (generated.record) setOwn(records, notebookId, generated.record);
      await writeNotebookFile(join(stage.path, file), generated.release, { mode: RELEASE_FILE_MODE });
    }
    return { stage, files, records };
  } catch (error) {
    await stage.discard();
    throw error;
  } finally {
    await kernels?.close();
  }
}
