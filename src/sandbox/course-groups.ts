/**
 * THE Unix groups of courses: one per course, named `ch-<course>`, made by coursehub (groupadd)
 * and owning the course directory, whose folders are setgid so that everything made inside keeps
 * the group. Instructors' and graders' servers run with the group as a supplementary group (see
 * drop-privileges.ts), so a file one instructor makes stays readable to the others; students'
 * servers never have it. Nobody is added to /etc/group: the group is given per process.
 *
 * The `ch-` prefix is the mark by which coursehub knows its own groups; a system group (gid below
 * 1000) of that name is refused.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { saveAccountDatabase } from './account-database-copy.js';
import { SandboxSetupError } from './errors.js';

const run = promisify(execFile);

export interface CourseGroup {
  name: string;
  gid: number;
}

const PREFIX = 'ch-';
const MAX_NAME = 32;
const GID_MIN = 1000;

/**
 * The group name for a course id: `ch-` and the id in lower case with anything but letters,
 * digits, `_` and `-` made `-`; a long (or changed) id ends in a short hash so two ids never share
 * a name.
 */
export function courseGroupName(courseId: string): string {
  const slug = courseId.toLowerCase().replace(/[^a-z0-9_-]/g, '-');
  const name = `${PREFIX}${slug}`;
  if (name.length <= MAX_NAME && slug === courseId) return name;
  const hash = createHash('sha256').update(courseId).digest('hex').slice(0, 8);
  return `${PREFIX}${slug.slice(0, MAX_NAME - PREFIX.length - 9)}-${hash}`;
}

export async function lookupGroup(name: string): Promise<CourseGroup | undefined> {
  try {
    const { stdout } = await run('getent', ['group', name]);
    const [, , gid] = stdout.trim().split(':');
    return { name, gid: Number(gid) };
  } catch {
    return undefined; // getent exits 2 when there is no such group
  }
}

let queue: Promise<unknown> = Promise.resolve();

/** The course's group, created (groupadd) when missing. Root only. */
export function ensureCourseGroup(courseId: string): Promise<CourseGroup> {
  const job = queue.then(async () => {
    const name = courseGroupName(courseId);
    const existing = await lookupGroup(name);
    if (existing) {
      if (existing.gid < GID_MIN)
        throw new SandboxSetupError(
          `The Unix group "${name}" exists as a system group (gid ${existing.gid}).`,
          {
            hint: 'coursehub makes an ordinary group per course; remove or rename that group, or pick another course id.',
          },
        );
      return existing;
    }
    if (process.getuid?.() !== 0)
      throw new SandboxSetupError(`The course group "${name}" does not exist and only root can create it.`, {
        hint: `Run the hub as root, or create it: groupadd ${name}`,
      });
    try {
      await run('groupadd', [name]);
    } catch (error) {
      // Another hub command may have made it at the same moment.
      if (!(await lookupGroup(name)))
        throw new SandboxSetupError(`Could not create the course group "${name}".`, {
          hint: 'Check that groupadd works on this machine, or create the group by hand.',
          cause: error,
        });
    }
    const made = await lookupGroup(name);
    if (!made) throw new SandboxSetupError(`The course group "${name}" vanished after groupadd.`);
    await saveAccountDatabase();
    return made;
  });
  queue = job.catch(() => undefined);
  return job;
}

/** Removes a course's group (tests, and a course removed for good). False when there was none. */
export async function removeCourseGroup(courseId: string): Promise<boolean> {
  const name = courseGroupName(courseId);
  if (!(await lookupGroup(name))) return false;
  await run('groupdel', [name]);
  await saveAccountDatabase();
  return true;
}
