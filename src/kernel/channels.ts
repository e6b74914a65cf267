/**
 * The client side of a kernel's five ZeroMQ channels (stdin is not used: grading never reads
 * input). Every received message's HMAC is checked; a message that fails is dropped and logged,
 * so a process that can reach the sockets cannot inject outputs or replies.
 */
import { randomUUID } from 'node:crypto';
import * as zmq from 'zeromq';
import { deserialize, MessageSigner, newMessage, serialize, type JupyterMessage } from './wire.js';

export interface ConnectionInfo {
  transport: 'ipc' | 'tcp';
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: 'hmac-sha256';
  kernel_name: string;
}

/** pino-compatible: what the kernel layer needs from a logger. */
export interface KernelLogger {
  warn(details: object, message: string): void;
}

export const stderrLogger: KernelLogger = {
  warn: (details, message) => process.stderr.write(`[kernel] ${message} ${JSON.stringify(details)}\n`),
};

export function channelAddress(info: ConnectionInfo, port: number): string {
  return info.transport === 'ipc' ? `ipc://${info.ip}-${port}` : `tcp://${info.ip}:${port}`;
}

type ReplyWaiter = (message: JupyterMessage) => void;

export class KernelChannels {
  readonly session = randomUUID();
  /** Messages dropped because their signature did not verify (tests and the grading log read it). */
  rejectedMessages = 0;
  private readonly signer: MessageSigner;
  private readonly shell = new zmq.Dealer({ routingId: `shell-${randomUUID()}`, linger: 0 });
  private readonly control = new zmq.Dealer({ routingId: `control-${randomUUID()}`, linger: 0 });
  private iopub: zmq.Subscriber;
  private readonly iopubLossListeners = new Set<() => void>();
  private readonly heartbeat = new zmq.Dealer({ linger: 0 });
  private readonly replyWaiters = new Map<string, ReplyWaiter>();
  private readonly iopubListeners = new Set<(message: JupyterMessage) => void>();
  private readonly sendQueues = new Map<string, Promise<void>>();
  private lastHeartbeatAt = Date.now();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private closing = false;

  constructor(
    private readonly info: ConnectionInfo,
    private readonly log: KernelLogger,
    /** Bounds what one IOPub message may weigh in memory; larger ones are refused by ZeroMQ. */
    private readonly maxMessageBytes: number,
  ) {
    this.signer = new MessageSigner(info.key);
    this.iopub = this.newIopubSocket();
  }

  private newIopubSocket(): zmq.Subscriber {
    return new zmq.Subscriber({ linger: 0, maxMessageSize: this.maxMessageBytes });
  }

  private openIopub(socket: zmq.Subscriber): void {
    socket.connect(channelAddress(this.info, this.info.iopub_port));
    socket.subscribe();
    void this.readIopub(socket);
    void this.watchIopub(socket);
  }

  /**
   * ZeroMQ drops the connection when a message exceeds maxMessageSize (a cell printing 100 MB in one
   * flush) and this SUB socket does not come back by itself: replace it, and tell the session that
   * output was lost, so one giant print costs that output only, not every later cell's.
   */
  private async watchIopub(socket: zmq.Subscriber): Promise<void> {
    try {
      for await (const event of socket.events) {
        if (event.type !== 'disconnect' || this.closed || this.closing || socket !== this.iopub) continue;
        this.log.warn(
          { limitBytes: this.maxMessageBytes },
          'IOPub connection dropped (oversized message?); reconnecting',
        );
        this.iopub = this.newIopubSocket();
        socket.close();
        this.openIopub(this.iopub);
        for (const listener of this.iopubLossListeners) listener();
        return;
      }
    } catch {
      // Socket closed.
    }
  }

  get maxIopubMessageBytes(): number {
    return this.maxMessageBytes;
  }

  onIopubLoss(listener: () => void): () => void {
    this.iopubLossListeners.add(listener);
    return () => this.iopubLossListeners.delete(listener);
  }

  connect(): void {
    this.shell.connect(channelAddress(this.info, this.info.shell_port));
    this.control.connect(channelAddress(this.info, this.info.control_port));
    this.openIopub(this.iopub);
    this.heartbeat.connect(channelAddress(this.info, this.info.hb_port));
    void this.readReplies(this.shell, 'shell');
    void this.readReplies(this.control, 'control');
    void this.readHeartbeats();
  }

  /** Sends a request on shell or control; `reply` resolves with the matching reply. */
  send(
    channel: 'shell' | 'control',
    msgType: string,
    content: Record<string, unknown>,
  ): { msgId: string; reply: Promise<JupyterMessage> } {
    const message = newMessage(msgType, content, this.session);
    const msgId = message.header.msg_id;
    const reply = new Promise<JupyterMessage>((resolve) => this.replyWaiters.set(msgId, resolve));
    const socket = channel === 'shell' ? this.shell : this.control;
    // zeromq.js allows one send in flight per socket: chain them.
    const previous = this.sendQueues.get(channel) ?? Promise.resolve();
    // A send that fails means the kernel's sockets are gone: the reply never comes, and the
    // session's timeout and heartbeat checks report the kernel dead, which is the message.
    const sent = previous.then(() => socket.send(serialize(message, this.signer))).catch(() => undefined);
    this.sendQueues.set(channel, sent);
    return { msgId, reply };
  }

  forget(msgId: string): void {
    this.replyWaiters.delete(msgId);
  }

  onIopub(listener: (message: JupyterMessage) => void): () => void {
    this.iopubListeners.add(listener);
    return () => this.iopubListeners.delete(listener);
  }

  /** Pings the heartbeat channel every `intervalMs`; `msSinceHeartbeat` says how long since an echo. */
  startHeartbeat(intervalMs: number): void {
    this.lastHeartbeatAt = Date.now();
    let inFlight = false;
    this.heartbeatTimer = setInterval(() => {
      if (inFlight || this.closed) return;
      inFlight = true;
      this.heartbeat
        .send(Buffer.from('ping'))
        .catch(() => undefined) // an unanswered ping is what the heartbeat check reports
        .finally(() => (inFlight = false));
    }, intervalMs);
    this.heartbeatTimer.unref();
  }

  msSinceHeartbeat(): number {
    return Date.now() - this.lastHeartbeatAt;
  }

  /** Shutdown is under way: the kernel going away is expected, not a connection to repair. */
  expectClose(): void {
    this.closing = true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeatTimer);
    for (const socket of [this.shell, this.control, this.iopub, this.heartbeat]) socket.close();
    this.replyWaiters.clear();
    this.iopubListeners.clear();
    this.iopubLossListeners.clear();
  }

  private decode(frames: Buffer[], channel: string): JupyterMessage | null {
    const result = deserialize(frames, this.signer);
    if (result.ok) return result.message;
    this.rejectedMessages += 1;
    this.log.warn({ channel, reason: result.reason }, 'dropped a kernel message that failed verification');
    return null;
  }

  private async readReplies(socket: zmq.Dealer, channel: string): Promise<void> {
    try {
      for await (const frames of socket) {
        const message = this.decode(frames, channel);
        const parentId = message?.parent_header.msg_id;
        if (!message || !parentId) continue;
        const waiter = this.replyWaiters.get(parentId);
        if (waiter) {
          this.replyWaiters.delete(parentId);
          waiter(message);
        }
      }
    } catch (error) {
      if (!this.closed) this.log.warn({ channel, error: String(error) }, 'kernel channel stopped');
    }
  }

  private async readIopub(socket: zmq.Subscriber): Promise<void> {
    try {
      for await (const frames of socket) {
        const message = this.decode(frames, 'iopub');
        if (message) for (const listener of this.iopubListeners) listener(message);
      }
    } catch (error) {
      if (!this.closed && socket === this.iopub)
        this.log.warn({ channel: 'iopub', error: String(error) }, 'kernel channel stopped');
    }
  }

  private async readHeartbeats(): Promise<void> {
    try {
      for await (const _frames of this.heartbeat) this.lastHeartbeatAt = Date.now();
    } catch {
      // Closed with the session.
    }
  }
}
