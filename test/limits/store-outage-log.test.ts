// Store outages are reported once per interval, with how many failures each report stands for.
import { describe, expect, it } from 'vitest';
import { StoreOutageLog } from '../../src/limits/store-outage-log.js';
import { createDiagnostics } from '../../src/diagnostics.js';
import { captureLogs } from '../helpers/log-capture.js';

describe('store outage log', () => {
  it('warns at most once per interval, counts what it held back, and says once when the store is back', () => {
    const logs = captureLogs();
    let now = 1_000;
    const outage = new StoreOutageLog(createDiagnostics(logs.logger), () => now, 5000);
    const failure = new Error('outer', { cause: new Error('connect ECONNREFUSED') });

    for (let i = 0; i < 10; i++) outage.failed(failure, 'open');
    now += 4999;
    outage.failed(failure, 'open');
    now += 1;
    outage.failed(failure, 'closed');
    outage.succeeded();
    outage.succeeded();

    expect(logs.lines.map((line) => [line.level, line.msg, line.failures])).toEqual([
      [40, 'figway: the rate-limit store is unreachable; requests pass without rate limits (onStoreError: open)', 1],
      [40, 'figway: the rate-limit store is unreachable; requests are refused with 503 (onStoreError: closed)', 11],
      [30, 'figway: the rate-limit store is reachable again', 0],
    ]);
    expect(logs.lines[0]).toMatchObject({ onStoreError: 'open', err: { message: 'connect ECONNREFUSED' } });
  });

  it('stays quiet about a store that never failed', () => {
    const logs = captureLogs();
    new StoreOutageLog(createDiagnostics(logs.logger), () => 0).succeeded();
    expect(logs.lines).toEqual([]);
  });
});
