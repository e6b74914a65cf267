// The admin console in real Chromium against a real hub listening on loopback: log in through
// the login page with the local authenticator, then list, filter, sort and page users, add,
// delete (with confirmation), grant and revoke admin, import the two CSV files (and see a bad
// file's line and reason), manage groups. A student gets the 403 page; CSRF-less posts fail.
// Once with hub.baseUrl '/' and once under a prefix.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHub } from '../../src/app/build-hub.js';
import type { HubServices } from '../../src/app/services.js';
import { configSchema } from '../../src/config/schema.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import type { UserService } from '../../src/hub/users/user-service.js';
import { BASE_URLS, launchBrowser, newPage } from '../support/browser.js';

const ADMIN_PASSWORD = 'correct horse battery';

describe.each(BASE_URLS)('admin console in Chromium (hub.baseUrl %s)', (baseUrl) => {
  let app: FastifyInstance;
  let handle: DatabaseHandle;
  let services: HubServices;
  /** Where the hub is, without the trailing slash: http://127.0.0.1:PORT plus hub.baseUrl. */
  let base: string;
  let browser: Browser;
  let users: UserService;
  let files: string;

  async function login(page: Page, name: string, password: string): Promise<void> {
    await page.goto(`${base}/hub/admin`);
    // not signed in: sent to the login page, which brings us back afterwards
    await page.waitForURL(/\/hub\/login/);
    await page.fill('#username', name);
    await page.fill('#password', password);
    await page.click('button[type=submit]');
  }

  function rowOf(page: Page, name: string) {
    return page.locator(`#users tr[data-user="${name}"]`);
  }

  beforeAll(async () => {
    files = mkdtempSync(join(tmpdir(), 'coursehub-admin-test-'));
    handle = openDatabase({ url: ':memory:' });
    await migrateToLatest(handle.db);
    const config = configSchema.parse({
      hub: { cookieSecret: 'b'.repeat(64), baseUrl },
      auth: { authenticator: 'local', local: { adminUser: 'admin', adminPassword: ADMIN_PASSWORD } },
    });
    // The login, REST API and admin areas of the hub app (and the stylesheet their pages load), as
    // src/app/build-hub.ts builds them.
    ({ app, services } = await buildHub(
      { config, db: handle.db, log: pino({ level: 'silent' }) },
      { auth: { env: {} }, areas: ['assets', 'login', 'api', 'admin'] },
    ));
    base = `${await app.listen({ host: '127.0.0.1', port: 0 })}${services.urls.base.replace(/\/$/, '')}`;
    ({ users } = services);
    for (let i = 1; i <= 12; i++) await users.create({ name: `student${String(i).padStart(2, '0')}` });
    await users.create({ name: 'pupil' });
    await services.auth.localAccounts!.setPassword('pupil', 'pupil password');
    // activity so that sorting by it differs from sorting by name
    await users.touch('student07', '2026-03-01T10:00:00.000Z');
    await users.touch('student03', '2026-02-01T10:00:00.000Z');
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await handle?.close();
    rmSync(files, { recursive: true, force: true });
  });

  let page: Page;
  let pageErrors: string[];

  it('logs in through the login page and shows the users, paginated', async () => {
    ({ page, pageErrors } = await newPage(browser));
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.waitForURL(`${base}/hub/admin`);
    expect(await page.locator('h1').textContent()).toBe('Admin');
    expect(await page.locator('#page-info').textContent()).toBe('1–14 of 14');
    await page.goto(`${base}/hub/admin?limit=5`);
    expect(await page.locator('#users tbody tr').count()).toBe(5);
    expect(await page.locator('#page-info').textContent()).toBe('1–5 of 14');
    await page.click('#next-page');
    expect(await page.locator('#page-info').textContent()).toBe('6–10 of 14');
    expect(await page.locator('#users tbody tr .name').first().textContent()).toBe('student04');
    await page.click('#prev-page');
    expect(await page.locator('#users tbody tr .name').first().textContent()).toBe('admin');
  });

  it('filters by name and sorts by last activity', async () => {
    await page.goto(`${base}/hub/admin`);
    await page.fill('#filter', 'student1');
    await page.click('form.filter button');
    const filtered = await page.locator('#users tbody tr .name').allTextContents();
    expect(filtered).toEqual(['student10', 'student11', 'student12']);
    await page.goto(`${base}/hub/admin`);
    await page.click('#sort-last_activity');
    const names = await page.locator('#users tbody tr .name').allTextContents();
    // most recent first: admin (this login counts as activity), student07 (March), then
    // student03 (February); never-active users after
    expect(names.slice(0, 3)).toEqual(['admin', 'student07', 'student03']);
    await page.click('#sort-last_activity'); // again: oldest first
    const ascending = await page.locator('#users tbody tr .name').allTextContents();
    expect(ascending.indexOf('student03')).toBeLessThan(ascending.indexOf('student07'));
  });

  it('adds users, refusing a bad name without losing the input', async () => {
    await page.goto(`${base}/hub/admin`);
    await page.fill('#usernames', 'newbie1\n../etc');
    await page.click('#add-users button');
    expect(await page.locator('.flash.error').textContent()).toContain('Invalid username');
    expect(await page.locator('#usernames').inputValue()).toBe('newbie1\n../etc');
    expect(await users.get('newbie1')).toBeUndefined(); // all or nothing
    await page.fill('#usernames', 'newbie1, newbie2');
    await page.click('#add-users button');
    expect(await page.locator('.flash.info').textContent()).toContain('Added: newbie1, newbie2');
    expect(await users.get('newbie2')).toMatchObject({ admin: false });
  });

  it('grants and revokes admin', async () => {
    await page.goto(`${base}/hub/admin?filter=newbie1`);
    await rowOf(page, 'newbie1').locator('button', { hasText: 'Make admin' }).click();
    expect(await page.locator('.flash.info').textContent()).toContain('Now an admin: newbie1');
    expect(await rowOf(page, 'newbie1').locator('.admin').textContent()).toBe('admin');
    expect((await users.get('newbie1'))!.admin).toBe(true);
    await rowOf(page, 'newbie1').locator('button', { hasText: 'Revoke admin' }).click();
    expect((await users.get('newbie1'))!.admin).toBe(false);
  });

  it('resets a local password through the login area', async () => {
    await page.goto(`${base}/hub/admin?filter=pupil`);
    await rowOf(page, 'pupil').locator('button', { hasText: 'Reset password' }).click();
    expect(await page.locator('main').textContent()).toContain('pupil');
    expect(await services.auth.localAccounts!.mustChange('pupil')).toBe(true);
    await services.auth.localAccounts!.setPassword('pupil', 'pupil password');
  });

  it('deletes a user only after confirmation', async () => {
    await page.goto(`${base}/hub/admin?filter=newbie2`);
    await rowOf(page, 'newbie2').locator('button', { hasText: 'Delete' }).click();
    expect(await page.locator('#question').textContent()).toContain('Delete user newbie2?');
    expect(await users.get('newbie2')).toBeDefined();
    await page.click('#confirm');
    expect(await page.locator('.flash.info').textContent()).toContain('Deleted user newbie2');
    expect(await users.get('newbie2')).toBeUndefined();
  });

  it('imports the CSV files, and shows a bad file with its line and reason', async () => {
    const instructors = join(files, 'instructors.csv');
    const students = join(files, 'students.csv');
    writeFileSync(
      instructors,
      '\uFEFFid,first_name,last_name,email\r\nprof,Ada,Lovelace,ada@example.org\r\n',
    );
    writeFileSync(
      students,
      'id,first_name,last_name,email\n# a comment\nstu1,Alan,Turing,alan@example.org\n\nstu2,Grace,Hopper,\n',
    );
    await page.goto(`${base}/hub/admin`);
    await page.setInputFiles('#instructors', instructors);
    await page.setInputFiles('#students', students);
    await page.click('#import button');
    expect(await page.locator('.flash.info').textContent()).toContain('3 added');
    expect(await users.get('prof')).toMatchObject({
      admin: true,
      firstName: 'Ada',
      email: 'ada@example.org',
    });
    expect(await users.get('stu2')).toMatchObject({ admin: false, lastName: 'Hopper' });

    const bad = join(files, 'students-bad.csv');
    writeFileSync(bad, 'id,first_name,last_name,email\nstu3,A,B,c@d.e\nstu3,A,B,c@d.e\n');
    await page.setInputFiles('#students', bad);
    await page.click('#import button');
    const error = await page.locator('.flash.error').textContent();
    expect(error).toContain('students.csv');
    expect(error).toMatch(/:3\b/);
    expect(error?.toLowerCase()).toContain('duplicate');
    expect(error).not.toContain(tmpdir());
    expect(await users.get('stu3')).toBeUndefined();
  });

  it('creates a group, adds and removes members, deletes it', async () => {
    await page.goto(`${base}/hub/admin`);
    await page.fill('#group-name', 'lab-a');
    await page.click('#groups form:has(#group-name) button');
    expect(await page.locator('.flash.info').textContent()).toContain('Created group lab-a');
    const row = page.locator('#groups tr[data-group="lab-a"]');
    await row.locator('input[name=users]').fill('stu1 stu2');
    await row.locator('button', { hasText: 'Add' }).click();
    expect((await users.getGroup('lab-a'))!.users).toEqual(['stu1', 'stu2']);
    expect(await page.locator('#groups tr[data-group="lab-a"] .member').count()).toBe(2);
    await page.locator('#groups tr[data-group="lab-a"] [data-member="stu1"] button').click();
    expect((await users.getGroup('lab-a'))!.users).toEqual(['stu2']);
    await page.locator('#groups tr[data-group="lab-a"] button', { hasText: 'Delete group' }).click();
    await page.click('#confirm');
    expect(await users.getGroup('lab-a')).toBeUndefined();
    // Refused forms answer 400 on purpose and there is no favicon (Chromium logs both as
    // console errors); a script error is not allowed.
    expect(
      pageErrors.filter((e) => !e.startsWith('Failed to load resource')),
      pageErrors.join('\n'),
    ).toEqual([]);
  });

  it('a student gets the 403 page', async () => {
    const student = await newPage(browser);
    await login(student.page, 'pupil', 'pupil password');
    await student.page.waitForURL(`${base}/hub/admin`);
    const res = await student.page.goto(`${base}/hub/admin`);
    expect(res?.status()).toBe(403);
    expect(await student.page.locator('h1').textContent()).toContain('admins only');
    await student.context.close();
  });

  it('metrics count the logins by result, for an admin session', async () => {
    const stranger = await newPage(browser);
    await login(stranger.page, 'admin', 'wrong password');
    expect(await stranger.page.locator('.flash.error').textContent()).toContain(
      'Invalid user name or password',
    );
    await stranger.context.close();
    const res = await page.request.get(`${base}/hub/metrics`);
    expect(res.status()).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/coursehub_logins_total\{result="success"\} 2\n/);
    expect(text).toMatch(/coursehub_logins_total\{result="failure"\} 1\n/);
  });

  it('a form posted without the CSRF token is refused', async () => {
    const res = await page.request.post(`${base}/hub/admin/users/add`, { form: { usernames: 'sneaky' } });
    expect(res.status()).toBe(403);
    expect(await users.get('sneaky')).toBeUndefined();
  });
});
