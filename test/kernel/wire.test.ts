import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { deserialize, MessageSigner, newMessage, serialize } from '../../src/kernel/wire.js';

describe('wire format', () => {
  const signer = new MessageSigner('secret-key');

  it('signs the four JSON frames with HMAC-SHA256 and reads them back', () => {
    const message = newMessage('execute_request', { code: '1+1' }, 'session-1');
    const frames = serialize(message, signer);
    expect(frames[0]!.toString()).toBe('<IDS|MSG>');
    const expected = createHmac('sha256', 'secret-key');
    for (const frame of frames.slice(2, 6)) expected.update(frame);
    expect(frames[1]!.toString()).toBe(expected.digest('hex'));
    const decoded = deserialize([Buffer.from('router-identity'), ...frames], signer);
    expect(decoded.ok && decoded.message.content).toEqual({ code: '1+1' });
    expect(decoded.ok && decoded.message.header.version).toBe('5.3');
  });

  it('rejects a message signed with another key or altered after signing', () => {
    const frames = serialize(newMessage('stream', { text: 'hi' }, 's'), new MessageSigner('other-key'));
    expect(deserialize(frames, signer)).toEqual({ ok: false, reason: 'bad HMAC signature' });
    const good = serialize(newMessage('stream', { text: 'hi' }, 's'), signer);
    good[5] = Buffer.from(JSON.stringify({ text: 'forged' }));
    expect(deserialize(good, signer).ok).toBe(false);
  });

  it('rejects frames without the delimiter', () => {
    expect(deserialize([Buffer.from('x')], signer).ok).toBe(false);
  });
});
