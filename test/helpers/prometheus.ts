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
  /** Runs an instant PromQL query and returns every sample, labels and value. */
  samples(promql: string): Promise<{ labels: Record<string, string>; value: number }[]>;
  stop(): void;
}

/** Starts Prometheus scraping `target` every second, with a bearer token when given (the admin API's). */
export async function startPrometheus(target: string, metricsPath: string, token?: string): Promise<PrometheusServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'figway-prometheus-'));
  const config = path.join(dir, 'prometheus.yml');
  const authorization = token ? `    authorization: { credentials: '${token}' }\n` : '';
  writeFileSync(
    config,
    `global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n  - job_name: figway\n    metrics_path: ${metricsPath}\n${authorization}    static_configs: [{ targets: ['${target}'] }]\n`,
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
  const samples = async (promql: string) => {
    try {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await response.json()) as { data?: { result?: { metric: Record<string, string>; value: [number, string] }[] } };
      return (body.data?.result ?? []).map((sample) => ({ labels: sample.metric, value: Number(sample.value[1]) }));
    } catch {
      return [];
    }
  };
  return {
    url,
    async query(promql) {
      return (await samples(promql))[0]?.value;
    },
    samples,
    stop() {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
