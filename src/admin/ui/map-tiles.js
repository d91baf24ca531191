// The monolith's endpoints as tiles grouped by area, coloured and marked by state, with a legend of counts; a click opens a tile's detail.
import { fill, h } from './dom.js';
import { areaName, detailPanel, STATES, stateOf, tooltip } from './map-endpoint.js';

/** Creates the renderer over the legend (a list) and the tiles' container; the open tile and the focus survive a refresh. */
export function createMapTiles(legend, container) {
  let map;
  let open;

  function draw() {
    const focused = container.contains(document.activeElement) ? document.activeElement.dataset.key : undefined;
    const endpoints = keyed(map.endpoints);
    if (!endpoints.some((e) => e.key === open)) open = undefined;
    fill(
      legend,
      Object.entries(STATES).map(([state, { label, mark }]) =>
        h('li', { 'data-state': state }, h('span', { class: `mark state-${state}`, 'aria-hidden': 'true' }, mark), ` ${label} `, h('strong', { class: 'count' }, endpoints.filter((e) => e.state === state).length)),
      ),
    );
    if (endpoints.length === 0) return void fill(container, h('p', { class: 'muted' }, 'No monolith endpoints to show.'));
    fill(
      container,
      byArea(endpoints, map.areas).map(([area, list]) =>
        h(
          'section',
          { class: 'map-group', 'data-area': area, 'aria-label': `area ${areaName(area)}` },
          h('h4', {}, areaName(area), h('span', { class: 'muted small' }, ` ${list.length} endpoint${list.length === 1 ? '' : 's'}`)),
          h('div', { class: 'tiles' }, list.map(tile)),
          list.map((e) => e.key === open && detailPanel(e, map)),
        ),
      ),
    );
    if (focused) [...container.querySelectorAll('.tile')].find((el) => el.dataset.key === focused)?.focus({ preventScroll: true });
  }

  function tile(e) {
    const { label, mark } = stateOf(e.state);
    const isOpen = e.key === open;
    const toggle = () => {
      open = isOpen ? undefined : e.key;
      draw();
    };
    return h(
      'button',
      { type: 'button', class: `tile state-${e.state}`, 'data-key': e.key, 'data-state': e.state, title: tooltip(e, map), 'aria-expanded': String(isOpen), 'aria-controls': isOpen ? 'map-detail' : undefined, onclick: toggle },
      h('span', { class: 'tile-state' }, h('span', { class: 'mark', 'aria-hidden': 'true' }, mark), ` ${label}`, e.state === 'rolling-out' && e.percent !== undefined ? ` ${e.percent}%` : null),
      h('code', { class: 'tile-name' }, `${e.method} ${e.path}`),
    );
  }

  return {
    /** `answer`: GET /map. */
    render(answer) {
      map = answer;
      draw();
    },
    clear() {
      map = undefined;
      open = undefined;
      legend.replaceChildren();
      container.replaceChildren();
    },
  };
}

/** Each endpoint with a key that stays the same across refreshes: method and path, numbered when the app declares the same twice. */
function keyed(endpoints) {
  const seen = new Map();
  return endpoints.map((e) => {
    const base = `${e.method} ${e.path}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return { ...e, key: n === 1 ? base : `${base} #${n}` };
  });
}

/** [area, endpoints] in the order GET /map lists its areas, then any area it did not list, in the app's order. */
function byArea(endpoints, areas) {
  const groups = new Map(areas.filter((a) => a.area !== '*').map((a) => [a.area, []]));
  for (const e of endpoints) {
    if (!groups.has(e.area)) groups.set(e.area, []);
    groups.get(e.area).push(e);
  }
  return [...groups].filter(([, list]) => list.length > 0);
}
