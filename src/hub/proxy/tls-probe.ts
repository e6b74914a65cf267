/**
 * Whether the proxy listening at host:port speaks TLS. The hub re-uses a proxy that is already
 * running (it keeps open notebooks alive), so a proxy started before https was configured goes
 * on serving plain http: the hub asks, and says so, rather than leave users with a login whose
 * Secure cookie the browser drops.
 */
import tls from 'node:tls';

export function servesTls(host: string, port: number, timeoutMs = 5_000): Promise<boolean> {
  return new Promise((resolve) => {
    // Only whether a handshake completes: the certificate is the proxy's own business here.
    const socket = tls.connect({ host, port, rejectUnauthorized: false, timeout: timeoutMs }, () => {
      socket.end();
      resolve(true);
    });
    const no = () => {
      socket.destroy();
      resolve(false);
    };
    socket.once('error', no);
    socket.once('timeout', no);
  });
}
