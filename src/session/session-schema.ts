// The config keys of sharing the monolith's session with services: the top-level `session` and each route's `session`.
import { Type, type Static } from '@sinclair/typebox';
import { defaulted, defaultsFiller } from '../config-kit/schema-defaults.js';
import { numberOrPattern, SIZE_PATTERN } from '../config-kit/schema-parts.js';

/** A key path of `req.session`: names joined by dots, `*` standing for any one name at its level. */
const SESSION_PATH = '^(\\*|[A-Za-z0-9_$-]+)(\\.(\\*|[A-Za-z0-9_$-]+))*$';

/** A list of `req.session` key paths, for `share` or `write`. */
const SessionPaths = (description: string) =>
  Type.Array(
    Type.String({ pattern: SESSION_PATH, description: 'A key of req.session (cart), a dot path (prefs.locale), or * for every key at one level (flags.*).', errorMessage: 'must be a key, a dot path, or * for one level' }),
    { description },
  );

const Share = SessionPaths('The req.session keys the service may see; no other key leaves the process. Empty: none.');
const Write = SessionPaths('The req.session keys the service may change, with a patch in its response (session.patchHeader); changes to any other key are refused and logged. Empty: none.');

/** A route's `session`: which of the monolith's session the route's service sees, and may change. */
export const RouteSession = Type.Object(
  { share: Type.Optional(Share), write: Type.Optional(Write) },
  { additionalProperties: false, description: "The monolith's session keys this route's service sees, signed so it can trust them (default: session.share), and may change (default: session.write)." },
);

/** The top-level `session` section. */
export const SessionSection = Type.Object(
  {
    share: Type.Optional(Share),
    write: Type.Optional(Write),
    maxBytes: Type.Optional(
      defaulted(numberOrPattern(SIZE_PATTERN, 'Largest shared session, as JSON; a larger one fails the request (500, FIGWAY_SESSION_TOO_LARGE) rather than reach the service cut.', 'must be bytes or a size such as "4kb"'), '4kb'),
    ),
    header: Type.Optional(defaulted(Type.String({ minLength: 1, description: 'Request header carrying the session token when no identity token carries the session.' }), 'x-figway-session')),
    patchHeader: Type.Optional(
      defaulted(
        Type.String({ minLength: 1, description: "Response header in which a service sends its changes to the session: a JSON merge patch (RFC 7396), as base64url of its UTF-8 JSON. figway applies it and removes it from the response." }),
        'x-figway-session-patch',
      ),
    ),
  },
  {
    additionalProperties: false,
    description:
      "Sharing the monolith's session (middleware mode): the listed req.session keys go to services signed with auth.token's key, as a session claim of the identity token, or in their own token when no identity token is sent. Default for every route; a route's session replaces it.",
  },
);

/** The config keys session sharing declares: top level and per route. */
export const SESSION_KEYS = { config: { session: SessionSection }, route: { session: RouteSession } };

/** The `session` section with its defaults filled in. */
export const fillSession = defaultsFiller(SessionSection, ['maxBytes', 'header', 'patchHeader']);

/** The `session` section, as the file has it. */
export type SessionConfig = Static<typeof SessionSection>;
/** A route's `session`, as the file has it. */
export type RouteSessionConfig = Static<typeof RouteSession>;

/** A route's `share` or `write` list: its own, else the section's (the default for every route); none when neither has one. */
export function listedPaths(section: SessionConfig | undefined, route: RouteSessionConfig | undefined, list: 'share' | 'write'): readonly string[] {
  return route?.[list] ?? section?.[list] ?? [];
}
