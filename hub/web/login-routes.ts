// Sign-in and sign-out pages. The form posts `username` and `password` (as JupyterHub's);
// passport checks them, rotates the session id, and we return to a safe `next`.
import type { Request, Response, Router } from 'express';
import type { Passport } from 'passport';
import type { HubContext } from '../context';
import type { User } from '../store/store';
import { safeNext } from '../auth/next-url';
import { renderLogin, type PageContext } from '../pages';

export function registerLoginRoutes(router: Router, ctx: HubContext, pageContext: (req: Request) => PageContext, passport: InstanceType<typeof Passport>): void {
  const hub = ctx.hubPrefix;
  const home = `${hub}home`;
  const openSignup = ctx.config.auth.kind === 'dev' && ctx.config.auth.dev.openSignup;
  const page = (req: Request, res: Response, status: number, error: string | null, username: string | null) => {
    const next = safeNext(req.body?.next ?? req.query.next, ctx.baseUrl, home);
    res.status(status).type('html').send(renderLogin({ ctx: pageContext(req), next, error, username, openSignup, loginUrl: `${hub}login` }));
  };

  router.get('/login', (req, res) => {
    if (req.user) return res.redirect(302, safeNext(req.query.next, ctx.baseUrl, home));
    return page(req, res, 200, null, null);
  });

  router.post('/login', (req, res, next) => {
    // Open sign-up asks for no password, but passport-local refuses an empty field outright.
    if (openSignup && req.body && typeof req.body === 'object' && !req.body.password) req.body.password = '-';
    passport.authenticate('dev', (err: unknown, user: User | false, info?: { message?: string }) => {
      if (err) return next(err);
      const username = typeof req.body?.username === 'string' ? req.body.username.slice(0, 255) : null;
      if (!user) {
        ctx.logger.info({ event: 'login-failed' }, 'sign-in refused');
        return page(req, res, 403, info?.message ?? 'Sign-in failed.', username);
      }
      const target = safeNext(req.body?.next, ctx.baseUrl, home);
      // req.login regenerates the session (no fixation) before storing the user.
      return req.login(user, (loginErr) => {
        if (loginErr) return next(loginErr);
        void ctx.record('login', user.name, null, 'signed in');
        return res.redirect(303, target);
      });
    })(req, res, next);
  });

  const logout = async (req: Request, res: Response) => {
    const user = req.user as User | undefined;
    const sid = req.sessionID;
    if (user && sid) await ctx.tokens.revokeWhere((t) => t.sessionId === sid);
    await new Promise<void>((resolve, reject) => req.logout((e) => (e ? reject(e) : resolve())));
    await new Promise<void>((resolve) => (req.session ? req.session.destroy(() => resolve()) : resolve()));
    res.clearCookie('sciencehub-session', { path: hub });
    res.redirect(303, `${hub}login`);
  };
  // Single-user servers send the browser to GET {hub}logout; the hub's own form POSTs.
  router.get('/logout', logout);
  router.post('/logout', logout);
}
