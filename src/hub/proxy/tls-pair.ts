/**
 * The certificate and key the proxy serves https with (https.certFile, https.keyFile): read and
 * checked as a pair before anything listens. A missing file, one that cannot be read, one that is
 * not PEM, or a key that does not belong to the certificate stops the start with a message naming
 * the file, rather than a TLS error in the first browser that connects (or, for a mismatched
 * pair, a proxy that starts and fails every handshake).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CoursehubError } from '../../util/errors.js';

/** The https certificate or key cannot be used. */
export class TlsPairError extends CoursehubError {}

export interface TlsPair {
  cert: Buffer;
  key: Buffer;
  /** SHA-256 fingerprint of the (first) certificate, as `openssl x509 -fingerprint -sha256` prints it. */
  fingerprint: string;
  /** When the certificate expires (its notAfter). */
  validTo: string;
}

const HINT =
  'Set https.certFile and https.keyFile (env SSL_CERT, SSL_KEY) to a PEM certificate and its private key, as the seed kept them in secrets/jupyterhub.crt and secrets/jupyterhub.key.';

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'cannot be read by this process (permission denied)'
          : code === 'EISDIR'
            ? 'is a folder, not a file'
            : `cannot be read (${code ?? String(error)})`;
    throw new TlsPairError(`The https ${what} ${file} ${problem}.`, { hint: HINT, cause: error });
  }
}

/** Reads certFile and keyFile and checks that the key is the certificate's. */
export function loadTlsPair(certFile: string, keyFile: string): TlsPair {
  const cert = readPem(certFile, 'certificate');
  const key = readPem(keyFile, 'key');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (error) {
    throw new TlsPairError(`The https certificate ${certFile} is not a PEM certificate.`, {
      hint: HINT,
      cause: error,
    });
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new TlsPairError(
      `The https key ${keyFile} is not a PEM private key (an encrypted key is not supported).`,
      { hint: HINT, cause: error },
    );
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new TlsPairError(
      `The https key ${keyFile} does not belong to the certificate ${certFile} (${certificate.subject.replace(/\n/g, ', ')}).`,
      {
        hint: 'Use the key the certificate was issued for: after a renewal, install the new certificate and the new key together.',
      },
    );
  }
  return { cert, key, fingerprint: certificate.fingerprint256, validTo: certificate.validTo };
}
