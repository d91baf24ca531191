// The admin API's named tokens and their roles; tokens from files follow the file, so a mounted
// Secret rotates without a restart.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SINGLE_ADMIN_TOKEN_NAME, type FigwayConfig } from '../config/schema.js';
import type { Diagnostics } from '../diagnostics.js';

/** What a token may do; each role may do everything the ones before it may. */
export const ADMIN_ROLES = ['read', 'operate', 'admin'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

/** Whether `role` may call an endpoint that needs `needed`. */
export function permits(role: AdminRole, needed: AdminRole): boolean {
  return ADMIN_ROLES.indexOf(role) >= ADMIN_ROLES.indexOf(needed);
}

/** One named token, as the config gives it. */
export interface TokenSpec {
  readonly name: string;
  readonly role: AdminRole;
  readonly token?: string;
  readonly tokenFile?: string;
}

/** A token the listener accepted: who is calling and what they may do. */
export interface TokenHolder {
  readonly name: string;
  readonly role: AdminRole;
}

/** The tokens of `admin` in the config: `admin.token` (role admin) and then `admin.tokens`. */
export function tokenSpecs(admin: NonNullable<FigwayConfig['admin']>): TokenSpec[] {
  return [...(admin.token === undefined ? [] : [{ name: SINGLE_ADMIN_TOKEN_NAME, role: 'admin' as const, token: admin.token }]), ...(admin.tokens ?? [])];
}

// A file is read again at most this often: an admin request costs at most one small read a second,
// and a rotated (or revoked) token takes effect within a second.
const FILE_MAX_AGE_MS = 1000;
const MIN_LENGTH = 16;

interface Entry {
  readonly holder: TokenHolder;
  readonly file: string | undefined;
  /** sha256 of the token; undefined while its file cannot be read (the token is then refused). */
  digest: Buffer | undefined;
  /** Why the file's token is not in use, as last logged (so each change is logged once). */
  problem: string | undefined;
}

/**
 * Finds the holder of a presented token. Every token is compared, in constant time, whichever
 * matches: how long a guess takes says nothing about which token it came close to.
 *
 * @example
 * ```ts
 * const book = new AdminTokens([{ name: 'grafana', role: 'read', tokenFile: '/run/secrets/grafana' }], '/app', diagnostics, Date.now);
 * await book.find(bearer); // { name: 'grafana', role: 'read' } or undefined
 * ```
 */
export class AdminTokens {
  private readonly entries: Entry[];
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<void> | undefined;

  /** `baseDir` resolves relative token files (the config file's directory). */
  constructor(
    specs: readonly TokenSpec[],
    baseDir: string,
    private readonly diagnostics: Diagnostics,
    private readonly now: () => number,
  ) {
    this.entries = specs.map((spec) => ({
      holder: { name: spec.name, role: spec.role },
      file: spec.tokenFile === undefined ? undefined : path.resolve(baseDir, spec.tokenFile),
      digest: spec.token === undefined ? undefined : digest(spec.token),
      problem: undefined,
    }));
  }

  /** Whether any token is configured (a file that cannot be read still counts: its token is asked for). */
  get any(): boolean {
    return this.entries.length > 0;
  }

  /** The holder of `token`, or undefined. Token files older than a second are read again first. */
  async find(token: string): Promise<TokenHolder | undefined> {
    await this.fresh();
    const given = digest(token);
    let found: TokenHolder | undefined;
    for (const entry of this.entries) {
      // Compared with something of the same size even when the file is unreadable, so every entry costs the same.
      const same = timingSafeEqual(given, entry.digest ?? UNUSABLE) && entry.digest !== undefined;
      if (same && found === undefined) found = entry.holder;
    }
    return found;
  }

  /** Reads every token file again if the last read is older than a second (concurrent callers share one read). */
  fresh(): Promise<void> {
    if (!this.entries.some((entry) => entry.file !== undefined) || this.now() - this.readAt < FILE_MAX_AGE_MS) return Promise.resolve();
    this.reading ??= this.readFiles().finally(() => {
      this.readAt = this.now();
      this.reading = undefined;
    });
    return this.reading;
  }

  private async readFiles(): Promise<void> {
    await Promise.all(
      this.entries.map(async (entry) => {
        if (entry.file === undefined) return;
        let problem: string | undefined;
        let next: Buffer | undefined;
        try {
          // Trimmed: `echo token > file` and editors add a newline the token does not have.
          const token = (await readFile(entry.file, 'utf8')).trim();
          if (token.length < MIN_LENGTH) problem = `holds ${token.length} characters, fewer than ${MIN_LENGTH}`;
          else next = digest(token);
        } catch (err) {
          problem = `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
        }
        this.settle(entry, next, problem);
      }),
    );
  }

  private settle(entry: Entry, next: Buffer | undefined, problem: string | undefined): void {
    const { name, role } = entry.holder;
    if (problem !== undefined) {
      if (problem !== entry.problem) this.diagnostics.warnOnce('FIGWAY_ADMIN_TOKEN_FILE_UNUSABLE', `figway: admin token file ${problem}: the token "${name}" is refused until it can`, { token: name, file: entry.file });
    } else if (entry.problem !== undefined || (entry.digest !== undefined && next !== undefined && !next.equals(entry.digest))) {
      this.diagnostics.logger.info({ token: name, role, file: entry.file }, `figway: admin token "${name}" read anew from its file: the new token is the one accepted`);
    }
    entry.problem = problem;
    entry.digest = next;
  }
}

const UNUSABLE = Buffer.alloc(32);

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
