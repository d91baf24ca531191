// A real Prometheus server (Debian's prometheus package) on loopback, scraping one target every second.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { freePort } from './listen.js';
import path from 'node:path';

export interface PrometheusServer {
  readonly url: string;
  /** Runs an instant PromQL query and returns the first sample's value, if any. */
  query(promql: string): Promise<number | undefined>;
  stop(): void;
}


export async function startPrometheus(target: string, metricsPath: string): Promise<PrometheusServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'figway-prometheus-'));
  const config = path.join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    `global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n  - job_name: figway\n    metrics_path: ${metricsPath}\n    static_configs: [{ targets: ['${target}'] }]\n`,
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: 'ignore' },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`prometheus is not installed (apt-get install prometheus): ${err.message}`)));
    child.once('spawn', () => resolve());
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    async query(promql) {
      try {
        const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
        const body = (await response.json()) as { data?: { result?: { value: [number, string] }[] } };
        const value = body.data?.result?.[0]?.value[1];
        return value === undefined ? undefined : Number(value);
      } catch {
        return undefined;
      }
    },
    stop() {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
