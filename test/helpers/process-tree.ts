// The processes a process started, read from /proc (Linux), to prove none outlive it.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessEntry {
  readonly pid: number;
  /** Start time in clock ticks since boot: with the pid, it names one process even after the pid is reused. */
  readonly start: string;
  readonly command: string;
}

interface Stat {
  readonly state: string;
  readonly ppid: number;
  readonly start: string;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name in parentheses may hold spaces and parentheses itself; the fields follow the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] as string, ppid: Number(fields[1]), start: fields[19] as string };
}

function readCommand(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Every live process below `root`: its children, theirs, and so on. */
export function descendantsOf(root: number): ProcessEntry[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(name)]);
  }
  const found: ProcessEntry[] = [];
  const queue = [...(children.get(root) ?? [])];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    const stat = readStat(pid);
    if (stat && stat.state !== 'Z') found.push({ pid, start: stat.start, command: readCommand(pid) });
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** Whether this very process still runs (a zombie has ended; it only waits to be reaped). */
export function isRunning(entry: ProcessEntry): boolean {
  const stat = readStat(entry.pid);
  return stat !== undefined && stat.start === entry.start && stat.state !== 'Z';
}

/** SIGKILLs each entry that still runs, for cleanup after a failed test. */
export function killRunning(entries: ProcessEntry[]): void {
  for (const entry of entries) {
    if (!isRunning(entry)) continue;
    try {
      process.kill(entry.pid, 'SIGKILL');
    } catch {
      // It ended between the look and the kill.
    }
  }
}
