import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/postgres.js';

describe('test PostgreSQL server', () => {
  it('gives each caller a fresh, empty database on loopback', async () => {
    const first = await createTestDatabase();
    const second = await createTestDatabase();
    expect(first).not.toBe(second);
    expect(new URL(first).hostname).toBe('127.0.0.1');
    const client = new pg.Client({ connectionString: first });
    await client.connect();
    try {
      const version = await client.query<{ server_version: string }>('show server_version');
      expect(version.rows[0]?.server_version).toMatch(/^15\./);
      const tables = await client.query(
        "select table_name from information_schema.tables where table_schema = 'public'",
      );
      expect(tables.rows).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
