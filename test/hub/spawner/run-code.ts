/**
 * Test helper: runs Python code in a new kernel of a real Jupyter server through its REST API and
 * kernel websocket (the Jupyter messaging protocol over JSON), and returns what it printed.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

export async function runCodeOnServer(baseUrl: string, token: string, code: string): Promise<string> {
  const auth = { Authorization: `token ${token}` };
  const created = await fetch(new URL('api/kernels', baseUrl), { method: 'POST', headers: auth, body: '{}' });
  if (created.status !== 201) throw new Error(`starting a kernel: HTTP ${created.status}`);
  const kernel = (await created.json()) as { id: string };
  try {
    const wsUrl = new URL(`api/kernels/${kernel.id}/channels`, baseUrl);
    wsUrl.protocol = 'ws:';
    const socket = new WebSocket(wsUrl, { headers: auth });
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const msgId = randomUUID();
    const output: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no reply; output so far: ${output.join('')}`)),
        30_000,
      );
      socket.on('message', (raw) => {
        const msg = JSON.parse(String(raw)) as {
          msg_type: string;
          parent_header: { msg_id?: string };
          content: Record<string, unknown>;
        };
        if (msg.parent_header.msg_id !== msgId) return;
        if (msg.msg_type === 'stream') output.push(String(msg.content.text));
        if (msg.msg_type === 'execute_result')
          output.push(String((msg.content.data as Record<string, string>)['text/plain']));
        if (msg.msg_type === 'error')
          output.push(`${String(msg.content.ename)}: ${String(msg.content.evalue)}`);
        if (msg.msg_type === 'status' && msg.content.execution_state === 'idle') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    socket.send(
      JSON.stringify({
        header: {
          msg_id: msgId,
          msg_type: 'execute_request',
          username: 'test',
          session: randomUUID(),
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
    await done;
    socket.close();
    return output.join('');
  } finally {
    await fetch(new URL(`api/kernels/${kernel.id}`, baseUrl), { method: 'DELETE', headers: auth }).catch(
      () => undefined,
    );
  }
}
