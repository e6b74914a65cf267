/**
 * Test helper: "the outside world" on a machine without internet. A network namespace of its own
 * joined to the host by a veth pair (host 10.200.N.1/30, namespace 10.200.N.2/30), with a TCP
 * listener on port 80 in it. The namespace also answers as the cloud metadata address
 * 169.254.169.254 (a /32 route on the host points there), so that reaching "metadata" can
 * succeed when nothing stops it, as on a cloud machine. Needs root.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

export interface OutsideNetwork {
  /** An address off this host, e.g. 10.200.17.2. */
  address: string;
  /** This host's own end of the pair, e.g. 10.200.17.1: an address of this host that is not loopback. */
  hostAddress: string;
  port: number;
  /** 169.254.169.254, served by the same listener. */
  metadataAddress: string;
  dispose(): void;
}

const METADATA = '169.254.169.254';

// Accepts connections and closes them: reaching it is all a test asks.
const LISTENER = `
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', 80))
s.listen(64)
print('listening', flush=True)
while True:
    c, _ = s.accept()
    c.close()
`;

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

export async function createOutsideNetwork(): Promise<OutsideNetwork> {
  const n = process.pid % 250;
  const ns = `chout${process.pid}`;
  const hostEnd = `chov${process.pid}h`;
  const nsEnd = `chov${process.pid}n`;
  const address = `10.200.${n}.2`;
  let listener: ChildProcess | undefined;
  const dispose = () => {
    if (listener?.pid) {
      try {
        process.kill(listener.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    for (const args of [
      ['route', 'del', `${METADATA}/32`, 'via', address],
      ['link', 'del', hostEnd],
      ['netns', 'del', ns],
    ]) {
      try {
        ip(...args);
      } catch {
        // not there
      }
    }
  };
  dispose();
  try {
    ip('netns', 'add', ns);
    ip('link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', nsEnd);
    ip('link', 'set', nsEnd, 'netns', ns);
    ip('addr', 'add', `10.200.${n}.1/30`, 'dev', hostEnd);
    ip('link', 'set', hostEnd, 'up');
    ip('-n', ns, 'addr', 'add', `${address}/30`, 'dev', nsEnd);
    ip('-n', ns, 'addr', 'add', `${METADATA}/32`, 'dev', nsEnd);
    ip('-n', ns, 'link', 'set', nsEnd, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'route', 'add', 'default', 'via', `10.200.${n}.1`);
    ip('route', 'add', `${METADATA}/32`, 'via', address);
    listener = spawn('ip', ['netns', 'exec', ns, '/usr/bin/python3', '-c', LISTENER], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      listener!.once('exit', (code) => reject(new Error(`the outside listener exited (${code})`)));
      listener!.stdout!.once('data', () => resolve());
    });
  } catch (error) {
    dispose();
    throw error;
  }
  return { address, hostAddress: `10.200.${n}.1`, port: 80, metadataAddress: METADATA, dispose };
}
