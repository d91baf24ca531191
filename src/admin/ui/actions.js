// Every change the page can make: a confirmation naming the route and the change, then the admin API.
// Each resolves with what to tell the user, or undefined when cancelled; a refusal rejects with the API's error.
import { ApiError, callApi, routePath } from './api.js';
import { confirmChange } from './confirm.js';
import { percent } from './format.js';

export async function setPercent(route, next) {
  if (!Number.isFinite(next)) throw new ApiError(`${route.id}: enter a percent from 0 to 100`, 0, 'PAGE');
  const change = `${route.id}: ${percent(route.rollout.percent)} → ${percent(next)}`;
  const who = next === 0 ? 'Every caller goes to legacy.' : next === 100 ? 'Every caller goes to the service.' : `${percent(next)} of callers go to the service, the same ones every time.`;
  const detail = `${who} Applies at once on every replica and is kept across restarts.`;
  const confirmed = await confirmChange(change, detail, { label: 'Apply' });
  if (!confirmed) return undefined;
  await callApi('PUT', routePath(route.id, '/rollout'), { percent: next }, confirmed);
  return `${change} applied`;
}

export async function rollBack(route) {
  const change = `${route.id}: roll back ${percent(route.rollout.percent)} → 0%`;
  const confirmed = await confirmChange(change, 'Every request of this route goes to legacy (cohorts still apply; the kill switch stops everything).', { label: 'Roll back', danger: true });
  if (!confirmed) return undefined;
  await callApi('POST', routePath(route.id, '/rollback'), undefined, confirmed);
  return `${change} applied`;
}

export async function clearRuntimeChange(route) {
  const change = `${route.id}: ${percent(route.rollout.percent)} → ${percent(route.fileRollout.percent)} (the file's rollout)`;
  const confirmed = await confirmChange(change, 'Drops the runtime change: the rollout in the config file applies again.', { label: 'Clear' });
  if (!confirmed) return undefined;
  await callApi('DELETE', routePath(route.id, '/rollout'), undefined, confirmed);
  return `${route.id}: runtime change cleared`;
}

export async function setKillSwitch(on) {
  const [change, detail] = on
    ? ['Kill switch: turn ON', 'Every route sends every request to legacy, at once, on every replica.']
    : ['Kill switch: turn OFF', 'Routes follow their rollouts again.'];
  const confirmed = await confirmChange(change, detail, { label: on ? 'Turn on' : 'Turn off', danger: on });
  if (!confirmed) return undefined;
  await callApi('POST', '/kill-switch', { on }, confirmed);
  return `kill switch ${on ? 'on' : 'off'}`;
}

const PROGRESSIVE = {
  pause: ['pause the progressive rollout at', 'It stays at this step until resumed.'],
  resume: ['resume the progressive rollout from', 'It moves on to the next steps when each is due and healthy.'],
  promote: ['promote the progressive rollout from', 'It moves to the next step now, without waiting for its time.'],
};

/** `verb`: pause, resume or promote (the progressive-rollout endpoints). */
export async function stepProgressive(route, verb) {
  const { steps, step } = route.progressive;
  const [what, detail] = PROGRESSIVE[verb];
  const next = verb === 'promote' && step + 1 < steps.length ? ` → ${percent(steps[step + 1])}` : '';
  const change = `${route.id}: ${what} ${percent(steps[step])}${next}`;
  const confirmed = await confirmChange(change, detail, { label: verb[0].toUpperCase() + verb.slice(1) });
  if (!confirmed) return undefined;
  await callApi('POST', routePath(route.id, `/progressive/${verb}`), undefined, confirmed);
  return `${change}: done`;
}
