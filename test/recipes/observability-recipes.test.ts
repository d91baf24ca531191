// The alert rules and the Grafana dashboard in recipes/ are valid PromQL over metrics figway exports.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { METRIC_NAMES } from '../../src/metric-names.js';
import { promtool } from '../helpers/promtool.js';

const recipe = (file: string) => fileURLToPath(new URL(`../../recipes/${file}`, import.meta.url));
const EXPORTED = new Set(METRIC_NAMES.flatMap((name) => [name, `${name}_bucket`, `${name}_sum`, `${name}_count`]));
const PROMQL_WORDS = new Set(['sum', 'min', 'max', 'min_over_time', 'group_left', 'by', 'without', 'rate', 'increase', 'histogram_quantile', 'time', 'and', 'or', 'unless']);

/** Metric names an expression selects: identifiers left once label matchers, groupings and functions are removed. */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/"[^"]*"/g, '');
  return (stripped.match(/[A-Za-z_:][A-Za-z0-9_:]*/g) ?? []).filter((token) => !PROMQL_WORDS.has(token));
}

const dashboard = JSON.parse(readFileSync(recipe('grafana/figway-dashboard.json'), 'utf8')) as {
  panels: { title: string; targets: { expr: string }[] }[];
  templating: { list: { query?: string | { query: string } }[] };
};
const dashboardExprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
const rules = parse(readFileSync(recipe('prometheus/figway-alerts.yml'), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
const ruleExprs = rules.groups.flatMap((group) => group.rules.map((rule) => rule.expr));

describe('observability recipes', () => {
  it('alert rules pass promtool check rules', async () => {
    const result = await promtool(['check', 'rules', recipe('prometheus/figway-alerts.yml')]);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('alert rules pass their promtool test rules cases, and every alert has a case where it fires', async () => {
    const result = await promtool(['test', 'rules', recipe('prometheus/figway-alerts.test.yml')]);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
    const tests = parse(readFileSync(recipe('prometheus/figway-alerts.test.yml'), 'utf8')) as { tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[] };
    const firing = new Set(tests.tests.flatMap((test) => test.alert_rule_test.filter((check) => check.exp_alerts.length > 0).map((check) => check.alertname)));
    const alerts = rules.groups.flatMap((group) => group.rules.map((rule) => rule.alert));
    expect(alerts.filter((alert) => !firing.has(alert))).toEqual([]);
  });

  it('dashboard queries are valid PromQL (checked by promtool as recording rules)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'figway-dashboard-'));
    const file = path.join(dir, 'dashboard-rules.yml');
    const asRules = dashboardExprs.map((expr, i) => ({ record: `dashboard:panel_${i}`, expr: expr.replaceAll('$__rate_interval', '5m').replaceAll('$route', '.*') }));
    writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules: asRules }] }));
    const result = await promtool(['check', 'rules', file]);
    rmSync(dir, { recursive: true, force: true });
    expect(result.output).toContain(`SUCCESS: ${asRules.length} rules found`);
  });

  it('use only metric names figway exports', () => {
    const variables = dashboard.templating.list
      .map((variable) => (typeof variable.query === 'string' ? variable.query : variable.query?.query))
      .flatMap((query) => /^label_values\(([^,]+),/.exec(query ?? '')?.[1] ?? []);
    expect(variables).toEqual(['figway_rollout_percent']);
    const used = [...dashboardExprs, ...ruleExprs, ...variables].flatMap(metricNames);
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((name) => !EXPORTED.has(name))).toEqual([]);
  });

  it('list every metric figway exports, in the observability recipe', () => {
    const page = readFileSync(recipe('observability.md'), 'utf8');
    expect(METRIC_NAMES.filter((name) => !page.includes(`| \`${name}\` |`))).toEqual([]);
  });

  it('show every side-by-side view the migration needs', () => {
    const titles = dashboard.panels.map((panel) => panel.title).join(' | ');
    for (const needed of ['Rate: service vs legacy', 'Errors', 'Duration', 'Gateway vs upstream', 'Strangled share', 'Rollout percent']) expect(titles).toContain(needed);
  });
});
