// Real tokens signed with jose, and a JWKS server on loopback whose keys can be rotated.
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { listen, type Listening } from './listen.js';

export interface KeyPair {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  readonly publicPem: string;
  readonly privatePem: string;
  readonly publicJwk: JWK;
}

export async function keyPair(alg: 'RS256' | 'ES256', kid: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicPem: await exportSPKI(publicKey), privatePem: await exportPKCS8(privateKey), publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A JWT signed with `key` (a key pair, or an HMAC secret), exp 5 minutes from now unless the payload says otherwise. */
export async function sign(key: KeyPair | string, payload: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ iat: now, exp: now + 300, ...payload });
  if (typeof key === 'string') return jwt.setProtectedHeader({ alg: 'HS256', ...header }).sign(new TextEncoder().encode(key));
  return jwt.setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey);
}

export interface JwksServer extends Listening {
  /** Serve these keys from now on (rotation). */
  serve(keys: KeyPair[]): void;
  /** How many times the JWKS was fetched. */
  readonly fetches: number;
}

export async function startJwksServer(keys: KeyPair[]): Promise<JwksServer> {
  let current = keys;
  let fetches = 0;
  const server = await listen((_req, res) => {
    fetches += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: current.map((k) => k.publicJwk) }));
  });
  return {
    ...server,
    serve: (next) => (current = next),
    get fetches() {
      return fetches;
    },
  };
}
