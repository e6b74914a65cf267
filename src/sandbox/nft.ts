/**
 * The `nft` command (Debian package nftables): found by path, since a hub started by a service
 * manager may not have /usr/sbin on its PATH, and fed a script on stdin, which nft applies as one
 * transaction (all of it or nothing).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const NFT_PATHS = ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft'];

/** Where nft is, or undefined when it is not installed. */
export function findNft(): string | undefined {
  return NFT_PATHS.find((path) => existsSync(path));
}

/** Applies `script` with `nft -f -`; rejects with nft's own message when it refuses. */
export function runNft(nft: string, script: string, args: string[] = ['-f', '-']): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(nft, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(stderr.trim() || `nft exited with status ${code}`));
    });
    child.stdin.end(script);
  });
}
