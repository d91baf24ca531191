// Runs the figway command in-process with captured output, as a shell would see it.
import { run } from '../../src/cli/main.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `figway <argv>` with only `env` as its environment (no FIGWAY_* leaks in from the test runner). */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}, timeoutMs?: number): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  return { code, stdout, stderr };
}
