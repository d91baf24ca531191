// TLS towards one https service: its CA, client certificate and SNI from the config, checked once,
// and read again when a file changes so certificates rotate without a restart.
import { readFileSync, statSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import { createSecureContext, type ConnectionOptions, type SecureContext } from 'node:tls';
import type { UpstreamConfig } from './upstream-schema.js';
import type { UpstreamTlsInfo } from '../types.js';
import type { Diagnostics } from '../diagnostics.js';

export type UpstreamTlsConfig = NonNullable<UpstreamConfig['tls']>;

/**
 * What every connection to the service is opened with (Node's agent, undici's connector, WebSocket
 * requests): one secure context, built when the files are read, so a connection does not parse the
 * PEM again.
 */
export type TlsOptions = Readonly<Pick<ConnectionOptions, 'secureContext' | 'servername' | 'rejectUnauthorized'>>;

/** What a look at a failing service's certificate connects with: its trust, never figway's client certificate. */
export type LookOptions = Readonly<Pick<ConnectionOptions, 'ca' | 'servername' | 'minVersion' | 'ciphers'>>;

/** A TLS setting that cannot be used, with the field it is in (`caFile`, `key`...). */
export class TlsSettingProblem extends Error {
  constructor(
    readonly field: keyof UpstreamTlsConfig,
    message: string,
  ) {
    super(message);
  }
}

const PEM_FIELDS = [
  ['ca', 'caFile'],
  ['cert', 'certFile'],
  ['key', 'keyFile'],
] as const;
// How often a watched file is looked at (a stat): a mounted Secret is replaced through a symlink,
// which only polling sees reliably.
const WATCH_INTERVAL_MS = 1000;

/**
 * The TLS of one service. `options` are what new connections use; `version` moves when a watched
 * file changed and was usable, so the connection pools know to open new connections with it.
 *
 * @example
 * ```ts
 * const tls = new UpstreamTls('orders', { caFile: 'ca.pem' }, new URL('https://orders.internal'), '/etc/figway', diagnostics);
 * new https.Agent({ keepAlive: true, ...tls.options });
 * ```
 */
export class UpstreamTls {
  private current: { options: TlsOptions; look: LookOptions };
  private moved = 0;
  /** The re-read in progress, and whether the files changed again meanwhile: one at a time, so an older read never lands over a newer one. */
  private reading: Promise<void> | undefined;
  private again = false;
  private readonly files: string[];
  /** Each file as it was when last read (size, mtime, inode): a change is told from these. */
  private readonly seen = new Map<string, string>();
  /** The files' text when last read and used: a look that finds them touched but alike moves nothing. */
  private text: string;
  private readonly watchers: { file: string; listener: (now: Stats) => void }[] = [];
  private readonly firstLook: NodeJS.Timeout | undefined;

  /** @throws TlsSettingProblem when a file cannot be read or the material is not usable (a key that does not fit its certificate, bad PEM). */
  constructor(
    private readonly upstream: string,
    private readonly config: UpstreamTlsConfig,
    private readonly url: URL,
    private readonly baseDir: string,
    private readonly diagnostics: Diagnostics,
  ) {
    this.files = PEM_FIELDS.flatMap(([, file]) => (config[file] === undefined ? [] : [this.resolve(config[file])]));
    const contents = new Map<string, string>();
    const read = (field: (typeof PEM_FIELDS)[number][1]): string => {
      const file = this.resolve(config[field] as string);
      try {
        this.seen.set(file, fingerprint(statSync(file)));
        const text = readFileSync(file, 'utf8');
        contents.set(field, text);
        return text;
      } catch (err) {
        throw new TlsSettingProblem(field, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    };
    this.current = assemble(config, url, read);
    this.text = textOf(contents);
    for (const file of this.files) {
      const listener = (now: Stats) => {
        if (this.seen.get(file) !== fingerprint(now)) this.reread();
      };
      watchFile(file, { persistent: false, interval: WATCH_INTERVAL_MS }, listener);
      this.watchers.push({ file, listener });
    }
    // A file replaced between the read above and the watcher's first look would never be seen to change.
    if (this.files.length > 0) this.firstLook = setTimeout(() => void this.lookAgain(), WATCH_INTERVAL_MS).unref();
  }

  get options(): TlsOptions {
    return this.current.options;
  }

  get lookOptions(): LookOptions {
    return this.current.look;
  }

  /** Moves each time the files changed into usable material. */
  get version(): number {
    return this.moved;
  }

  /** How connections are secured, as GET /routes shows it. */
  get info(): UpstreamTlsInfo {
    const { config } = this;
    return { verify: config.insecure !== true, ca: (config.ca ?? config.caFile) === undefined ? 'public' : 'private', clientCertificate: (config.cert ?? config.certFile) !== undefined };
  }

  /** Stops watching the files. */
  close(): void {
    clearTimeout(this.firstLook);
    for (const { file, listener } of this.watchers) unwatchFile(file, listener);
  }

  private async lookAgain(): Promise<void> {
    const now = await Promise.all(this.files.map((file) => stat(file).then(fingerprint, () => 'gone')));
    if (now.some((print, i) => this.seen.get(this.files[i] as string) !== print)) this.reread();
  }

  private resolve(file: string): string {
    return path.resolve(this.baseDir, file);
  }

  private reread(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readFiles().finally(() => {
      this.reading = undefined;
      if (!this.again) return;
      this.again = false;
      this.reread();
    });
  }

  private async readFiles(): Promise<void> {
    const contents = new Map<string, string>();
    try {
      await Promise.all(
        PEM_FIELDS.map(async ([, field]) => {
          if (this.config[field] === undefined) return;
          const file = this.resolve(this.config[field]);
          this.seen.set(file, fingerprint(await stat(file)));
          contents.set(field, await readFile(file, 'utf8'));
        }),
      );
      // Seen to change again while it was read (a watcher's look and the first look at once), but alike: not a rotation.
      if (textOf(contents) === this.text) return;
      this.current = assemble(this.config, this.url, (field) => contents.get(field) as string);
      this.text = textOf(contents);
    } catch (err) {
      // Half-way through a rotation (a new certificate before its key) the files may not fit: the old ones keep serving.
      this.diagnostics.warnOnce('FIGWAY_UPSTREAM_TLS_FILES_UNUSABLE', `figway: the TLS files of ${this.upstream} changed but cannot be used; connections keep the previous ones`, { upstream: this.upstream, files: this.files, err: { message: (err as Error).message } });
      return;
    }
    this.moved++;
    this.diagnostics.logger.info({ upstream: this.upstream, files: this.files }, `figway: the TLS files of ${this.upstream} changed: new connections use them`);
  }
}

function textOf(contents: ReadonlyMap<string, string>): string {
  return PEM_FIELDS.map(([, field]) => contents.get(field) ?? '').join('\0');
}

/** The connection options from the config and the files' contents, with the secure context built from them (which checks they fit). */
function assemble(config: UpstreamTlsConfig, url: URL, read: (field: 'caFile' | 'certFile' | 'keyFile') => string): { options: TlsOptions; look: LookOptions } {
  const pem = (inline: 'ca' | 'cert' | 'key', file: 'caFile' | 'certFile' | 'keyFile') => config[inline] ?? (config[file] === undefined ? undefined : read(file));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // The URL's host, whatever Host header goes out (preserveHost); none for an IP address (SNI cannot carry one).
  const servername = config.servername ?? (isIP(host) ? '' : host);
  const look: LookOptions = { ca: pem('ca', 'caFile'), servername, minVersion: config.minVersion ?? 'TLSv1.2', ciphers: config.ciphers };
  let secureContext: SecureContext;
  try {
    secureContext = createSecureContext({ ...look, cert: pem('cert', 'certFile'), key: pem('key', 'keyFile'), passphrase: config.passphrase });
  } catch (err) {
    throw new TlsSettingProblem(blame(err as Error, config), `cannot be used: ${(err as Error).message}`);
  }
  return { options: { secureContext, servername, rejectUnauthorized: config.insecure !== true }, look };
}

/** The field a secure-context error is about, as near as OpenSSL's message says. */
function blame(err: Error, config: UpstreamTlsConfig): keyof UpstreamTlsConfig {
  const text = err.message.toLowerCase();
  const field = (inline: 'ca' | 'cert' | 'key', file: 'caFile' | 'certFile' | 'keyFile'): keyof UpstreamTlsConfig => (config[inline] === undefined && config[file] !== undefined ? file : inline);
  if (/passphrase|bad decrypt/.test(text)) return 'passphrase';
  if (/key/.test(text)) return field('key', 'keyFile');
  if (/cipher/.test(text)) return 'ciphers';
  if (text.includes('ca') && !text.includes('cert')) return field('ca', 'caFile');
  return field('cert', 'certFile');
}

function fingerprint(stats: Stats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}
