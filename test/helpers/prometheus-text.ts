// Reads one series out of Prometheus text exposition, for tests of the metrics figway exports.

/** The value of one series in Prometheus text, e.g. series(text, 'figway_requests_total', { route: 'orders' }); exactly these labels. */
export function series(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const open = line.indexOf('{');
    const own = open === -1 || open > line.indexOf(' ') ? '' : line.slice(open + 1, line.indexOf('}'));
    const pairs = Object.fromEntries([...own.matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]));
    if (Object.keys(pairs).length !== Object.keys(labels).length) continue;
    if (Object.entries(labels).every(([k, v]) => pairs[k] === v)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}
