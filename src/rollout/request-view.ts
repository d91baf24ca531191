// What the decide stage may read of a request: a narrow, testable view instead of the whole req.

/** The parts of a request that stickiness, cohorts and overrides look at. */
export interface RequestView {
  /** The authenticated user (req.user), if any. */
  readonly user: Readonly<Record<string, unknown>> | undefined;
  /** The user's id (from identity.userIdField), if any. */
  readonly userId: string | undefined;
  /** The client address, as Express's trust proxy setting resolves it. */
  readonly ip: string | undefined;
  /** A request header's value (the first, when repeated). */
  header(name: string): string | undefined;
  /** A cookie's value. */
  cookie(name: string): string | undefined;
}
