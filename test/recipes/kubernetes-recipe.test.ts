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
});
