// One endpoint of the migration map in words: its state's label and mark (readable without colour), its tooltip and its detail panel.
import { h } from './dom.js';
import * as fmt from './format.js';

/** Each state in the order a migration goes through them, with the words and mark a tile shows beside its colour. */
export const STATES = {
  'legacy-only': { label: 'legacy only', mark: '○' },
  'rolling-out': { label: 'rolling out', mark: '◐' },
  'at-100': { label: 'at 100%', mark: '●' },
  'ready-to-retire': { label: 'ready to retire', mark: '✓' },
};

/** A state's words and mark; one this page does not know yet (a newer gateway) reads as itself. */
export function stateOf(state) {
  return STATES[state] ?? { label: String(state), mark: '?' };
}

/** An area as a path: "api" → "/api"; the root stays "/". */
export function areaName(area) {
  return area === '/' ? '/' : `/${area}`;
}

/** Requests counted within the window: "service 12 · legacy 3"; a side figway does not count is left out. */
export function served(counts, windowSeconds) {
  const sides = ['service', 'legacy'].filter((side) => typeof counts[side] === 'number').map((side) => `${side} ${counts[side].toLocaleString()}`);
  return sides.length === 0 ? 'not counted' : `${sides.join(' · ')} in the last ${fmt.duration(windowSeconds)}`;
}

/** The facts of one endpoint, as [term, value] pairs. */
function facts(e, map) {
  return [
    ['State', stateOf(e.state).label],
    ['Route', e.route ?? 'none covers it'],
    e.percent !== undefined && ['To the service', fmt.percent(e.percent)],
    e.fullSince && ['At 100% since', fmt.dateTime(e.fullSince)],
    e.legacyLast && ['Legacy last served', fmt.dateTime(e.legacyLast)],
    ['Requests', served(e.served, map.windowSeconds)],
  ].filter(Boolean);
}

/** The tile's tooltip: method and path, the facts, then why it is not ready to retire. */
export function tooltip(e, map) {
  return [`${e.method} ${e.path}`, ...facts(e, map).map(([term, value]) => `${term}: ${value}`), ...e.why.map((line) => `– ${line}`)].join('\n');
}

/** The open tile's panel, under its area's tiles. */
export function detailPanel(e, map) {
  const why = e.why.length > 0 ? h('ul', { class: 'why' }, e.why.map((line) => h('li', {}, line))) : h('p', { class: 'small' }, 'Nothing keeps its legacy handler: it can be retired.');
  return h(
    'div',
    { id: 'map-detail', class: 'map-detail', 'data-endpoint': e.key, role: 'region', 'aria-label': `${e.method} ${e.path}` },
    h('h4', {}, h('code', {}, `${e.method} ${e.path}`)),
    h('dl', { class: 'map-facts' }, facts(e, map).map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])),
    h('h4', {}, e.why.length > 0 ? 'Why it cannot be retired yet' : 'Ready to retire'),
    why,
  );
}
