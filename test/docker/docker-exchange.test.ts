// The exchange on Docker volumes (issue 13, item 2): fetch, submit, collect and feedback read and
// write a student's volume `jupyterhub-user-NAME` with the student's own uid while no container
// of theirs runs, and what they wrote is the student's in their server afterwards. An
// instructor's server sees the course directory, writable, with the course's group; a student's
// does not.
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnerFactoryFromConfig } from '../../src/hub/spawner/factory.js';
import type { UserStorage } from '../../src/hub/spawner/spawner.js';
import { lookupUnixAccount } from '../../src/sandbox/unix-accounts.js';
import { startCourseHub, type CourseHub } from '../web/support/course-hub.js';
import {
  docker,
  DOCKER_SETUP_TIMEOUT_MS,
  dockerSpawnerSettings,
  dockerTestImage,
  execIn,
  removeDockerLeftovers,
} from './support/docker-env.js';

const PROF = 'chdx_prof';
const AMY = 'chdx_amy';
const EVERYONE = [PROF, 'chdx_grader', AMY, 'chdx_oprof', 'chdx_ostud', 'chdx_admin'];
const COURSE = 'dxa';
const NOTEBOOK = `${COURSE}/ps1/p1.ipynb`;
let ch: CourseHub;
let storageOf: (name: string) => UserStorage;

async function volumeFolder(name: string): Promise<string> {
  return (await docker.getVolume(`jupyterhub-user-${name}`).inspect()).Mountpoint;
}

beforeAll(async () => {
  const image = await dockerTestImage();
  await removeDockerLeftovers(EVERYONE);
  ch = await startCourseHub(
    {
      prof: PROF,
      grader: 'chdx_grader',
      students: [AMY],
      otherProf: 'chdx_oprof',
      otherStudent: 'chdx_ostud',
      admin: 'chdx_admin',
    },
    { a: COURSE, b: 'dxb' },
    '/',
    { class: 'docker', docker: dockerSpawnerSettings(image) },
  );
  const { config } = ch.hub.services;
  const factory = spawnerFactoryFromConfig(config.spawner, {
    logDir: join(config.hub.dataDir, 'logs', 'servers'),
    log: pino({ level: 'silent' }),
  });
  storageOf = (name) => factory(name, '').storage;
}, DOCKER_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await ch?.dispose();
  await removeDockerLeftovers(EVERYONE);
});

describe('the exchange on Docker volumes', () => {
  it("fetches into the student's volume as the student, with no container running", async () => {
    const { courseWork, exchange } = ch.hub.services;
    await courseWork.addAssignment(COURSE, 'ps1', '', { name: PROF });
    await courseWork.generate(COURSE, 'ps1', { name: PROF });
    await exchange.release(COURSE, 'ps1', { name: PROF });
    await expect(docker.getContainer(`jupyter-${AMY}`).inspect()).rejects.toMatchObject({ statusCode: 404 });

    expect(await exchange.fetch(COURSE, 'ps1', { name: AMY })).toMatchObject({
      folder: `${COURSE}/ps1`,
      written: ['p1.ipynb'],
      kept: [],
    });
    const account = (await lookupUnixAccount(AMY))!;
    const folder = await volumeFolder(AMY);
    for (const path of ['', COURSE, `${COURSE}/ps1`, NOTEBOOK]) {
      const entry = lstatSync(join(folder, path));
      expect([entry.uid, entry.gid], path).toEqual([account.uid, account.gid]);
    }
  });

  it('submits from the volume, as the student, with no container running', async () => {
    const answered = JSON.parse((await storageOf(AMY).readFile(NOTEBOOK)).toString('utf8')) as {
      cells: { id?: string; source: unknown }[];
    };
    answered.cells.find((cell) => cell.id === 'answer')!.source = 'a = 1';
    await storageOf(AMY).writeFile(NOTEBOOK, JSON.stringify(answered));
    const receipt = await ch.hub.services.exchange.submit(COURSE, 'ps1', { name: AMY });
    expect(receipt.checksum).toMatch(/^[0-9a-f]{64}$/);
    const collected = await ch.hub.services.exchange.collect(COURSE, 'ps1', { name: PROF });
    expect(JSON.stringify(collected)).toContain(AMY);
  });

  it('returns feedback into the volume, as the student, with no container running', async () => {
    const { courseWork, exchange } = ch.hub.services;
    const since = Math.floor(Date.now() / 1000) - 1;
    await courseWork.autograde(COURSE, 'ps1', { name: PROF }, () => undefined);
    // Graded in a throwaway container of the image (item 3), started and gone again.
    const events = (await docker.getEvents({
      since,
      until: Math.ceil(Date.now() / 1000) + 1,
      filters: { label: ['coursehub.sandbox'], type: ['container'] },
    })) as unknown as NodeJS.ReadableStream;
    let text = '';
    for await (const chunk of events) text += String(chunk);
    const actions = text
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { Action: string; from?: string }).Action);
    expect(actions).toEqual(expect.arrayContaining(['create', 'start', 'die', 'destroy']));
    await courseWork.generateFeedback(COURSE, 'ps1', { name: PROF });
    await exchange.releaseFeedback(COURSE, 'ps1', { name: PROF });
    const fetched = await exchange.fetchFeedback(COURSE, 'ps1', { name: AMY });
    expect(JSON.stringify(fetched)).toContain('p1.html');
    const account = (await lookupUnixAccount(AMY))!;
    const folder = await volumeFolder(AMY);
    const feedback = (await storageOf(AMY).listFolder(`${COURSE}/ps1/feedback`)).map((e) => e.name);
    expect(feedback).toHaveLength(1);
    const page = join(folder, COURSE, 'ps1', 'feedback', feedback[0]!, 'p1.html');
    expect(lstatSync(page).uid).toBe(account.uid);
  });

  it("is the student's own in their server; only an instructor's server sees the course directory", async () => {
    const { servers } = ch.hub.services;
    await (
      await servers.start(AMY)
    ).ready;
    await (
      await servers.start(PROF)
    ).ready;
    const mine = await execIn(
      `jupyter-${AMY}`,
      ['sh', '-c', `cat ${NOTEBOOK} >/dev/null && touch ${NOTEBOOK} && echo ok`],
      AMY,
    );
    expect(mine.output.trim()).toBe('ok');
    const studentSees = await execIn(`jupyter-${AMY}`, ['ls', '-A', `/home/${AMY}`], AMY);
    expect(studentSees.output.split('\n')).toEqual(expect.arrayContaining([COURSE]));
    // The student's COURSE folder is her fetched copy, not the course directory.
    expect((await execIn(`jupyter-${AMY}`, ['ls', `/home/${AMY}/${COURSE}`], AMY)).output.trim()).toBe('ps1');

    // The instructor's server: the course directory at ~/COURSE, writable through the course's group.
    const inside = await execIn(
      `jupyter-${PROF}`,
      ['sh', '-c', `ls /home/${PROF}/${COURSE} && touch /home/${PROF}/${COURSE}/made-inside && id -Gn`],
      PROF,
    );
    expect(inside.exitCode).toBe(0);
    expect(inside.output).toContain('source');
    expect(inside.output).toContain(`ch-${COURSE}`);
    expect(lstatSync(join(ch.courseDirA, 'made-inside')).isFile()).toBe(true);
    for (const name of [AMY, PROF]) await (await servers.stop(name)).done;
  });
});
