// A route's rollout over time, from the audit log: a step chart of its percent, then its last changes in words (who, when, from → to, why).
import { h } from './dom.js';
import * as fmt from './format.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 360;
const HEIGHT = 72;
const PAD = 6;
const CHANGES_LISTED = 5;

/** The audit entries that moved `routeId`'s percent, oldest first, each with its percent before and after. */
export function rolloutChanges(entries, routeId) {
  return entries
    .filter((e) => e.route === routeId && e.action !== 'reload')
    .map((e) => ({ ...e, from: fmt.percentOf(e.before), to: fmt.percentOf(e.after) }))
    .filter((e) => e.to !== undefined)
    .reverse();
}

/**
 * The panel, or null for a route the audit log shows no change of. Changes are spaced evenly, not by
 * time: a route changed three times in an hour and then left for a week reads as the steps it took.
 * The line ends at `now`, the route's percent as it serves (a reload of the file moves it without a
 * route entry in the audit log).
 */
export function timelinePanel(changes, now) {
  if (changes.length === 0) return null;
  const step = (WIDTH - 2 * PAD) / changes.length;
  const x = (index) => PAD + index * step;
  const y = (percent) => HEIGHT - PAD - (percent / 100) * (HEIGHT - 2 * PAD);
  const points = [];
  let level = changes[0].from ?? changes[0].to;
  changes.forEach((c, index) => {
    points.push(`${x(index)},${y(level)}`, `${x(index)},${y(c.to)}`);
    level = c.to;
  });
  points.push(`${WIDTH - PAD},${y(level)}`, `${WIDTH - PAD},${y(now)}`);
  const chart = svg(
    'svg',
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'timeline-chart', role: 'img', 'aria-label': `rollout percent over its recent changes, now ${fmt.percent(now)}` },
    svg('line', { x1: PAD, x2: WIDTH - PAD, y1: y(0), y2: y(0), class: 'axis' }),
    svg('line', { x1: PAD, x2: WIDTH - PAD, y1: y(100), y2: y(100), class: 'axis' }),
    svg('polyline', { points: points.join(' ') }),
    changes.map((c, index) => svg('circle', { cx: x(index), cy: y(c.to), r: 3.5, 'data-action': c.action }, svg('title', {}, describe(c)))),
  );
  const listed = changes.slice(-CHANGES_LISTED).reverse();
  return h(
    'div',
    { class: 'panel timeline', 'data-panel': 'timeline' },
    h('h4', {}, 'Recent rollout changes'),
    chart,
    h('ol', { class: 'changes small' }, listed.map((c) => h('li', {}, describe(c)))),
  );
}

function describe(c) {
  const who = c.note ? `${c.actor} (${c.note})` : c.actor;
  const from = c.from === undefined ? '' : `${fmt.percent(c.from)} → `;
  return `${fmt.dateTime(c.at)} ${who} ${c.action} ${from}${fmt.percent(c.to)}${c.reason ? ` — ${c.reason}` : ''}`;
}

/** An SVG element: same rules as h(), in the SVG namespace. */
function svg(tag, attributes, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, String(value));
  for (const child of children.flat()) el.append(child);
  return el;
}
