/**
 * The instructor's nbgrader commands with `--course C`: the same command names as the offline
 * ones on a course directory (`--course-dir DIR`, unchanged), but done by a running hub on its
 * course and its one gradebook (./hub-client.ts: `--hub URL` / JUPYTERHUB_API_URL, `--token T` /
 * JUPYTERHUB_API_TOKEN). autograde and generate_feedback are jobs on the hub: the command waits
 * for the job, prints a line whenever its progress moves, and fails (exit 1) when the job failed.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { writeFileInPlace } from '../../course/index.js';
import { formatNaiveUtc, parseUtc } from '../../gradebook/timestamps.js';
import { HubRequestError, hubClient, type HubClient, type HubOptions } from './hub-client.js';

export interface HubCourseFlags extends HubOptions {
  course?: string;
}

/** Adds `--course`, `--hub` and `--token` to an offline command; `--course` sends it to the hub. */
export function withHubCourse(command: Command): Command {
  return command
    .option('--course <id>', "the hub's course: run this on a running hub instead of --course-dir")
    .option('--hub <url>', "with --course: the hub's API (default: $JUPYTERHUB_API_URL)")
    .option('--token <token>', 'with --course: an API token (default: $JUPYTERHUB_API_TOKEN)');
}

/** A failed job on the hub: its message (each failed student on a line of its own). */
export class HubJobFailedError extends HubRequestError {}

interface Job {
  id: number;
  kind: string;
  state: 'running' | 'succeeded' | 'failed';
  done: number;
  total: number;
  failed: number;
  message: string | null;
}

const coursePath = (course: string) => `/courses/${encodeURIComponent(course)}`;
const assignmentPath = (course: string, assignment: string) =>
  `${coursePath(course)}/assignments/${encodeURIComponent(assignment)}`;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Waits for a job, printing `[kind] done/total (failed N)` whenever that changes. */
export async function waitForJob(
  client: HubClient,
  course: string,
  started: Job,
  pollMs = 300,
): Promise<Job> {
  let job = started;
  let shown = '';
  for (;;) {
    const line = `[${job.kind}] ${job.done}/${job.total}${job.failed ? ` (failed ${job.failed})` : ''}`;
    if (line !== shown && job.total > 0) console.log((shown = line));
    if (job.state !== 'running') break;
    await sleep(pollMs);
    job = await client.call<Job>('GET', `${coursePath(course)}/jobs/${job.id}`);
  }
  if (job.state === 'failed')
    throw new HubJobFailedError(`${job.kind} of ${course} failed: ${job.message ?? 'no message'}`, {
      hint: 'Fix what it names and run the command again: it is safe to repeat.',
    });
  console.log(job.message ?? `${job.kind} done`);
  return job;
}

export async function hubAddAssignment(
  assignment: string,
  flags: HubCourseFlags & { course: string; duedate?: string },
): Promise<void> {
  // The due date is read here as the offline command reads it (time zones allowed), sent as UTC.
  const duedate = flags.duedate === undefined ? undefined : formatNaiveUtc(parseUtc(flags.duedate));
  const saved = await hubClient(flags).call<{ name: string; duedate: string | null }>(
    'PUT',
    assignmentPath(flags.course, assignment),
    duedate === undefined ? {} : { duedate },
  );
  console.log(
    `Creating/updating assignment with ID '${saved.name}'${saved.duedate ? ` due ${saved.duedate} UTC` : ''}`,
  );
}

export async function hubListAssignments(flags: HubCourseFlags & { course: string }): Promise<void> {
  const assignments = await hubClient(flags).call<{ name: string; duedate: string | null }[]>(
    'GET',
    `${coursePath(flags.course)}/assignments`,
  );
  console.log('There are %d assignments in the database:', assignments.length);
  for (const a of assignments) console.log(`${a.name} (due: ${a.duedate ?? 'None'})`);
}

export async function hubListStudents(flags: HubCourseFlags & { course: string }): Promise<void> {
  const students = await hubClient(flags).call<
    { id: string; firstName: string | null; lastName: string | null; email: string | null }[]
  >('GET', `${coursePath(flags.course)}/students`);
  console.log('There are %d students in the database:', students.length);
  for (const s of students)
    console.log(`${s.id} (${s.lastName ?? 'None'}, ${s.firstName ?? 'None'}) -- ${s.email ?? 'None'}`);
}

export async function hubGenerate(
  assignment: string,
  flags: HubCourseFlags & { course: string },
): Promise<void> {
  const result = await hubClient(flags).call<{ notebooks: string[]; files: string[] }>(
    'POST',
    `${assignmentPath(flags.course, assignment)}/generate`,
  );
  console.log(
    `Generated release/${assignment}/ of ${flags.course}: ${[...result.notebooks, ...result.files].join(', ')}`,
  );
}

export async function hubAutograde(
  assignment: string,
  flags: HubCourseFlags & { course: string; student?: string[]; force?: boolean },
): Promise<void> {
  const client = hubClient(flags);
  const students = flags.student ?? [];
  if (students.length > 1)
    throw new HubRequestError('With --course, autograde takes one --student at a time.', {
      hint: 'Leave --student out to grade everyone, or run the command once per student.',
    });
  const job = await client.call<Job>('POST', `${assignmentPath(flags.course, assignment)}/autograde`, {
    student: students[0],
    force: flags.force ?? false,
  });
  await waitForJob(client, flags.course, job);
}

export async function hubGenerateFeedback(
  assignment: string,
  flags: HubCourseFlags & { course: string; student?: string[]; force?: boolean },
): Promise<void> {
  const client = hubClient(flags);
  const students = flags.student ?? [];
  if (students.length > 1)
    throw new HubRequestError('With --course, generate_feedback takes one --student at a time.', {
      hint: 'Leave --student out for everyone, or run the command once per student.',
    });
  const job = await client.call<Job>(
    'POST',
    `${assignmentPath(flags.course, assignment)}/feedback/generate`,
    { student: students[0], force: flags.force ?? false },
  );
  await waitForJob(client, flags.course, job);
}

export async function hubExport(flags: HubCourseFlags & { course: string; to?: string }): Promise<void> {
  const csv = await hubClient(flags).callText('GET', `${coursePath(flags.course)}/grades.csv`);
  const target = resolve(flags.to ?? 'grades.csv');
  await writeFileInPlace(target, csv);
  console.log(`Exporting grades to ${target}`);
}

/** `db assignment remove A --course C [--force]`: nbgrader's refusal when grades would go. */
export async function hubRemoveAssignment(
  assignment: string,
  flags: HubCourseFlags & { course: string; force?: boolean },
): Promise<void> {
  await hubClient(flags).call(
    'DELETE',
    `${assignmentPath(flags.course, assignment)}${flags.force ? '?force=true' : ''}`,
  );
  console.log(`Removed assignment with ID '${assignment}'`);
}

const studentPath = (course: string, student: string) =>
  `${coursePath(course)}/students/${encodeURIComponent(student)}`;

/** `db student add ID --course C [--first-name] [--last-name] [--email]`: a user of the hub made a student. */
export async function hubAddStudent(
  student: string,
  flags: HubCourseFlags & { course: string; firstName?: string; lastName?: string; email?: string },
): Promise<void> {
  const added = await hubClient(flags).call<{ id: string; createdUser: boolean }>(
    'PUT',
    studentPath(flags.course, student),
    { first_name: flags.firstName, last_name: flags.lastName, email: flags.email },
  );
  console.log(
    `Creating/updating student with ID '${added.id}'${added.createdUser ? ' (a new hub user)' : ''}`,
  );
}

/** `db student remove ID --course C [--force]`. */
export async function hubRemoveStudent(
  student: string,
  flags: HubCourseFlags & { course: string; force?: boolean },
): Promise<void> {
  await hubClient(flags).call(
    'DELETE',
    `${studentPath(flags.course, student)}${flags.force ? '?force=true' : ''}`,
  );
  console.log(`Removed student with ID '${student}'`);
}

/** `db student import FILE --course C`: the file is read here and checked (all or nothing) by the hub. */
export async function hubImportStudents(
  file: string,
  flags: HubCourseFlags & { course: string },
): Promise<void> {
  let csv: string;
  try {
    csv = readFileSync(file, 'utf8');
  } catch (error) {
    throw new HubRequestError(`No such file: '${file}'`, { hint: 'Check the path.', cause: error });
  }
  const result = await hubClient(flags).call<{ imported: string[]; createdUsers: string[] }>(
    'POST',
    `${coursePath(flags.course)}/students/import`,
    { csv, file },
  );
  console.log(`Imported ${result.imported.length} students from ${file}`);
  if (result.createdUsers.length > 0) console.log(`New hub users: ${result.createdUsers.join(', ')}`);
}
