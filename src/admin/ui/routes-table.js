// The routes table: one row (and an extras row) per route, kept across polls so edits in progress survive a refresh.
import { createRouteExtras } from './route-extras.js';
import { createRouteRow } from './route-row.js';
import { rolloutChanges } from './timeline.js';

/** Creates the table's renderer over its <tbody>. */
export function createRoutesTable(tbody, act) {
  const columns = [...tbody.closest('table').querySelector('thead tr').children].reduce((n, th) => n + th.colSpan, 0);
  const rows = new Map();
  return {
    /** `stats`: GET /stats routes by id; `shadows`: GET /routes/:id/shadow answers by id; `audit`: GET /audit's entries (none when it failed). */
    render(routes, stats, shadows, audit) {
      const ids = new Set(routes.map((r) => r.id));
      for (const id of rows.keys()) if (!ids.has(id)) rows.delete(id);
      for (const route of routes) {
        let entry = rows.get(route.id);
        if (!entry) {
          entry = { main: createRouteRow(route.id, act), extras: createRouteExtras(route.id, act, columns) };
          rows.set(route.id, entry);
        }
        entry.main.update(route, stats.get(route.id));
        entry.extras.update(route, shadows.get(route.id) ?? null, rolloutChanges(audit, route.id));
      }
      // Rows move only when the order changed (a reload): moving a row would take the focus from its percent field.
      const order = routes.flatMap((r) => [rows.get(r.id).main.row, rows.get(r.id).extras.row]);
      if (order.length !== tbody.children.length || order.some((row, i) => tbody.children[i] !== row)) tbody.replaceChildren(...order);
    },
    clear() {
      rows.clear();
      tbody.replaceChildren();
    },
  };
}
