// Private certificate authorities and certificates made by openssl, for HTTPS services in tests.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface KeyPair {
  readonly key: string;
  readonly cert: string;
}

export interface Certificates {
  /** The folder they are in. */
  readonly dir: string;
  /** The private CA's certificate file (what `tls.caFile` or a trust store names), and its PEM. */
  readonly caFile: string;
  readonly ca: string;
  /** A certificate for 127.0.0.1 and localhost signed by the private CA. */
  readonly trusted: KeyPair;
  /** A self-signed certificate for 127.0.0.1 that nobody trusts. */
  readonly untrusted: KeyPair;
  /** Signed by the private CA for 127.0.0.1, but expired yesterday. */
  readonly expired: KeyPair;
  /** Signed by the private CA, for another host (other.example). */
  readonly wrongHost: KeyPair;
  /** Signed by the private CA for 127.0.0.1, but for client authentication only (not a server certificate). */
  readonly wrongPurpose: KeyPair;
  /** A second CA (the next one, in a rotation; or one figway was not told about), and a certificate for 127.0.0.1 it signed. */
  readonly nextCa: string;
  readonly signedByNext: KeyPair;
  /** The CA a service checks client certificates against, and a client certificate it signed (for figway to present). */
  readonly clientCa: string;
  readonly client: KeyPair;
}

/** Makes the CAs and certificates in a fresh temporary folder. */
export function makeCertificates(): Certificates {
  const dir = mkdtempSync(path.join(tmpdir(), 'figway-certs-'));
  const at = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const read = (name: string) => readFileSync(at(name), 'utf8');
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const authority = (name: string, subject: string) => openssl('req', '-x509', ...newKey, '-keyout', at(`${name}.key`), '-out', at(`${name}.pem`), '-days', '2', '-subj', `/CN=${subject}`);
  const issue = (name: string, ca: string, { host = '127.0.0.1', days = '2', extension = 'subjectAltName=IP:127.0.0.1,DNS:localhost' } = {}): KeyPair => {
    openssl('req', ...newKey, '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`), '-subj', `/CN=${host}`);
    writeFileSync(at(`${name}.ext`), `${extension}\n`);
    openssl('x509', '-req', '-in', at(`${name}.csr`), '-CA', at(`${ca}.pem`), '-CAkey', at(`${ca}.key`), '-CAcreateserial', '-out', at(`${name}.pem`), '-days', days, '-extfile', at(`${name}.ext`));
    return { key: read(`${name}.key`), cert: read(`${name}.pem`) };
  };
  authority('ca', 'figway test CA');
  authority('next-ca', 'figway test CA, next');
  authority('client-ca', 'figway test client CA');
  openssl('req', '-x509', ...newKey, '-keyout', at('self.key'), '-out', at('self.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost');
  return {
    dir,
    caFile: at('ca.pem'),
    ca: read('ca.pem'),
    trusted: issue('server', 'ca'),
    untrusted: { key: read('self.key'), cert: read('self.pem') },
    // OpenSSL 3.0 takes a negative -days: the certificate ended a day before it was made.
    expired: issue('expired', 'ca', { days: '-1' }),
    wrongHost: issue('wrong-host', 'ca', { host: 'other.example', extension: 'subjectAltName=DNS:other.example' }),
    wrongPurpose: issue('wrong-purpose', 'ca', { extension: 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=clientAuth' }),
    nextCa: read('next-ca.pem'),
    signedByNext: issue('next-server', 'next-ca'),
    clientCa: read('client-ca.pem'),
    client: issue('client', 'client-ca', { host: 'figway', extension: 'extendedKeyUsage=clientAuth' }),
  };
}
