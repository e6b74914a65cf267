/**
 * Egress tables for tests that start a hub as root. A started hub writes its user servers' egress
 * rules into an nftables table (`spawner.network.table`, default `coursehub`) and leaves it when it
 * stops, on purpose: running servers stay held. A test that started a hub with the default name
 * would leave the machine a table covering every coursehub account with a dead hub's API port,
 * and a later test's server could no longer reach its own hub. So each test names a table of its
 * own and removes it; test/global-setup.ts fails the run if the default table appears.
 */
import { spawnSync } from 'node:child_process';

const NFT_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
let counter = 0;

/** A table name no other test (or test process) uses: letters, digits and "_", at most 32. */
export function testEgressTable(tag: string): string {
  return `chtest_${tag}_${process.pid}_${counter++}`.slice(0, 32);
}

/** Removes the table if it is there (nft missing or not root: nothing to remove). */
export function removeEgressTable(table: string): void {
  spawnSync('nft', ['delete', 'table', 'inet', table], { env: NFT_ENV, stdio: 'ignore' });
}

/** Whether the table exists now. */
export function egressTableExists(table: string): boolean {
  const listed = spawnSync('nft', ['list', 'table', 'inet', table], { env: NFT_ENV, stdio: 'ignore' });
  return listed.status === 0;
}
