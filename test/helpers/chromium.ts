// Debian's chromium driven headless by playwright-core (no downloaded browsers), in a fresh profile per launch.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

// Quiet and offline: no sync, updates or background fetches that would reach out from a test run.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Chromium {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Launches chromium with a throwaway user-data dir, removed again on close. */
export async function launchChromium(viewport = { width: 1440, height: 900 }): Promise<Chromium> {
  const profile = mkdtempSync(path.join(tmpdir(), 'figway-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, viewport });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Why the browser tests cannot run here, or undefined when they can. Without chromium on a developer
 * machine they are skipped, saying so; in CI (CI set, as .ci/run does) they fail instead.
 */
export const CHROMIUM_MISSING: string | undefined =
  existsSync(CHROMIUM_PATH) || process.env.CI
    ? undefined
    : 'SKIPPED: chromium is not installed (apt-get install chromium; .ci/run installs it)';

if (CHROMIUM_MISSING) console.warn(CHROMIUM_MISSING);
