/**
 * The hub's side of the tar helper (tar-helper.py beside this file): one long-lived root process,
 * started on first use, that forks `tar --create` as an account per request, so a submission costs
 * a fork of a small Python process instead of a fork of the hub (which blocks the event loop) and
 * a setpriv. The helper opens the folder without following a link and drops to the account as
 * setpriv does before tar runs; see the script for the protocol.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { AccountIds } from './drop-privileges.js';

const SCRIPT = fileURLToPath(new URL('./tar-helper.py', import.meta.url));
const PYTHON = '/usr/bin/python3';

/** A tar run in the helper, as a child process looks to AccountFolderTar. */
export interface HelperTarRun {
  stdout: PassThrough;
  stderr: PassThrough;
  /** Settles with tar's exit (code or signal); rejects when the helper refused before tar ran. */
  exit: Promise<{ code: number | null; signal: string | null }>;
  kill(): void;
}

interface Pending {
  run: HelperTarRun;
  settle: (end: { code: number | null; signal: string | null }) => void;
  fail: (error: Error) => void;
}

const FRAME_HEADER = 9;

class TarHelper {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private buffered: Buffer = Buffer.alloc(0);

  constructor() {
    this.child = spawn(PYTHON, ['-I', SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.child.stdout!.on('data', (chunk: Buffer) => this.receive(chunk));
    this.child.once('exit', () => {
      if (helper === this) helper = undefined;
      for (const request of this.pending.values()) request.fail(new Error('the tar helper exited'));
      this.pending.clear();
    });
    this.child.on('error', () => undefined); // reported through 'exit' and the pending requests
    this.child.stdin!.on('error', () => undefined);
    this.idle();
  }

  pack(root: string, path: string, account: AccountIds, args: readonly string[]): HelperTarRun {
    const id = this.nextId++;
    let settle!: Pending['settle'];
    let fail!: Pending['fail'];
    const exit = new Promise<{ code: number | null; signal: string | null }>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    const run: HelperTarRun = {
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      exit,
      kill: () => this.send({ op: 'kill', id }),
    };
    this.pending.set(id, { run, settle, fail });
    this.busy();
    this.send({ op: 'pack', id, root, path, uid: account.uid, gid: account.gid, args });
    return run;
  }

  private send(request: object): void {
    this.child.stdin!.write(`${JSON.stringify(request)}\n`);
  }

  /** While requests are under way the helper keeps the hub alive; idle, it does not. */
  private busy(): void {
    this.child.ref();
    (this.child.stdout as unknown as { ref(): void }).ref();
  }

  private idle(): void {
    this.child.unref();
    (this.child.stdout as unknown as { unref(): void }).unref();
    (this.child.stdin as unknown as { unref(): void }).unref();
  }

  private receive(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    while (this.buffered.length >= FRAME_HEADER) {
      const length = this.buffered.readUInt32BE(5);
      if (this.buffered.length < FRAME_HEADER + length) break;
      const id = this.buffered.readUInt32BE(0);
      const kind = this.buffered.readUInt8(4);
      const data = this.buffered.subarray(FRAME_HEADER, FRAME_HEADER + length);
      this.buffered = this.buffered.subarray(FRAME_HEADER + length);
      this.deliver(id, kind, data);
    }
  }

  private deliver(id: number, kind: number, data: Buffer): void {
    const request = this.pending.get(id);
    if (!request) return;
    if (kind === 1) request.run.stdout.write(Buffer.from(data));
    else if (kind === 2) request.run.stderr.write(Buffer.from(data));
    else {
      this.pending.delete(id);
      if (this.pending.size === 0) this.idle();
      request.run.stdout.end();
      request.run.stderr.end();
      const end = JSON.parse(data.toString('utf8')) as {
        code?: number | null;
        signal?: number | null;
        message?: string;
      };
      if (kind === 4) request.fail(new Error(end.message ?? 'refused'));
      else request.settle({ code: end.code ?? null, signal: end.signal ? `signal ${end.signal}` : null });
    }
  }
}

let helper: TarHelper | undefined;

/** Runs `tar ARGS` as `account` in ROOT/PATH through the helper (started on first use). */
export function packWithHelper(
  root: string,
  path: string,
  account: AccountIds,
  args: readonly string[],
): HelperTarRun {
  helper ??= new TarHelper();
  return helper.pack(root, path, account, args);
}
