/**
 * generate_assignment on an nbgrader course directory: `source/ASSIGNMENT/*.ipynb` and the files
 * beside them -> `release/ASSIGNMENT/`. The release is built in a scratch folder next to it and
 * moved into place only when every notebook succeeded, so a failure never leaves a half release.
 */
import { existsSync } from 'node:fs';
import {
  chmod,
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rename,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { parseNotebook, writeNotebook, type Notebook } from '../../notebook/index.js';
import {
  nbgraderSettings,
  readNbgraderConfig,
  type ConfigProblem,
  type NbgraderSettings,
} from '../nbgrader-config.js';
import { GenerateError } from './errors.js';
import { matchesAnyGlob } from './file-globs.js';
import { generateNotebook, generateSteps, settingsForOptions, type PipelineOptions } from './pipeline.js';
import type { GeneratedAssignmentRecord } from './types.js';
import type { KernelLauncher } from '../execution.js';
import { expandAutotests, hasAutotests } from './autotest/expand-autotests.js';
import { includeHeaderFooter } from './steps/include-header-footer.js';
import type { GenerateContext, GenerateStep } from './step.js';
import { instantiateTests } from './steps/instantiate-tests.js';
import { clearOutput } from './steps/clear-output.js';
import { checkCellMetadata } from './steps/check-cell-metadata.js';

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
}

export interface GenerateAssignmentResult {
  releaseDir: string;
  /** true when the release existed and --force was not given: nothing was done. */
  skipped: boolean;
  /** Released notebook file names, sorted. */
  notebooks: string[];
  /** Other released files (relative POSIX paths), sorted. */
  files: string[];
  /** For the gradebook (absent when skipped or with saveCells: false). */
  record?: GeneratedAssignmentRecord;
  /** Lines of nbgrader_config.py that were not literal assignments (ignored). */
  configProblems: ConfigProblem[];
}

/** Mode of released files, as nbgrader sets it. */
const RELEASE_FILE_MODE = 0o644;

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
  const path = join(courseDir, 'nbgrader_config.py');
  if (!existsSync(path)) return { settings: nbgraderSettings(), problems: [] };
  const config = readNbgraderConfig(await readFile(path, 'utf8'), path);
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
  return parseNotebook(await readFile(full), { name: path });
}

/** Files to copy beside the notebooks (nbgrader's find_all_files with CourseDirectory.ignore + *.ipynb). */
async function findDataFiles(dir: string, ignore: string[]): Promise<string[]> {
  const found: string[] = [];
  const walk = async (current: string) => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      if (matchesAnyGlob(entry.name, ignore)) continue;
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      // Regular files only: a symlink could point anywhere on the instructor's machine.
      else if (entry.isFile()) found.push(relative(dir, path));
    }
  };
  await walk(dir);
  return found.sort();
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

/** A private copy of the assignment's files for the AUTOTEST kernel (the sandbox takes it over). */
async function prepareKernelDirectory(sourceDir: string, files: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'coursehub-autotest-'));
  for (const file of files) {
    await mkdir(join(dir, file, '..'), { recursive: true });
    await copyFile(join(sourceDir, file), join(dir, file));
  }
  return dir;
}

async function expandWithLabel(
  notebook: Notebook,
  label: string,
  options: Parameters<typeof expandAutotests>[1],
): Promise<Notebook> {
  try {
    await expandAutotests(notebook, options);
    return notebook;
  } catch (error) {
    if (error instanceof GenerateError) throw error.withLocation({ notebook: label });
    throw error;
  }
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
  const sourceDir = join(courseDir, 'source', assignment);
  const releaseRoot = join(courseDir, 'release');
  const releaseDir = join(releaseRoot, assignment);
  if (!existsSync(sourceDir) || !(await lstat(sourceDir)).isDirectory())
    throw new GenerateError(
      `there is no assignment folder source/${assignment} in ${courseDir}`,
      {},
      {
        hint: 'Put the source notebooks in COURSE/source/ASSIGNMENT/ or pass --course-dir.',
      },
    );
  const notebookFiles = (await readdir(sourceDir, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ipynb'))
    .map((entry) => entry.name)
    .sort();
  if (notebookFiles.length === 0)
    throw new GenerateError(
      `no notebooks were found in source/${assignment}`,
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
  const autotestsYamlFound =
    existsSync(join(sourceDir, 'autotests.yml')) || existsSync(join(courseDir, 'autotests.yml'));
  const shared: BuildShared = {
    courseDir,
    assignment,
    sourceDir,
    notebookFiles,
    settings,
    autotestsYamlFound,
    options,
  };

  if (options.sourceWithTests)
    await buildOutput(shared, {
      outputDir: join(courseDir, 'source_with_tests', assignment),
      steps: sourceWithTestsSteps(),
    });
  const built = await buildOutput(shared, {
    outputDir: releaseDir,
    steps: generateSteps(options),
    ...(header ? { header } : {}),
    ...(footer ? { footer } : {}),
  });
  const saved = options.saveCells ?? true;
  return {
    ...result,
    skipped: false,
    files: built.files,
    ...(saved ? { record: addUp(built.records, assignment) } : {}),
  };
}

interface BuildShared {
  courseDir: string;
  assignment: string;
  sourceDir: string;
  notebookFiles: string[];
  settings: NbgraderSettings;
  autotestsYamlFound: boolean;
  options: GenerateAssignmentOptions;
}

interface BuildPlan {
  outputDir: string;
  steps: GenerateStep[];
  header?: Notebook;
  footer?: Notebook;
}

/** nbgrader's GenerateSourceWithTests: AUTOTEST expanded, outputs cleared, solutions kept. */
function sourceWithTestsSteps(): GenerateStep[] {
  return [instantiateTests, clearOutput, checkCellMetadata];
}

/** Builds one output folder (release/ or source_with_tests/) in a scratch folder, then moves it in place. */
async function buildOutput(
  shared: BuildShared,
  plan: BuildPlan,
): Promise<{ files: string[]; records: GeneratedAssignmentRecord['notebooks'] }> {
  const { courseDir, assignment, sourceDir, settings, autotestsYamlFound, options } = shared;
  const outputRoot = join(plan.outputDir, '..');
  await mkdir(outputRoot, { recursive: true });
  const scratch = await mkdtemp(join(outputRoot, `.${assignment}.generating-`));
  let kernelDir: string | undefined;
  try {
    const files = await findDataFiles(sourceDir, [...settings.ignore, '*.ipynb']);
    for (const file of files) {
      await mkdir(join(scratch, file, '..'), { recursive: true });
      await copyFile(join(sourceDir, file), join(scratch, file));
      await chmod(join(scratch, file), RELEASE_FILE_MODE);
    }
    const records: GeneratedAssignmentRecord['notebooks'] = {};
    for (const file of shared.notebookFiles) {
      const label = `source/${assignment}/${file}`;
      let source = parseNotebook(await readFile(join(sourceDir, file)), { name: label });
      const notebookId = basename(file, '.ipynb');
      const context: GenerateContext = {
        notebookId,
        notebookLabel: label,
        settings,
        autotestsYamlFound,
        ...(plan.header ? { header: plan.header } : {}),
        ...(plan.footer ? { footer: plan.footer } : {}),
      };
      if (options.launcher && autotestsYamlFound && hasAutotests(source)) {
        // InstantiateTests runs right after IncludeHeaderFooter and needs a kernel: do both here.
        includeHeaderFooter.run(source, context);
        delete context.header;
        delete context.footer;
        kernelDir ??= await prepareKernelDirectory(sourceDir, files);
        source = await expandWithLabel(source, label, {
          launcher: options.launcher,
          autotestsYaml: await readFile(
            existsSync(join(sourceDir, 'autotests.yml'))
              ? join(sourceDir, 'autotests.yml')
              : join(courseDir, 'autotests.yml'),
            'utf8',
          ),
          workingDirectory: kernelDir,
          timeoutSeconds: settings.executeTimeout ?? 30,
        });
      }
      const generated = generateNotebook(source, context, plan.steps);
      if (generated.record) records[notebookId] = generated.record;
      await writeFile(join(scratch, file), writeNotebook(generated.release), { mode: RELEASE_FILE_MODE });
      await chmod(join(scratch, file), RELEASE_FILE_MODE);
    }
    if (kernelDir) await rm(kernelDir, { recursive: true, force: true });
    if (existsSync(plan.outputDir)) await rm(plan.outputDir, { recursive: true, force: true });
    await rename(scratch, plan.outputDir);
    await chmod(plan.outputDir, 0o755);
    return { files: files.map((f) => f.split('\\').join('/')), records };
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    if (kernelDir) await rm(kernelDir, { recursive: true, force: true });
    // As nbgrader does with --force: an output that no longer matches its (now failing) source is
    // removed, so it cannot be handed out by mistake. It is derived data: nothing authored is lost.
    await rm(plan.outputDir, { recursive: true, force: true });
    throw error;
  }
}
