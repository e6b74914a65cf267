import { describe, expect, it } from 'vitest';
import { connectDatabase, DatabaseError } from '../../src/db/database.js';
import { createTestDatabase, freePort } from '../support/postgres.js';

describe('connectDatabase', () => {
  it('retries an unreachable PostgreSQL with backoff, then names host and port and what to check', async () => {
    const port = await freePort(); // nothing listens there
    const delays: number[] = [];
    const error = await connectDatabase({
      url: `postgresql://coursehub:secret@127.0.0.1:${port}/coursehub`,
      retries: 3,
      initialDelayMs: 5,
      onRetry: (_attempt, delay) => delays.push(delay),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    const described = (error as DatabaseError).describe();
    expect(described).toContain(`127.0.0.1:${port}/coursehub`);
    expect(described).toContain('4 attempts');
    expect(described).toMatch(/Check that PostgreSQL is running/);
    expect(described).not.toContain('secret');
    expect(delays).toEqual([5, 10, 20]);
  });

  it('fails at once, with the right advice, when the database does not exist', async () => {
    const url = new URL(await createTestDatabase());
    url.pathname = '/no_such_database';
    let retried = false;
    const error = await connectDatabase({ url: url.toString(), onRetry: () => (retried = true) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).describe()).toMatch(/does not exist: create it/);
    expect(retried).toBe(false);
  });

  it('connects to a running PostgreSQL', async () => {
    const handle = await connectDatabase({ url: await createTestDatabase() });
    expect(handle.dialect).toBe('postgres');
    await handle.close();
  });
});
