// Runs Debian's promtool (package prometheus; .ci/run installs it) on text or files.
import { spawn } from 'node:child_process';

export interface ToolResult {
  readonly code: number | null;
  readonly output: string;
}

export function promtool(args: string[], stdin?: string): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    child.stderr.on('data', (data: Buffer) => (output += data.toString()));
    child.once('error', (err) => reject(new Error(`promtool is not installed (apt-get install prometheus): ${err.message}`)));
    child.once('close', (code) => resolve({ code, output }));
    child.stdin.end(stdin ?? '');
  });
}
