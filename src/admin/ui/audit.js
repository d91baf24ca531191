// The audit log as the API keeps it: newest first, who (the token's name, and who the caller said it was), what, which route, old → new, and why.
import { byId, fill, h } from './dom.js';
import * as fmt from './format.js';

const AUDIT_SHOWN = 25;
/** More than the table shows: the routes' rollout histories are drawn from them too. */
export const AUDIT_FETCHED = 200;

/** `audit`: GET /audit's answer, or the error it failed with (a state store that is down). */
export function renderAudit(audit) {
  const failed = audit instanceof Error;
  const entries = failed ? [] : audit.entries.slice(0, AUDIT_SHOWN);
  fill(byId('audit').tBodies[0], entries.map(auditRow));
  const empty = byId('audit-empty');
  empty.hidden = entries.length > 0;
  empty.className = failed ? 'bad' : 'muted';
  fill(empty, failed ? `The audit log is unavailable: ${audit.message}` : 'No changes yet.');
}

function auditRow(e) {
  return h(
    'tr',
    { 'data-action': e.action },
    h('td', { class: 'nowrap', 'data-label': 'When' }, fmt.dateTime(e.at)),
    h('td', { 'data-label': 'Who' }, e.actor, e.note ? h('span', { class: 'muted', title: 'who the caller said it was (not verified)' }, ` (${e.note})`) : null),
    h('td', { 'data-label': 'What' }, h('span', { class: `badge action-${e.action}` }, e.action)),
    h('td', { 'data-label': 'Route' }, e.route ?? '–'),
    h('td', { 'data-label': 'Change' }, e.action === 'reload' ? `config v${e.before ?? '–'} → v${e.after}` : fmt.change(e.before, e.after)),
    h('td', { 'data-label': 'Reason' }, e.reason ?? '–'),
  );
}
