// Types of reload-under-load.mjs (plain JavaScript, shared with the bench).
export interface LatencyFigures {
  readonly requests: number;
  readonly p50: number;
  readonly p99: number;
  readonly worst: number;
}

export function measureReloadUnderLoad(plan: { routes: number; rate: number; service: string; warmUpMs?: number; via?: 'admin' | 'object' }): Promise<{
  status: number;
  /** Why an object reload failed (via: 'object'). */
  error?: string;
  reloadMs: number;
  failures: string[];
  before: LatencyFigures;
  during: LatencyFigures;
}>;
