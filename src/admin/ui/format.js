// How figures and config read on the page: rates, shares, latencies, matches, auth, limits.

/** A measured share: 0.2567 → "25.7%", 0.0123 → "1.23%"; undefined (no traffic) → "–". */
export function share(ratio) {
  if (ratio === undefined || ratio === null) return '–';
  const value = ratio * 100;
  return `${Number(value.toFixed(value >= 10 ? 1 : 2))}%`;
}

/** A configured percent exactly as set, never rounded (a confirmation must show what is sent): 25 → "25%", 33.33 → "33.33%". */
export function percent(value) {
  return `${value}%`;
}

export function perSecond(value) {
  return `${value >= 10 ? value.toFixed(1) : value.toFixed(2)} req/s`;
}

/** Seconds → "0.8 ms", "42 ms", "1.25 s"; undefined → "–". */
export function latency(seconds) {
  if (seconds === undefined || seconds === null) return '–';
  if (seconds < 0.01) return `${(seconds * 1000).toFixed(1)} ms`;
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  return `${seconds.toFixed(2)} s`;
}

/** A window in the unit that reads best: 86400 → "1 d", 7200 → "2 h", 900 → "15 min", 45 → "45 s". */
export function duration(seconds) {
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['min', 60]]) if (seconds >= size && seconds % size === 0) return `${seconds / size} ${unit}`;
  return `${seconds} s`;
}

export function time(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleTimeString([], { hour12: false });
}

export function dateTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return `${date.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${date.toLocaleTimeString([], { hour12: false })}`;
}

/** "GET POST", or "any method". */
export function methods(match) {
  return match.methods ? match.methods.join(' ') : 'any method';
}

export function hosts(match) {
  if (!match.host) return undefined;
  return Array.isArray(match.host) ? match.host.join(', ') : match.host;
}

/** The route's auth as one line; no auth on the route means the file's auth.default applies. */
export function auth(value) {
  if (value === undefined) return 'default';
  if (typeof value === 'string') return value;
  const parts = [value.mode ?? 'default'];
  if (value.roles) parts.push(`roles ${value.roles.join(', ')}`);
  if (value.scopes) parts.push(`scopes ${value.scopes.join(' ')}`);
  if (value.claims) parts.push(`claims ${Object.keys(value.claims).join(', ')}`);
  return parts.join(' · ');
}

/** "100 / 1m per user", one line per limit; absent means only the global limit applies. */
export function limits(value) {
  if (value === undefined) return ['global only'];
  if (value === false) return ['none'];
  return (Array.isArray(value) ? value : [value]).map((l) => `${l.limit} / ${l.window}${l.key ? ` per ${l.key.join('|')}` : ''}`);
}

/** What an audit entry changed: "percent 10 → 25", "off → on", or the values as JSON. */
export function change(before, after) {
  if (isSchedule(before) || isSchedule(after)) return `${schedule(before)} → ${schedule(after)}`;
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    if (keys.length === 0) return 'no change';
    return keys.map((k) => `${k} ${value(before[k], k)} → ${value(after[k], k)}`).join('; ');
  }
  if (typeof before === 'boolean' || typeof after === 'boolean') return `${onOff(before)} → ${onOff(after)}`;
  return `${value(before)} → ${value(after)}`;
}

/** The percent an audit entry's value gives its route: a rollout's, or a progressive schedule's step; undefined for anything else. */
export function percentOf(v) {
  if (isSchedule(v)) return v.state === 'rolled-back' ? 0 : v.steps[v.step];
  if (isObject(v)) return typeof v.percent === 'number' ? v.percent : Array.isArray(v.steps) ? undefined : 100;
  return undefined;
}

function value(v, key) {
  if (v === undefined || v === null) return '–';
  if (key === 'percent' && typeof v === 'number') return percent(v);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function onOff(v) {
  return v === true ? 'on' : v === false ? 'off' : value(v);
}

/** A progressive schedule as the state store keeps it: "running at 10% (step 2 of 4)". */
function schedule(v) {
  if (!isSchedule(v)) return 'not started';
  return `${v.state} at ${percent(v.state === 'rolled-back' ? 0 : v.steps[v.step])} (step ${v.step + 1} of ${v.steps.length})`;
}

function isSchedule(v) {
  return isObject(v) && Array.isArray(v.steps) && typeof v.step === 'number';
}

function isObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
