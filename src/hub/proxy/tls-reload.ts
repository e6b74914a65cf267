/**
 * A renewed certificate served without a restart: the proxy watches https.certFile and
 * https.keyFile (polled, so a file replaced by rename, as certbot and mounted secrets do, is seen
 * too) and reloads on SIGHUP. A new pair is checked as at start (tls-pair.ts) and swapped in with
 * server.setSecureContext: connections already open keep the pair they shook hands with, new
 * ones get the new one. A pair that does not check (a certificate written before its key, a
 * mismatch) is logged and the old pair stays, so a half-finished renewal never takes the hub down.
 */
import { unwatchFile, watchFile } from 'node:fs';
import type tls from 'node:tls';
import { loadTlsPair, type TlsPair } from './tls-pair.js';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export interface TlsReloader {
  /** Reads and checks the pair again; serves it when it checks and differs. */
  reload(reason: string): void;
  /** The fingerprint of the certificate served to new connections. */
  fingerprint(): string;
  stop(): void;
}

export function watchTlsPair(
  server: tls.Server,
  files: TlsFiles,
  first: TlsPair,
  options: { intervalMs: number; log: (message: string, fields?: Record<string, unknown>) => void },
): TlsReloader {
  let served = first;
  const reload = (reason: string): void => {
    let pair: TlsPair;
    try {
      pair = loadTlsPair(files.certFile, files.keyFile);
    } catch (error) {
      options.log('https pair not reloaded; still serving the previous one', {
        reason,
        error: error instanceof Error ? error.message : String(error),
        fingerprint: served.fingerprint,
      });
      return;
    }
    if (pair.cert.equals(served.cert) && pair.key.equals(served.key)) return;
    server.setSecureContext({ cert: pair.cert, key: pair.key });
    served = pair;
    options.log('https certificate reloaded', {
      reason,
      fingerprint: pair.fingerprint,
      validTo: pair.validTo,
    });
  };
  const onChange = () => reload('file changed');
  // persistent: false, so the watch alone never keeps a stopping proxy alive.
  for (const file of [files.certFile, files.keyFile])
    watchFile(file, { interval: options.intervalMs, persistent: false }, onChange);
  return {
    reload,
    fingerprint: () => served.fingerprint,
    stop() {
      for (const file of [files.certFile, files.keyFile]) unwatchFile(file, onChange);
    },
  };
}
