// A private certificate authority and certificates made by openssl, for HTTPS services in tests.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Certificates {
  /** The private CA's certificate file (what NODE_EXTRA_CA_CERTS or a trust store names). */
  readonly caFile: string;
  /** A certificate for 127.0.0.1 and localhost signed by the private CA. */
  readonly trusted: { readonly key: string; readonly cert: string };
  /** A self-signed certificate for 127.0.0.1 that nobody trusts. */
  readonly untrusted: { readonly key: string; readonly cert: string };
}

/** Makes a CA, a server certificate it signed and a self-signed one, in a fresh temporary folder. */
export function makeCertificates(): Certificates {
  const dir = mkdtempSync(path.join(tmpdir(), 'figway-certs-'));
  const at = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const subjectAltName = 'subjectAltName=IP:127.0.0.1,DNS:localhost';
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '2', '-subj', '/CN=figway test CA');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(at('server.ext'), `${subjectAltName}\n`);
  openssl('x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('server.pem'), '-days', '2', '-extfile', at('server.ext'));
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('self.key'), '-out', at('self.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', subjectAltName);
  const read = (name: string) => readFileSync(at(name), 'utf8');
  return {
    caFile: at('ca.pem'),
    trusted: { key: read('server.key'), cert: read('server.pem') },
    untrusted: { key: read('self.key'), cert: read('self.pem') },
  };
}
