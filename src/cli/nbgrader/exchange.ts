/**
 * nbgrader's exchange commands, against a running hub (./hub-client.ts):
 *   instructor: release_assignment A --course C, unrelease A --course C, collect A --course C [--student S] [--update],
 *               release_feedback A --course C [--student S]
 *   student:    list --course C [--json], fetch_assignment A --course C, submit A --course C,
 *               fetch_feedback A --course C
 * The hub writes fetched files into the caller's home, as C/A/ (and C/A/feedback/TIMESTAMP/).
 * `submit` prints the receipt (time stamp and checksum) on its last line.
 */
import { Command } from 'commander';
import { hubClient, type HubOptions } from './hub-client.js';

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
    'fetch a released assignment into COURSE/ASSIGNMENT/',
  ).action(async (assignment: string, flags: CourseFlags) => {
    const result = await hubClient(flags).call<{ folder: string; written: string[]; kept: string[] }>(
      'POST',
      path(flags.course, assignment, 'fetch'),
    );
    console.log(`Fetched ${assignment} into ~/${result.folder}: ${result.written.length} files written`);
    if (result.kept.length > 0) console.log(`Kept your own versions of: ${result.kept.join(', ')}`);
  });

  const submit = exchangeCommand('submit', 'submit COURSE/ASSIGNMENT/ of your home').action(
    async (assignment: string, flags: CourseFlags) => {
      const receipt = await hubClient(flags).call<Receipt>('POST', path(flags.course, assignment, 'submit'));
      for (const warning of receipt.warnings) console.log(`[SubmitApp | WARNING] ${warning}`);
      console.log(`Submitted ${receipt.files.length} files of ${flags.course}/${assignment}`);
      console.log(`Receipt: ${receipt.timestamp} UTC sha256:${receipt.checksum}`);
    },
  );

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
