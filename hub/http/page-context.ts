// Builds the PageContext every page renders with, from the request's session and user.
import type { Request } from 'express';
import type { PageContext } from '../pages';
import type { User } from '../store/store';

export interface PageContextOptions {
  baseUrl: string;
  banner: string | null;
  /** csrf-sync's token generator (stores the token in the session). */
  csrfToken: (req: Request) => string;
}

export function pageContext(req: Request, options: PageContextOptions): PageContext {
  const user = (req.user as User | undefined) ?? null;
  let token: string | null = null;
  if (req.session) token = options.csrfToken(req);
  return {
    baseUrl: options.baseUrl,
    user: user ? { name: user.name, admin: user.admin } : null,
    csrfToken: token,
    banner: options.banner,
  };
}
