// What authentication costs on the proxied path: the same request without auth, with a required
// bearer JWT (HS256, verified once then cached), and with the JWT plus a rate limit. `npm run bench:auth`.
import { SignJWT } from 'jose';
import { compare } from './compare.mjs';
import { BENCH_SECRET } from './serve.mjs';

const token = await new SignJWT({ sub: 'bench-user', roles: ['buyer'] })
  .setProtectedHeader({ alg: 'HS256' })
  .setExpirationTime('1h')
  .sign(new TextEncoder().encode(BENCH_SECRET));

await compare({
  variants: [
    ['auth off', 'figway-observed'],
    ['JWT required', 'figway-auth'],
    ['JWT required + rate limit', 'figway-auth-limit'],
  ],
  headers: { authorization: `Bearer ${token}` },
  rounds: Number(process.env.ROUNDS ?? 9),
  seconds: Number(process.env.BENCH_SECONDS ?? 2),
  connections: Number(process.env.CONNECTIONS ?? 16),
});
