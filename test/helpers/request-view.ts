// A RequestView made of plain values, for testing the decide stage without HTTP.
import type { RequestView } from '../../src/rollout/request-view.js';

export interface ViewParts {
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
  user?: Record<string, unknown>;
  userId?: string;
  ip?: string;
}

export function view(parts: ViewParts = {}): RequestView {
  return {
    user: parts.user,
    userId: parts.userId,
    ip: parts.ip,
    header: (name) => parts.headers?.[name],
    cookie: (name) => parts.cookies?.[name],
  };
}
