// One confirmation dialog for every change: it names the route and the change, and nothing is sent until it is confirmed.
import { byId, fill } from './dom.js';

/**
 * Shows the dialog; resolves with `{ reason }` (what was typed as the reason, maybe '') when
 * confirmed, undefined on Cancel or Escape.
 * `title` is the change in a few words ("orders: 10% → 25%"), `detail` what it means for traffic.
 */
export function confirmChange(title, detail, { label = 'Confirm', danger = false } = {}) {
  const dialog = byId('confirm');
  // One change at a time: a second click while a dialog is open asks nothing and changes nothing.
  if (dialog.open) return Promise.resolve(undefined);
  const ok = byId('confirm-ok');
  const reason = byId('confirm-reason');
  reason.value = '';
  fill(byId('confirm-title'), title);
  fill(byId('confirm-detail'), detail);
  fill(ok, label);
  ok.className = danger ? 'danger' : 'primary';
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm' ? { reason: reason.value.trim() } : undefined), { once: true });
    dialog.showModal();
    // Focus starts on Cancel, so an Enter pressed out of habit does not apply a change.
    dialog.querySelector('button[value="cancel"]').focus();
  });
}
