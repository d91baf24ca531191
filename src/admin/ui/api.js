// Calls to the admin API with this tab's token; a refusal becomes an ApiError carrying the API's own message.
const TOKEN_KEY = 'figway.admin.token';
const ACTOR_KEY = 'figway.admin.actor';
const ACTOR_PATTERN = /^[\w.@ -]{1,100}$/;

/** The token lives in sessionStorage only: gone when the tab closes, never in local storage or a URL. */
export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  /** The name typed at sign-in ('' when none): sent as X-Figway-Actor, a note beside the token's name in the audit log. */
  actor: () => sessionStorage.getItem(ACTOR_KEY) ?? '',
  save(token, actor) {
    sessionStorage.setItem(TOKEN_KEY, token);
    if (actor) sessionStorage.setItem(ACTOR_KEY, actor);
    else sessionStorage.removeItem(ACTOR_KEY);
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(ACTOR_KEY);
  },
};

/** The admin API's error, in its words: `message` is what the page shows. */
export class ApiError extends Error {
  constructor(message, status, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Whether the audit log would note this name (the API ignores one it would not). */
export function isValidActor(name) {
  return name === '' || ACTOR_PATTERN.test(name);
}

/**
 * One call to the admin API. Resolves with the parsed JSON body; rejects with an ApiError for any
 * refusal (the API's error.message) or when the API cannot be reached. `reason`: why a change is
 * made, kept in the audit log.
 */
export async function callApi(method, path, body, { token = session.token(), reason = '' } = {}) {
  const headers = { accept: 'application/json' };
  if (session.actor()) headers['x-figway-actor'] = session.actor();
  // URI-encoded: a header carries only Latin-1, a reason may be in any language.
  if (reason) headers['x-figway-reason'] = encodeURIComponent(reason);
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'omit' });
  } catch (err) {
    throw new ApiError(`cannot reach the admin API: ${err.message}`, 0, 'NETWORK');
  }
  const text = await res.text();
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const error = data && data.error;
    throw new ApiError(error && error.message ? error.message : `the admin API answered ${res.status} ${res.statusText}`, res.status, error && error.code);
  }
  return data;
}

/** The path of a route's endpoint, with its id escaped. */
export function routePath(id, rest = '') {
  return `/routes/${encodeURIComponent(id)}${rest}`;
}
