// The overview above the table: the strangled share overall, the kill switch, the gateway's versions and state store.
import { byId, fill } from './dom.js';
import * as fmt from './format.js';

/** `table`: GET /routes; `stats`: GET /stats; `ready`: GET /readyz (or its error). */
export function renderSummary(table, stats, ready) {
  fill(byId('strangled'), fmt.share(stats.strangled));
  byId('strangled-bar').style.width = `${Math.round((stats.strangled ?? 0) * 100)}%`;
  // Live figures are counted by the replica that answers: another replica behind the same Service sees other requests.
  fill(byId('window'), stats.strangled === undefined ? `no routed traffic on this replica in the last ${stats.windowSeconds} s` : `of routed requests on this replica, last ${stats.windowSeconds} s`);
  fill(byId('live-title'), `Live on this replica, last ${stats.windowSeconds} s`);

  const kill = byId('kill-state');
  fill(kill, table.killSwitch ? 'ON' : 'off');
  kill.className = table.killSwitch ? 'big bad' : 'big';
  const toggle = byId('kill-toggle');
  fill(toggle, table.killSwitch ? 'Turn off' : 'Turn on');
  toggle.className = table.killSwitch ? 'primary' : 'danger';
  toggle.dataset.on = String(table.killSwitch);
  byId('killed-banner').hidden = !table.killSwitch;

  fill(byId('gateway-state'), `config v${table.configVersion} · state revision ${table.stateRevision} · ${table.routes.length} routes`);
  const store = byId('store-state');
  if (ready instanceof Error) fill(store, `readiness unknown: ${ready.message}`);
  else if (!ready.store) fill(store, 'no state store: runtime changes are not kept');
  else fill(store, `state store ${ready.store.description}: ${ready.store.healthy ? 'healthy' : 'DOWN (serving the last known state)'}`);
  store.className = ready instanceof Error || (ready.store && !ready.store.healthy) ? 'small bad' : 'small';
  fill(byId('updated'), `updated ${fmt.time(new Date().toISOString())}`);

  const ignored = byId('ignored');
  ignored.hidden = table.ignoredOverrides.length === 0;
  fill(ignored, table.ignoredOverrides.map((o) => `Runtime change to ${o.route} ignored: ${o.problems.join('; ')}. `));
}
