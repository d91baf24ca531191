// The Kubernetes recipe's route table is a valid figway config.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/load-config.js';

describe('recipes/kubernetes', () => {
  it('ships a ConfigMap whose figway.yaml validates', () => {
    const text = readFileSync(fileURLToPath(new URL('../../recipes/kubernetes/configmap.yaml', import.meta.url)), 'utf8');
    const [configMap] = parseAllDocuments(text).map((doc) => doc.toJS() as { data: Record<string, string> });
    const dir = mkdtempSync(path.join(tmpdir(), 'figway-k8s-'));
    const file = path.join(dir, 'figway.yaml');
    writeFileSync(file, configMap?.data['figway.yaml'] ?? '');
    const { config } = loadConfig(file, {});
    rmSync(dir, { recursive: true, force: true });
    expect(config.state).toMatchObject({ store: 'redis', prefix: 'shop' });
    expect(config.admin?.tokens?.map((t) => `${t.name}:${t.role}:${t.tokenFile}`)).toEqual([
      'ops:operate:/etc/figway-tokens/ops',
      'deploy:admin:/etc/figway-tokens/deploy',
      'prometheus:read:/etc/figway-tokens/prometheus',
    ]);
  });

  it('probes with plain HTTP on the open admin endpoints, and scrapes with the read-only token', () => {
    const read = (file: string) => parseAllDocuments(readFileSync(fileURLToPath(new URL(`../../recipes/kubernetes/${file}`, import.meta.url)), 'utf8')).map((doc) => doc.toJS());
    const [deployment] = read('deployment.yaml') as { spec: { template: { spec: { containers: { readinessProbe: unknown; livenessProbe: unknown; ports: { name: string; containerPort: number }[] }[] } } } }[];
    const container = deployment?.spec.template.spec.containers[0];
    expect(container?.readinessProbe).toMatchObject({ httpGet: { path: '/readyz', port: 'figway-admin' } });
    expect(container?.livenessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'figway-admin' } });
    expect(container?.ports).toContainEqual({ name: 'figway-admin', containerPort: 9901 });
    const [monitor] = read('podmonitor.yaml') as { spec: { podMetricsEndpoints: unknown[] } }[];
    expect(monitor?.spec.podMetricsEndpoints[0]).toMatchObject({ port: 'figway-admin', path: '/metrics', authorization: { credentials: { name: 'figway-admin-tokens', key: 'prometheus' } } });
  });
});
