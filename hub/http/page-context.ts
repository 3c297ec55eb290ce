// Builds the PageContext every page renders with, from the request's session and user, and the
// notices earlier middleware left in res.locals.pageNotices (budget warnings).
import type { Request } from 'express';
import type { PageContext, PageNotice } from '../pages';
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
  const notices = (req.res?.locals.pageNotices as PageNotice[] | undefined) ?? [];
  return {
    baseUrl: options.baseUrl,
    user: user ? { name: user.name, admin: user.admin } : null,
    csrfToken: token,
    banner: options.banner,
    adminPageEnabled: true,
    notices,
  };
}
