// One route's row: config, rollout and its source, live figures side by side, and the controls to change it.
import { clearRuntimeChange, rollBack, setPercent } from './actions.js';
import { fill, h } from './dom.js';
import * as fmt from './format.js';

/**
 * Builds the row once; `update` refreshes its text on every poll without touching a percent the
 * user is still editing. `act` runs an action and reports its outcome.
 */
export function createRouteRow(id, act) {
  // data-label: where the table is narrower than its columns, each row becomes a card and its cells say what they are.
  const td = (cls, label) => h('td', { class: cls, 'data-label': label });
  const cells = {
    route: td('route', 'Route'),
    match: td('match', 'Match'),
    upstream: td('upstream', 'Upstream'),
    auth: td('auth', 'Auth'),
    limits: td('limits', 'Limits'),
    rollout: td('rollout', 'Rollout'),
    service: td('side service', 'Service, this replica'),
    legacy: td('side legacy', 'Legacy, this replica'),
    strangled: td('strangled', 'Strangled, this replica'),
  };
  const number = h('input', { type: 'number', min: 0, max: 100, step: 0.01, class: 'percent-input', 'aria-label': `${id}: new percent`, 'data-route': id });
  const slider = h('input', { type: 'range', min: 0, max: 100, step: 1, 'aria-label': `${id}: new percent (slider)` });
  const apply = h('button', { type: 'button', class: 'primary small', 'data-action': 'apply' }, 'Apply');
  const rollback = h('button', { type: 'button', class: 'small', 'data-action': 'rollback' }, 'Roll back');
  const clear = h('button', { type: 'button', class: 'small ghost', 'data-action': 'clear' }, 'Clear runtime change');
  const editor = h('div', { class: 'percent-editor' }, number, h('span', { class: 'unit' }, '%'), apply);
  // A progressive rollout's steps set its percent (the API refuses one set by hand): steer it below instead.
  const steered = h('div', { class: 'muted small steered' }, 'Set by the rollout steps: pause, resume or promote it below.');
  const controls = h('td', { class: 'controls', 'data-label': 'Change' }, editor, slider, steered, h('div', { class: 'buttons' }, rollback, clear));
  const row = h('tr', { 'data-route': id }, Object.values(cells), controls);

  let route;
  let editing = false;
  const showCurrent = () => {
    editing = false;
    number.value = String(route.rollout.percent);
    slider.value = String(route.rollout.percent);
    apply.disabled = true;
  };
  const edited = (value) => {
    editing = true;
    apply.disabled = !(value !== '' && Number(value) !== route.rollout.percent);
  };
  number.addEventListener('input', () => {
    slider.value = number.value;
    edited(number.value);
  });
  slider.addEventListener('input', () => {
    number.value = slider.value;
    edited(slider.value);
  });
  number.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !apply.disabled) apply.click();
    if (event.key === 'Escape') showCurrent();
  });
  apply.addEventListener('click', () => act(() => setPercent(route, number.valueAsNumber), showCurrent));
  rollback.addEventListener('click', () => act(() => rollBack(route), showCurrent));
  clear.addEventListener('click', () => act(() => clearRuntimeChange(route), showCurrent));

  return {
    row,
    update(next, stats) {
      route = next;
      fill(cells.route, h('strong', {}, route.id), route.description && h('div', { class: 'muted small' }, route.description));
      fill(cells.match, matchLines(route.match));
      fill(cells.upstream, h('div', {}, route.upstream.name), h('div', { class: 'muted small' }, route.upstream.url), tlsLine(route.upstream.tls), healthLines(route));
      fill(cells.auth, fmt.auth(route.auth));
      fill(cells.limits, fmt.limits(route.limits).map((line) => h('div', {}, line)));
      fill(cells.rollout, rolloutLines(route));
      fill(cells.service, figures(stats && stats.service));
      fill(cells.legacy, figures(stats && stats.legacy));
      fill(cells.strangled, strangled(stats && stats.strangled));
      const progressive = Boolean(route.progressive);
      editor.hidden = progressive;
      slider.hidden = progressive;
      steered.hidden = !progressive;
      rollback.disabled = route.rollout.percent === 0;
      clear.hidden = route.rollout.source !== 'runtime';
      if (!editing) showCurrent();
    },
  };
}

function matchLines(match) {
  const host = fmt.hosts(match);
  return [
    h('code', {}, match.path),
    match.exact && h('span', { class: 'badge' }, 'exact'),
    h('div', { class: 'muted small' }, fmt.methods(match)),
    host && h('div', { class: 'muted small' }, `host ${host}`),
  ];
}

function rolloutLines(route) {
  const { rollout } = route;
  const cohorts = Object.entries(rollout.cohorts ?? {}).map(([name, side]) => `${name} → ${side}`);
  return [
    h('span', { class: 'percent' }, fmt.percent(rollout.percent)),
    h('span', { class: `badge ${rollout.source}`, title: rollout.source === 'runtime' ? 'changed at runtime (admin API, CLI, this page)' : 'as in the config file' }, rollout.source),
    rollout.killed && h('span', { class: 'badge killed' }, 'killed'),
    rollout.source === 'runtime' && h('div', { class: 'muted small' }, `file: ${fmt.percent(route.fileRollout.percent)}`),
    h('div', { class: 'muted small' }, `sticky ${(rollout.sticky ?? []).join(', ')}`),
    cohorts.length > 0 && h('div', { class: 'muted small' }, cohorts.join(', ')),
  ];
}

function figures(side) {
  if (!side || side.requests === 0) return h('span', { class: 'muted small' }, 'no traffic');
  return h(
    'dl',
    { class: 'figures' },
    h('dt', {}, 'rate'),
    h('dd', {}, fmt.perSecond(side.perSecond)),
    h('dt', {}, 'errors'),
    h('dd', { class: side.errors > 0 ? 'bad' : undefined }, fmt.share(side.errorRate)),
    h('dt', {}, 'p99'),
    h('dd', {}, fmt.latency(side.p99)),
  );
}

function strangled(ratio) {
  const bar = h('span');
  // CSSOM, not a style attribute: the CSP allows no inline styles.
  bar.style.width = `${Math.round((ratio ?? 0) * 100)}%`;
  return [h('div', { class: 'share' }, fmt.share(ratio)), h('div', { class: 'meter' }, bar)];
}

/** How an https service is reached: an unverified one stands out, since anyone on the path could pose as it. */
function tlsLine(tls) {
  if (!tls) return null;
  if (!tls.verify) return h('div', {}, h('span', { class: 'badge killed', 'data-tls': 'unverified', title: 'tls.insecure: true — any certificate is accepted' }, 'TLS not verified'));
  const parts = [tls.ca === 'private' ? 'private CA' : 'public CAs', tls.clientCertificate ? 'mutual TLS' : null].filter(Boolean);
  return h('div', { class: 'muted small', 'data-tls': 'verified' }, `TLS: ${parts.join(', ')}`);
}

/** The service's health on this replica: its breaker (a route with a fallback has one), and its latest failure (also one legacy absorbed). */
function healthLines(route) {
  const open = route.breaker && route.breaker !== 'closed';
  const breaker = route.breaker
    ? h('div', { class: 'small' }, h('span', { class: open ? 'badge killed' : 'badge', 'data-breaker': route.breaker, title: 'circuit breaker, on this replica' }, `breaker ${route.breaker}`))
    : null;
  const failure = route.lastUpstreamError;
  const last = failure ? h('div', { class: 'small bad', 'data-last-error': failure.code, title: `${failure.message} (on this replica)` }, `last error ${failure.code}, ${fmt.time(failure.at)}`) : null;
  return [breaker, last];
}
