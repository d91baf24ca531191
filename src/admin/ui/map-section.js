// The migration map: the whole monolith as a picture — the share strangled overall and per area, every endpoint by state, new endpoints and what figway cannot read.
import { byId, fill, h } from './dom.js';
import * as fmt from './format.js';
import { areaName, served, STATES, stateOf } from './map-endpoint.js';
import { createMapTiles } from './map-tiles.js';

const tiles = createMapTiles(byId('map-legend'), byId('map-tiles'));

/** `map`: GET /map's answer, or the error it failed with (shown in the section only: the rest of the page goes on). */
export function renderMap(map) {
  try {
    if (map instanceof Error) throw map;
    renderNotes(map);
    renderOverall(map);
    fill(byId('map-areas'), map.areas.filter((a) => a.area !== '*').map(areaRow));
    tiles.render(map);
    renderLists(map);
    showError(undefined);
  } catch (err) {
    // An answer this page cannot read (a newer or broken gateway) fails here too, and only here.
    showError(`The migration map is unavailable: ${err.message}`);
  }
}

function showError(message) {
  byId('map-body').hidden = message !== undefined;
  byId('map-error').hidden = message === undefined;
  fill(byId('map-error'), message ?? '');
}

/** Empties the section at sign-out. */
export function clearMap() {
  tiles.clear();
  for (const id of ['map-notes', 'map-areas', 'map-new', 'map-hidden']) byId(id).replaceChildren();
  byId('map-body').hidden = true;
  byId('map-error').hidden = true;
}

function renderNotes(map) {
  const notes = [
    map.monolith === 'unknown' && 'figway is not mounted on an Express app (or not yet): the monolith\'s own endpoints cannot be read, so only figway\'s routes are listed.',
    map.history === 'unavailable' && 'The state store\'s history is unavailable: no endpoint is said ready to retire until it can be read.',
  ].filter(Boolean);
  fill(byId('map-notes'), notes.map((text) => h('p', { class: 'notice warn' }, text)));
}

function renderOverall(map) {
  const whole = map.areas.find((a) => a.area === '*') ?? { strangled: undefined };
  fill(byId('map-strangled'), fmt.share(whole.strangled));
  byId('map-strangled-bar').style.width = `${Math.round((whole.strangled ?? 0) * 100)}%`;
  const span = fmt.duration(map.windowSeconds);
  const counted = map.countLegacy ? 'requests to the monolith' : 'requests to routes only';
  fill(byId('map-counted'), whole.strangled === undefined ? `no counted requests on this replica in the last ${span}` : `of ${counted} on this replica, last ${span}`);
  const only = byId('map-routes-only');
  only.hidden = map.countLegacy;
  fill(only, 'The share counts only requests to routes: endpoints no route covers are not counted (map.countLegacy is off).');
}

function areaRow(a) {
  const bar = h('span');
  bar.style.width = `${Math.round((a.strangled ?? 0) * 100)}%`;
  const total = Object.values(a.endpoints).reduce((sum, n) => sum + n, 0);
  const parts = Object.keys(STATES).concat(Object.keys(a.endpoints).filter((s) => !(s in STATES))).filter((s) => a.endpoints[s] > 0);
  return h(
    'li',
    { 'data-area': a.area },
    h('span', { class: 'area-name' }, areaName(a.area)),
    h('div', { class: 'meter', role: 'img', 'aria-label': `${fmt.share(a.strangled)} strangled` }, bar),
    h('span', { class: 'area-share' }, fmt.share(a.strangled)),
    h('span', { class: 'area-counts muted small' }, `${total} endpoint${total === 1 ? '' : 's'}`, parts.length > 0 ? `: ${parts.map((s) => `${a.endpoints[s]} ${stateOf(s).label}`).join(', ')}` : ''),
  );
}

function renderLists(map) {
  fill(
    byId('map-new'),
    map.newRoutes.map((r) => h('li', { 'data-route': r.route }, h('code', {}, r.path), ' route ', h('strong', {}, r.route), ` · ${fmt.percent(r.percent)} to the service · ${served(r.served, map.windowSeconds)}`)),
  );
  byId('map-new-empty').hidden = map.newRoutes.length > 0;
  byId('map-hidden-part').hidden = map.hidden.length === 0;
  fill(byId('map-hidden'), map.hidden.map((part) => h('li', {}, h('code', {}, part.path), ` — ${part.reason}`)));
}
