// A route's second row: its progressive rollout, recent shadow-traffic differences and rollout history, shown only when there are some.
import { stepProgressive } from './actions.js';
import { fill, h } from './dom.js';
import * as fmt from './format.js';
import { timelinePanel } from './timeline.js';

const SAMPLES_SHOWN = 5;

/**
 * `update(route, shadow, changes)`: shadow is GET /routes/:id/shadow's answer, null when the API has
 * none, or an error; changes the route's rollout changes from the audit log (timeline.js).
 */
export function createRouteExtras(id, act, columns) {
  const cell = h('td', { colspan: columns });
  const row = h('tr', { class: 'extras', 'data-extras': id, hidden: true }, cell);
  return {
    row,
    update(route, shadow, changes) {
      const parts = [route.progressive && progressivePanel(route, act), route.shadow && shadowPanel(route.shadow, shadow), timelinePanel(changes, route.rollout.percent)].filter(Boolean);
      row.hidden = parts.length === 0;
      fill(cell, parts);
    },
  };
}

function progressivePanel(route, act) {
  const p = route.progressive;
  const run = (verb) => () => act(() => stepProgressive(route, verb));
  const steps = p.steps.map((value, i) => h('li', { class: i < p.step ? 'past' : i === p.step ? 'current' : undefined, 'aria-current': i === p.step ? 'step' : undefined }, fmt.percent(value)));
  const facts = [
    `step ${p.step + 1} of ${p.steps.length} since ${fmt.time(p.since)}`,
    typeof p.requestsAtStep === 'number' && `${p.requestsAtStep.toLocaleString()} requests at this step`,
    p.nextAt && p.state === 'running' && `next step at ${fmt.time(p.nextAt)}`,
  ].filter(Boolean);
  const open = p.state === 'running' || p.state === 'paused';
  return h(
    'div',
    { class: 'panel progressive', 'data-panel': 'progressive' },
    h('h4', {}, 'Progressive rollout ', h('span', { class: `badge state-${p.state}` }, p.state)),
    h('ol', { class: 'steps' }, steps),
    h('p', { class: 'small' }, facts.join(' · ')),
    p.reason && h('p', { class: 'small warn-text' }, p.reason),
    open &&
      h(
        'div',
        { class: 'buttons' },
        p.state === 'running' && h('button', { type: 'button', class: 'small', 'data-action': 'pause', onclick: run('pause') }, 'Pause'),
        p.state === 'paused' && h('button', { type: 'button', class: 'small', 'data-action': 'resume', onclick: run('resume') }, 'Resume'),
        p.step + 1 < p.steps.length && h('button', { type: 'button', class: 'small ghost', 'data-action': 'promote', onclick: run('promote') }, 'Promote to next step'),
      ),
  );
}

function shadowPanel(config, report) {
  const title = h('h4', {}, `Shadow traffic: ${fmt.percent(config.percent)} of requests mirrored`);
  if (!report) return h('div', { class: 'panel shadow', 'data-panel': 'shadow' }, title);
  if (report instanceof Error) return h('div', { class: 'panel shadow', 'data-panel': 'shadow' }, title, h('p', { class: 'small bad' }, `differences unavailable: ${report.message}`));
  const samples = report.samples.slice(0, SAMPLES_SHOWN);
  return h(
    'div',
    { class: 'panel shadow', 'data-panel': 'shadow' },
    title,
    h('p', { class: 'small' }, `${report.mismatches.toLocaleString()} mismatches in ${report.compared.toLocaleString()} compared`),
    samples.length > 0 &&
      h(
        'table',
        { class: 'samples' },
        h('thead', {}, h('tr', {}, h('th', {}, 'When'), h('th', {}, 'Request'), h('th', {}, 'Status (primary → shadow)'), h('th', {}, 'Differences'))),
        h(
          'tbody',
          {},
          samples.map((s) =>
            h(
              'tr',
              {},
              h('td', {}, fmt.time(s.at)),
              h('td', {}, h('code', {}, `${s.request.method} ${s.request.path}`)),
              h('td', { class: s.primary.status === s.shadow.status ? undefined : 'bad' }, `${s.primary.status} → ${s.shadow.status}`),
              h('td', {}, s.differences.join('; ')),
            ),
          ),
        ),
      ),
  );
}
