// Who is calling: one shape for every identity source (session, JWT, API key, passport strategy).

/** The caller, as figway established it. */
export interface Identity {
  /** The user id (req.user id field, token sub, API key id). */
  readonly id: string;
  /** Where it came from: session, jwt, apiKey or passport:<strategy>. */
  readonly source: string;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  /** The user object or token claims, for cohorts, authorization rules and identity tokens. */
  readonly claims: Readonly<Record<string, unknown>>;
}
