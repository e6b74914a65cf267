/**
 * The Jupyter messaging protocol's wire format (v5.3): frames
 * [identities..., "<IDS|MSG>", hmac, header, parent_header, metadata, content, buffers...],
 * signed with HMAC-SHA256 over the four JSON frames. Pure functions, no sockets.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export const PROTOCOL_VERSION = '5.3';
const DELIMITER = '<IDS|MSG>';

export interface MessageHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

export interface JupyterMessage {
  header: MessageHeader;
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  buffers: Buffer[];
}

export class MessageSigner {
  constructor(private readonly key: string) {}

  sign(parts: Buffer[]): string {
    // An empty key means "unsigned" in the protocol; we always generate one, but stay faithful.
    if (!this.key) return '';
    const hmac = createHmac('sha256', this.key);
    for (const part of parts) hmac.update(part);
    return hmac.digest('hex');
  }

  verify(signature: Buffer, parts: Buffer[]): boolean {
    const expected = Buffer.from(this.sign(parts), 'utf8');
    return expected.length === signature.length && timingSafeEqual(expected, signature);
  }
}

export function newMessage(
  msgType: string,
  content: Record<string, unknown>,
  session: string,
): JupyterMessage {
  return {
    header: {
      msg_id: randomUUID(),
      msg_type: msgType,
      session,
      username: 'coursehub',
      date: new Date().toISOString(),
      version: PROTOCOL_VERSION,
    },
    parent_header: {},
    metadata: {},
    content,
    buffers: [],
  };
}

export function serialize(message: JupyterMessage, signer: MessageSigner): Buffer[] {
  const parts = [message.header, message.parent_header, message.metadata, message.content].map((part) =>
    Buffer.from(JSON.stringify(part), 'utf8'),
  );
  return [Buffer.from(DELIMITER), Buffer.from(signer.sign(parts)), ...parts, ...message.buffers];
}

export type DecodeResult = { ok: true; message: JupyterMessage } | { ok: false; reason: string };

/** Parses received frames; refuses a message whose signature does not match. */
export function deserialize(frames: Buffer[], signer: MessageSigner): DecodeResult {
  const at = frames.findIndex((frame) => frame.length === DELIMITER.length && frame.toString() === DELIMITER);
  if (at < 0 || frames.length < at + 6) return { ok: false, reason: 'malformed message (no delimiter)' };
  const signature = frames[at + 1]!;
  const parts = frames.slice(at + 2, at + 6);
  if (!signer.verify(signature, parts)) return { ok: false, reason: 'bad HMAC signature' };
  try {
    const [header, parent, metadata, content] = parts.map((part) => JSON.parse(part.toString('utf8')));
    return {
      ok: true,
      message: { header, parent_header: parent, metadata, content, buffers: frames.slice(at + 6) },
    };
  } catch {
    return { ok: false, reason: 'message frames are not JSON' };
  }
}
