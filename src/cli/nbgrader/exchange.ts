/**
 * nbgrader's exchange commands, against a running hub (./hub-client.ts):
 *   instructor: release_assignment A --course C, unrelease A --course C, collect A --course C [--student S] [--update],
 *               release_feedback A --course C [--student S]
 *   student:    list --course C [--json], fetch_assignment A --course C [--replace],
 *               submit A --course C, fetch_feedback A --course C
 * As nbgrader 0.9.5 (Exchange.path_includes_course = False): fetch_assignment writes ./A of the
 * current directory itself, and submit hands in ./A when it is there (read by the hub with the
 * caller's own rights, below their home); without ./A, submit hands in ~/C/A, where the course
 * page's Fetch puts it. fetch_feedback: the hub writes C/A/feedback/TIMESTAMP/ below the home.
 * `submit` prints the receipt (time stamp and checksum) on its last line.
 */
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, relative, resolve } from 'node:path';
import { Command } from 'commander';
import { HubRequestError, hubClient, type HubOptions } from './hub-client.js';
import { writeFetchedAssignment } from './write-fetched.js';

interface CourseFlags extends HubOptions {
  course: string;
}

const path = (course: string, assignment: string, action: string) =>
  `/courses/${encodeURIComponent(course)}/assignments/${encodeURIComponent(assignment)}/${action}`;

function exchangeCommand(name: string, description: string, withAssignment = true): Command {
  const command = new Command(name)
    .description(description)
    .requiredOption('--course <id>', 'the course id')
    .option('--hub <url>', "the hub's API, e.g. http://127.0.0.1:8081/hub/api (default: $JUPYTERHUB_API_URL)")
    .option('--token <token>', 'an API token (default: $JUPYTERHUB_API_TOKEN)')
    .exitOverride();
  if (withAssignment) command.argument('<assignment>', 'the assignment id');
  return command;
}

interface Receipt {
  timestamp: string;
  checksum: string;
  files: string[];
  warnings: string[];
}

export function nbgraderExchangeCommands(): Command[] {
  const list = exchangeCommand('list', 'list the released assignments and your submissions', false)
    .option('--json', 'print JSON')
    .action(async (flags: CourseFlags & { json?: boolean }) => {
      const listed = await hubClient(flags).call<{
        course: string;
        assignments: {
          assignment: string;
          duedate: string | null;
          fetched: boolean;
          submissions: { timestamp: string; checksum: string }[];
          feedback: string[];
        }[];
      }>('GET', `/courses/${encodeURIComponent(flags.course)}`);
      if (flags.json) return console.log(JSON.stringify(listed.assignments));
      console.log(`Released assignments of ${listed.course}:`);
      for (const a of listed.assignments) {
        const state = a.feedback.length
          ? 'feedback ready'
          : a.submissions.length
            ? `submitted ${a.submissions.at(-1)!.timestamp} UTC`
            : a.fetched
              ? 'fetched'
              : 'not fetched';
        console.log(
          `  ${listed.course} ${a.assignment}${a.duedate ? ` (due ${a.duedate} UTC)` : ''}: ${state}`,
        );
      }
    });

  const release = exchangeCommand('release_assignment', 'release an assignment to the students').action(
    async (assignment: string, flags: CourseFlags) => {
      const result = await hubClient(flags).call<{
        version: number;
        unchanged: boolean;
        files: string[];
        generated?: { notebooks: string[] };
      }>('POST', path(flags.course, assignment, 'release'));
      if (result.generated)
        console.log(
          `Generated release/${assignment} first (${result.generated.notebooks.join(', ')}): it did not exist yet`,
        );
      console.log(
        result.unchanged
          ? `${assignment} is released already, unchanged (version ${result.version})`
          : `Released ${assignment} as version ${result.version} (${result.files.length} files)`,
      );
    },
  );

  const unrelease = exchangeCommand('unrelease', 'withdraw the released assignment from the students').action(
    async (assignment: string, flags: CourseFlags) => {
      const result = await hubClient(flags).call<{ version: number }>(
        'DELETE',
        path(flags.course, assignment, 'release'),
      );
      console.log(`Unreleased ${assignment} (version ${result.version} withdrawn)`);
    },
  );

  const fetchAssignment = exchangeCommand(
    'fetch_assignment',
    'fetch a released assignment into ./ASSIGNMENT of the current directory',
  )
    .option('--replace', 'restore the missing files of an assignment fetched before (none is overwritten)')
    .action(async (assignment: string, flags: CourseFlags & { replace?: boolean }) => {
      // Refused before the hub is asked (and records a fetch), as nbgrader checks before copying.
      const destination = resolve(assignment);
      if (!flags.replace && isFolder(destination))
        throw new HubRequestError(
          `You already have a copy of the assignment in this directory: ${assignment}`,
          {
            hint: 'Add --replace to restore only the files that are missing (none of yours is overwritten).',
          },
        );
      const fetched = await hubClient(flags).call<{
        version: number;
        files: { path: string; executable: boolean; data: string }[];
      }>('POST', path(flags.course, assignment, 'fetch/files'));
      const { written } = await writeFetchedAssignment(
        process.cwd(),
        assignment,
        fetched.files.map((file) => ({ ...file, data: Buffer.from(file.data, 'base64') })),
        flags.replace ?? false,
      );
      if (flags.replace) for (const file of written) console.log(`Replacing missing file '${file}'`);
      console.log(`Fetched as: ${flags.course} ${assignment}`);
    });

  const submit = exchangeCommand(
    'submit',
    'submit ./ASSIGNMENT of the current directory (else COURSE/ASSIGNMENT/ of your home)',
  ).action(async (assignment: string, flags: CourseFlags) => {
    const folder = homeFolderOf(resolve(assignment));
    const receipt = await hubClient(flags).call<Receipt>(
      'POST',
      path(flags.course, assignment, 'submit'),
      folder === undefined ? {} : { folder },
    );
    if (folder !== undefined) console.log(`Submitting ~/${folder}`);
    for (const warning of receipt.warnings) console.log(`[SubmitApp | WARNING] ${warning}`);
    console.log(`Submitted ${receipt.files.length} files of ${flags.course}/${assignment}`);
    console.log(`Receipt: ${receipt.timestamp} UTC sha256:${receipt.checksum}`);
  });

  const collect = exchangeCommand('collect', 'collect the latest submissions into submitted/')
    .option('--student <id>', 'only this student')
    .option('--update', 'collect newer submissions of students collected before')
    .action(async (assignment: string, flags: CourseFlags & { student?: string; update?: boolean }) => {
      const result = await hubClient(flags).call<{
        collected: { student: string; timestamp: string }[];
        skipped: { student: string; reason: string }[];
      }>('POST', path(flags.course, assignment, 'collect'), { student: flags.student, update: flags.update });
      for (const c of result.collected)
        console.log(`Collected ${c.student} ${assignment} (${c.timestamp} UTC)`);
      for (const s of result.skipped) console.log(`Skipped ${s.student}: ${s.reason}`);
    });

  const releaseFeedback = exchangeCommand('release_feedback', "release each student's feedback to them")
    .option('--student <id>', 'only this student')
    .action(async (assignment: string, flags: CourseFlags & { student?: string }) => {
      const result = await hubClient(flags).call<{
        released: { student: string }[];
        unchanged: string[];
        skipped: { student: string; reason: string }[];
      }>('POST', path(flags.course, assignment, 'feedback/release'), { student: flags.student });
      for (const r of result.released) console.log(`Released feedback of ${r.student}`);
      if (result.unchanged.length > 0) console.log(`Unchanged: ${result.unchanged.join(', ')}`);
      for (const s of result.skipped) console.log(`Skipped ${s.student}: ${s.reason}`);
    });

  const fetchFeedback = exchangeCommand(
    'fetch_feedback',
    'fetch your feedback into COURSE/ASSIGNMENT/feedback/',
  ).action(async (assignment: string, flags: CourseFlags) => {
    const result = await hubClient(flags).call<{ folders: { folder: string; files: string[] }[] }>(
      'POST',
      path(flags.course, assignment, 'feedback/fetch'),
    );
    for (const f of result.folders) console.log(`Fetched feedback into ~/${f.folder}: ${f.files.join(', ')}`);
  });

  return [list, release, unrelease, fetchAssignment, submit, collect, releaseFeedback, fetchFeedback];
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    // Missing or unreadable: not a folder to submit from (the hub's own default is used).
    return false;
  }
}

/**
 * ./ASSIGNMENT as a path below the home (what the hub reads with the caller's rights), when it is
 * a folder there; undefined otherwise (the hub then submits COURSE/ASSIGNMENT of the home).
 */
function homeFolderOf(folder: string): string | undefined {
  if (!isFolder(folder)) return undefined;
  const below = relative(homedir(), folder);
  if (below === '' || below.startsWith('..') || isAbsolute(below))
    throw new HubRequestError(
      `${folder} is not inside your home (${homedir()}); the hub reads submissions there.`,
      {
        hint: 'Run submit in the folder that holds the assignment, inside your home.',
      },
    );
  return below.split('\\').join('/');
}
