// The admin page's entry: sign in, keep routes, live figures, the migration map and the audit log fresh, and run changes.
import { setKillSwitch } from './actions.js';
import { callApi, isValidActor, routePath, session } from './api.js';
import { AUDIT_FETCHED, renderAudit } from './audit.js';
import { byId, fill } from './dom.js';
import { clearMap, renderMap } from './map-section.js';
import { createRoutesTable } from './routes-table.js';
import { renderSummary } from './summary.js';

const REFRESH_MS = 3000;
const OK_NOTICE_MS = 8000;

let timer;
let noticeTimer;
let inFlight;
// Bumped at sign-out, so an answer that arrives later does not repaint a signed-out page.
let generation = 0;
const routesTable = createRoutesTable(byId('routes').tBodies[0], act);

function showLogin(message) {
  byId('app').hidden = true;
  byId('logout').hidden = true;
  byId('whoami').hidden = true;
  byId('login').hidden = false;
  loginError(message);
  byId('token').focus();
}

function showApp() {
  byId('login').hidden = true;
  byId('app').hidden = false;
  byId('logout').hidden = false;
  refresh().then(schedule);
  showCaller(generation);
}

/** Says who the page acts as (the token's name and role, as the audit log records it); a read-only token gets no change controls. */
async function showCaller(mine) {
  let caller;
  try {
    caller = await callApi('GET', '/whoami');
  } catch (err) {
    if (mine === generation && err.status === 401) signOut(`Signed out: ${err.message}`);
    return;
  }
  if (mine !== generation) return;
  document.body.dataset.role = caller.role;
  const said = session.actor();
  const who = caller.authenticated ? `signed in as ${caller.name} (${caller.role === 'read' ? 'read only' : caller.role})` : `no token: ${caller.name}`;
  const whoami = byId('whoami');
  fill(whoami, said ? `${who}, noted as ${said}` : who);
  whoami.hidden = false;
}

function loginError(message) {
  const el = byId('login-error');
  el.hidden = !message;
  fill(el, message ?? '');
}

async function login(event) {
  event.preventDefault();
  const token = byId('token').value.trim();
  const actor = byId('actor').value.trim();
  if (!isValidActor(actor)) return loginError('Your name may use letters, digits, spaces and . @ - _ only.');
  const button = event.submitter ?? byId('login-form').querySelector('button');
  button.disabled = true;
  try {
    // The token is checked by the API itself; the page keeps it only once the API accepted it.
    await callApi('GET', '/routes', undefined, { token });
  } catch (err) {
    return loginError(err.message);
  } finally {
    button.disabled = false;
  }
  session.save(token, actor);
  byId('token').value = '';
  showApp();
}

function signOut(message) {
  generation++;
  delete document.body.dataset.role;
  clearTimeout(timer);
  session.clear();
  routesTable.clear();
  clearMap();
  byId('notice').hidden = true;
  showLogin(message);
}

function schedule() {
  clearTimeout(timer);
  if (session.token() === null) return;
  timer = setTimeout(() => refresh().then(schedule), REFRESH_MS);
}

/** Loads everything again; a refresh asked for while one runs starts after it, so it sees every change made before it was asked for. */
async function refresh() {
  while (inFlight) await inFlight;
  inFlight = load().finally(() => (inFlight = undefined));
  return inFlight;
}

/**
 * GET /map answers once this replica's counts are written to the state store: a slow store then
 * delays the map alone, not the rest of the page, and one map request is in flight at a time.
 */
let mapInFlight;
function loadMap(mine) {
  mapInFlight ??= callApi('GET', '/map')
    .catch((err) => err)
    .then((map) => {
      if (mine === generation) renderMap(map);
    })
    .finally(() => (mapInFlight = undefined));
}

async function load() {
  const mine = generation;
  loadMap(mine);
  try {
    const [table, stats, audit, ready] = await Promise.all([
      callApi('GET', '/routes'),
      callApi('GET', '/stats'),
      callApi('GET', `/audit?limit=${AUDIT_FETCHED}`).catch((err) => err),
      callApi('GET', '/readyz').catch((err) => err),
    ]);
    const shadows = await loadShadows(table.routes);
    if (mine !== generation) return;
    renderSummary(table, stats, ready);
    routesTable.render(table.routes, new Map(stats.routes.map((r) => [r.id, r])), shadows, audit instanceof Error ? [] : audit.entries);
    renderAudit(audit);
    if (byId('notice').dataset.tag === 'refresh') byId('notice').hidden = true;
  } catch (err) {
    if (mine !== generation) return;
    if (err.status === 401) return signOut(`Signed out: ${err.message}`);
    notify(`Could not refresh: ${err.message}`, 'error', 'refresh');
  }
}

/** Shadow differences of routes that mirror traffic; null where the API has no such endpoint (yet). */
async function loadShadows(routes) {
  const mirrored = routes.filter((route) => route.shadow);
  const answers = await Promise.all(mirrored.map((route) => callApi('GET', routePath(route.id, '/shadow')).catch((err) => (err.status === 404 ? null : err))));
  return new Map(mirrored.map((route, i) => [route.id, answers[i]]));
}

/** Runs one change: `run` confirms and calls the API; its refusal is shown in the API's words, never swallowed. */
async function act(run, onDone) {
  let message;
  try {
    message = await run();
  } catch (err) {
    if (err.status === 401) return signOut(`Signed out: ${err.message}`);
    notify(err.message, 'error');
    return refresh();
  }
  if (message === undefined) return undefined;
  onDone?.();
  notify(message, 'ok');
  return refresh();
}

function notify(text, kind, tag = '') {
  const notice = byId('notice');
  clearTimeout(noticeTimer);
  notice.className = `notice ${kind}`;
  notice.dataset.tag = tag;
  notice.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  fill(byId('notice-text'), text);
  notice.hidden = false;
  if (kind === 'ok') noticeTimer = setTimeout(() => (notice.hidden = true), OK_NOTICE_MS);
}

byId('login-form').addEventListener('submit', login);
byId('logout').addEventListener('click', () => signOut());
byId('notice-close').addEventListener('click', () => (byId('notice').hidden = true));
byId('kill-toggle').addEventListener('click', () => act(() => setKillSwitch(byId('kill-toggle').dataset.on !== 'true')));

if (session.token() === null) showLogin();
else showApp();
