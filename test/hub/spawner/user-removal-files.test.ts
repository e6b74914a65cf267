// Issue 11 item 9 (c), issue 17 item 4: a removed user keeps nothing, and a new user of the same
// name inherits nothing. On a real hub (real proxy, real jupyter-notebook, real Unix accounts, as
// root): the REST API's delete removes the user's Unix account and moves their home to a root-only
// archive; the next user of that name starts with an empty home.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REMOVED_HOMES_FOLDER } from '../../../src/sandbox/home-archive.js';
import { lookupUnixAccount } from '../../../src/sandbox/unix-accounts.js';
import { startTestHub, type TestHub } from '../servers/hub-fixture.js';
import { liveProcessesOf } from './host-processes.js';

const isRoot = process.getuid?.() === 0;
const FRANK = 'chrmf_frank';
const ADMIN = 'chrmf_admin';

describe.runIf(isRoot)('removing a user through the hub', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ users: [FRANK], admins: [ADMIN] });
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  async function startAndList(token: string): Promise<string[]> {
    const started = await fetch(`${hub.hubUrl}/hub/api/users/${FRANK}/server`, {
      method: 'POST',
      headers: { authorization: `token ${token}` },
    });
    expect(started.status).toBe(201);
    const listing = await fetch(`${hub.proxy.publicUrl}/user/${FRANK}/api/contents`, {
      headers: { authorization: `token ${token}` },
    });
    expect(listing.status).toBe(200);
    return ((await listing.json()) as { content: { name: string }[] }).content.map((entry) => entry.name);
  }

  it('removes their account, archives their home root-only, and a new user of the name starts empty', async () => {
    const token = await hub.token(FRANK);
    expect(await startAndList(token)).not.toContain('answers.ipynb');
    const saved = await fetch(`${hub.proxy.publicUrl}/user/${FRANK}/api/contents/answers.ipynb`, {
      method: 'PUT',
      headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'file', format: 'text', content: 'frank’s answers' }),
    });
    expect(saved.status).toBe(201);
    const account = (await lookupUnixAccount(FRANK))!;

    const deleted = await fetch(`${hub.hubUrl}/hub/api/users/${FRANK}`, {
      method: 'DELETE',
      headers: { authorization: `token ${await hub.token(ADMIN)}` },
    });
    expect(deleted.status).toBe(204);
    const accountAfterRemoval = await lookupUnixAccount(FRANK);
    const homeAfterRemoval = existsSync(account.home);
    expect(liveProcessesOf(account.uid)).toEqual([]);

    // A new user of the same name: a new account, and nothing of the old one's.
    await hub.services.users.create({ name: FRANK, admin: false });
    expect(await startAndList(await hub.token(FRANK))).not.toContain('answers.ipynb');
    expect(accountAfterRemoval).toBeUndefined();
    expect(homeAfterRemoval).toBe(false);
    expect(statSync(account.home).uid).toBe((await lookupUnixAccount(FRANK))!.uid);

    const archive = join(account.home, '..', REMOVED_HOMES_FOLDER);
    expect(statSync(archive).mode & 0o777).toBe(0o700);
    expect(statSync(archive).uid).toBe(0);
    const archived = readdirSync(archive).filter((name) => name.startsWith(`${FRANK}-`));
    expect(archived).toHaveLength(1);
    expect(readFileSync(join(archive, archived[0]!, 'answers.ipynb'), 'utf8')).toBe('frank’s answers');
  });
});
