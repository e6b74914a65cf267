/**
 * Test helper: runs Python code in a kernel of a real Jupyter server through its REST API and
 * kernel websocket (the Jupyter messaging protocol over JSON). `runCodeOnServer` starts a kernel,
 * runs one cell, returns what it printed and deletes the kernel; `openKernel` keeps the kernel for
 * several cells, and can start a cell without waiting for it (a fork bomb never ends).
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

interface KernelMessage {
  msg_type: string;
  parent_header: { msg_id?: string };
  content: Record<string, unknown>;
}

export interface CellOutcome {
  /** stdout, results and `Ename: evalue` of errors, in order. */
  output: string;
  /** `idle`: the cell ended; `died`: the server reported the kernel restarting or dead meanwhile. */
  ended: 'idle' | 'died';
}

export interface KernelOnServer {
  readonly id: string;
  /** Runs a cell and waits until it ends or the kernel dies (rejects after `timeoutMs`). */
  execute(code: string, timeoutMs?: number): Promise<CellOutcome>;
  /** Starts a cell and returns at once. */
  send(code: string): void;
  /** Closes the websocket and deletes the kernel. */
  close(): Promise<void>;
}

export async function openKernel(baseUrl: string, token: string): Promise<KernelOnServer> {
  const auth = { Authorization: `token ${token}` };
  const created = await fetch(new URL('api/kernels', baseUrl), { method: 'POST', headers: auth, body: '{}' });
  if (created.status !== 201) throw new Error(`starting a kernel: HTTP ${created.status}`);
  const kernel = (await created.json()) as { id: string };
  const wsUrl = new URL(`api/kernels/${kernel.id}/channels`, baseUrl);
  wsUrl.protocol = 'ws:';
  const socket = new WebSocket(wsUrl, { headers: auth });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const session = randomUUID();
  const send = (code: string): string => {
    const msgId = randomUUID();
    socket.send(
      JSON.stringify({
        header: {
          msg_id: msgId,
          msg_type: 'execute_request',
          username: 'test',
          session,
          date: new Date().toISOString(),
          version: '5.3',
        },
        parent_header: {},
        metadata: {},
        content: {
          code,
          silent: false,
          store_history: false,
          user_expressions: {},
          allow_stdin: false,
          stop_on_error: true,
        },
        channel: 'shell',
        buffers: [],
      }),
    );
    return msgId;
  };
  return {
    id: kernel.id,
    send: (code) => void send(code),
    execute(code, timeoutMs = 30_000) {
      const output: string[] = [];
      return new Promise<CellOutcome>((resolve, reject) => {
        let msgId = '';
        const finish = (ended: CellOutcome['ended']) => {
          clearTimeout(timer);
          socket.off('message', onMessage);
          resolve({ output: output.join(''), ended });
        };
        const timer = setTimeout(() => {
          socket.off('message', onMessage);
          reject(new Error(`no reply; output so far: ${output.join('')}`));
        }, timeoutMs);
        const onMessage = (raw: WebSocket.RawData) => {
          const msg = JSON.parse(String(raw)) as KernelMessage;
          // The server's own news of the kernel (its restarter) has no parent.
          const state = msg.msg_type === 'status' ? msg.content.execution_state : undefined;
          if (state === 'restarting' || state === 'dead') return finish('died');
          if (msg.parent_header.msg_id !== msgId) return;
          if (msg.msg_type === 'stream') output.push(String(msg.content.text));
          if (msg.msg_type === 'execute_result')
            output.push(String((msg.content.data as Record<string, string>)['text/plain']));
          if (msg.msg_type === 'error')
            output.push(`${String(msg.content.ename)}: ${String(msg.content.evalue)}`);
          if (state === 'idle') finish('idle');
        };
        socket.on('message', onMessage);
        msgId = send(code);
      });
    },
    async close() {
      socket.close();
      await fetch(new URL(`api/kernels/${kernel.id}`, baseUrl), { method: 'DELETE', headers: auth }).catch(
        () => undefined,
      );
    },
  };
}

export async function runCodeOnServer(baseUrl: string, token: string, code: string): Promise<string> {
  const kernel = await openKernel(baseUrl, token);
  try {
    const { output, ended } = await kernel.execute(code);
    if (ended === 'died') throw new Error(`the kernel died; output so far: ${output}`);
    return output;
  } finally {
    await kernel.close();
  }
}
