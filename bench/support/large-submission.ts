/**
 * The large submission in real Chromium: a notebook of 200 cells with 50 images (PNG
 * plots of about 25 KB) and the assignment's graded cells among them, put as one
 * student's autograded notebook, then its grading page opened through the hub as
 * `coursehub start` builds it, listening on loopback, by a signed-in admin.
 *
 * "Interactive" is the navigation's `loadEventEnd` (the HTML parsed, every image decoded, the
 * deferred grading script run), read from the page's own Navigation Timing; after each load the
 * page must answer the keyboard as a grader uses it (Tab puts the caret in the first score box),
 * or the run fails. `rounds` loads, each in a fresh browser context (no cache).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { buildHub } from '../../src/app/build-hub.js';
import { configSchema } from '../../src/config/schema.js';
import type { Database } from '../../src/db/schema.js';
import { SESSION_COOKIE_NAME } from '../../src/hub/auth/session-cookie.js';
import { launchBrowser } from '../../test/support/browser.js';

const CELLS = 200;
const IMAGES = 50;

/**
 * A PNG of `width` x `height` RGB pixels drawn like a plot: white, a light grid, two curves with
 * soft (noisy) edges and a scatter of points; about 25 KB at 640 x 480, as small matplotlib figures are.
 */
export function pngImage(width: number, height: number, seed: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, no filter method, no interlace
  const stride = width * 3 + 1;
  const rows = Buffer.alloc(stride * height, 255);
  const noise = randomBytes(width * height);
  const paint = (x: number, y: number, [r, g, b]: number[]) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    rows.set([r!, g!, b!], y * stride + 1 + x * 3);
  };
  for (let y = 0; y < height; y++) rows[y * stride] = 0; // filter type: none
  for (let x = 0; x < width; x += 40) for (let y = 0; y < height; y++) paint(x, y, [230, 230, 230]);
  for (let y = 0; y < height; y += 40) for (let x = 0; x < width; x++) paint(x, y, [230, 230, 230]);
  for (let x = 0; x < width; x++) {
    const curves: [number, number[]][] = [
      [height / 2 + (height / 3) * Math.sin((x + seed * 13) / 37), [31, 119, 180]],
      [height / 2 + (height / 4) * Math.cos((x - seed * 7) / 23), [255, 127, 14]],
    ];
    for (const [center, colour] of curves)
      for (let dy = -3; dy <= 3; dy++) {
        const y = Math.round(center) + dy;
        const soft = Math.abs(dy) === 3 ? noise[(y * width + x) % noise.length]! % 64 : 0;
        paint(
          x,
          y,
          colour.map((c) => Math.min(255, c + soft)),
        );
      }
  }
  for (let i = 0; i < 300; i++) {
    const x = noise[i * 2]! * (width / 256);
    const y = noise[i * 2 + 1]! * (height / 256);
    for (let d = 0; d < 9; d++)
      paint(Math.round(x) + (d % 3), Math.round(y) + Math.floor(d / 3), [44, 160, 44]);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * CELLS cells: filler (markdown with math and a table, code with printed output, IMAGES of them
 * with an image) and the `graded` cells (already notebook cells) spread evenly among them, in order.
 */
export function largeNotebook(graded: object[]): { notebook: object; bytes: number } {
  const filler = CELLS - graded.length;
  const every = Math.floor(filler / IMAGES);
  const cells: object[] = [];
  let images = 0;
  for (let i = 0; i < filler; i++) {
    if (i % every === 1 && images < IMAGES) {
      images++;
      cells.push(codeCell(i, { output_type: 'display_data', metadata: {}, data: imageData(i) }));
    } else if (i % 2 === 0)
      cells.push({
        cell_type: 'markdown',
        metadata: {},
        source: `## Step ${i}\nWe look at $f(x) = x^{${i % 9}} + \\sum_{k=1}^{n} k$ and at the table below.\n\n| n | f(n) |\n|---|---|\n| 1 | ${i} |`,
      });
    else cells.push(codeCell(i));
  }
  graded.forEach((cell, j) =>
    cells.splice(Math.round(((j + 1) * cells.length) / (graded.length + 1)), 0, cell),
  );
  if (images !== IMAGES || cells.length !== CELLS)
    throw new Error(`large notebook: ${cells.length} cells, ${images} images`);
  const notebook = {
    cells,
    metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return { notebook, bytes: JSON.stringify(notebook).length };
}

function codeCell(i: number, extra?: object): object {
  const printed = { output_type: 'stream', name: 'stdout', text: `step ${i}: ${'x'.repeat(60)}\n` };
  return {
    cell_type: 'code',
    execution_count: i,
    metadata: {},
    outputs: extra ? [printed, extra] : [printed],
    source: `import math\nvalues = [math.sin(k / ${i + 1}) for k in range(100)]\nprint("step ${i}:", "x" * 60)`,
  };
}

const imageData = (i: number) => ({
  'image/png': pngImage(640, 480, i).toString('base64'),
  'text/plain': '<Figure size 640x480 with 1 Axes>',
});

export interface LargeSubmission {
  /** The hub's data folder (the course's directory is below it). */
  dataDir: string;
  db: Kysely<Database>;
  courseDir: string;
  course: string;
  assignment: string;
  notebook: string;
  student: string;
  /** The notebook's graded cells, as the autograded notebook has them. */
  graded: object[];
}

/** The times of `rounds` loads of the large submission's grading page to interactive, in ms. */
export async function largeSubmissionInteractive(
  setup: LargeSubmission,
  rounds: number,
): Promise<{ times: number[]; cells: number; bytes: number; htmlBytes: number }> {
  const { notebook, bytes } = largeNotebook(setup.graded);
  const folder = join(setup.courseDir, 'autograded', setup.student, setup.assignment);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, `${setup.notebook}.ipynb`), JSON.stringify(notebook));

  const config = configSchema.parse({
    hub: { dataDir: setup.dataDir, cookieSecret: 'c'.repeat(64) },
    log: { level: 'warn' },
  });
  const log = pino({ level: 'warn' });
  const { app, services } = await buildHub(
    { config, db: setup.db, log },
    { auth: { print: () => undefined } },
  );
  const browser = await launchBrowser();
  try {
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const session = await services.sessions.create('admin');
    const path = services.urls.hub(
      `courses/${setup.course}/grading/${setup.assignment}/${setup.student}/${setup.notebook}`,
    );
    let htmlBytes = 0;
    const times: number[] = [];
    for (let round = -1; round < rounds; round++) {
      const context = await browser.newContext({ baseURL: address });
      await context.addCookies([{ name: SESSION_COOKIE_NAME, value: session.cookieValue, url: address }]);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      const response = await page.goto(path, { waitUntil: 'load' });
      if (response?.status() !== 200) throw new Error(`grading page: HTTP ${response?.status()}`);
      const loaded = await page.evaluate(() => {
        const [entry] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
        const images = Array.from(document.images);
        return {
          ms: entry!.loadEventEnd - entry!.startTime,
          htmlBytes: entry!.decodedBodySize,
          images: images.filter((image) => image.complete && image.naturalWidth > 0).length,
          cells: document.querySelectorAll('.nb-cell').length,
        };
      });
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(
        () => document.activeElement?.classList.contains('tabbable') ?? false,
      );
      if (!focused || errors.length > 0 || loaded.images < IMAGES || loaded.cells < CELLS)
        throw new Error(
          `large submission: not interactive as expected (Tab to a box: ${focused}, images ${loaded.images}, ` +
            `cells ${loaded.cells}, errors: ${errors.join('; ')})`,
        );
      htmlBytes = loaded.htmlBytes;
      if (round >= 0) times.push(loaded.ms); // round -1 warms the hub and Chromium
      await context.close();
    }
    return { times, cells: CELLS, bytes, htmlBytes };
  } finally {
    await browser.close();
    await app.close();
  }
}
