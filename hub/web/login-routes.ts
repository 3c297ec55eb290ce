// Dev sign-in and sign-out for every authenticator. The form posts `username` and `password`
// (as JupyterHub's); passport checks them, rotates the session id, and we return to a safe
// `next`. Failed sign-ins are rate limited. Signing out ends the user's sessions everywhere.
import type { Request, Response, Router } from 'express';
import type { Passport } from 'passport';
import type { HubContext } from '../context';
import type { User } from '../store/store';
import { safeNext } from '../auth/next-url';
import { normalizeUsername } from '../auth/identity';
import type { SignInLimiter } from '../auth/rate-limit';
import { signOutEverywhere, type SignOutDeps } from '../auth/sign-out';
import type { SamlAuth, SamlSessionInfo } from '../auth/saml/saml-auth';
import { renderLogin, renderSignedOut, type PageContext } from '../pages';

export interface AuthRouteDeps {
  passport: InstanceType<typeof Passport>;
  limiter: SignInLimiter;
  signOut: SignOutDeps;
  /** Set when auth.kind is saml. */
  saml: SamlAuth | null;
}

export const SESSION_COOKIE = 'sciencehub-session';

/** The client's address as express sees it (behind trusted proxies: the forwarded one). */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

export function tooManyMessage(by: 'address' | 'user', seconds: number, what = 'failed sign-ins'): string {
  const whom = by === 'address' ? 'from your address' : 'for this user name';
  return `Too many ${what} ${whom}. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
}

/** The SAML details kept in the session for single logout, if any. */
export function samlSessionInfo(req: Request): SamlSessionInfo | null {
  const info = (req.session as unknown as { saml?: SamlSessionInfo } | undefined)?.saml;
  return info && typeof info.nameID === 'string' ? info : null;
}

export function registerLoginRoutes(router: Router, ctx: HubContext, pageContext: (req: Request) => PageContext, deps: AuthRouteDeps): void {
  const hub = ctx.hubPrefix;
  const home = `${hub}home`;

  if (ctx.config.auth.kind === 'dev') {
    const openSignup = ctx.config.auth.dev.openSignup;
    const page = (req: Request, res: Response, status: number, error: string | null, username: string | null) => {
      const next = safeNext(req.body?.next ?? req.query.next, ctx.baseUrl, home);
      res.status(status).type('html').send(renderLogin({ ctx: pageContext(req), next, error, username, openSignup, loginUrl: `${hub}login` }));
    };

    router.get('/login', (req, res) => {
      if (req.user) return res.redirect(302, safeNext(req.query.next, ctx.baseUrl, home));
      return page(req, res, 200, null, null);
    });

    router.post('/login', async (req, res, next) => {
      const address = clientAddress(req);
      const typed = typeof req.body?.username === 'string' ? req.body.username.slice(0, 255) : null;
      const name = typed !== null ? normalizeUsername(typed) : null;
      const verdict = await deps.limiter.check(address, name);
      if (!verdict.ok) {
        ctx.logger.info({ event: 'login-rate-limited', by: verdict.by }, 'sign-in refused: rate limited');
        res.set('Retry-After', String(verdict.retryAfterSeconds));
        return page(req, res, 429, tooManyMessage(verdict.by, verdict.retryAfterSeconds), typed);
      }
      // Open sign-up asks for no password, but passport-local refuses an empty field outright.
      if (openSignup && req.body && typeof req.body === 'object' && !req.body.password) req.body.password = '-';
      return deps.passport.authenticate('dev', (err: unknown, user: User | false, info?: { message?: string }) => {
        if (err) return next(err);
        if (!user) {
          ctx.logger.info({ event: 'login-failed' }, 'sign-in refused');
          return deps.limiter.failed(address, name).then(() => page(req, res, 403, info?.message ?? 'Sign-in failed.', typed), next);
        }
        const target = safeNext(req.body?.next, ctx.baseUrl, home);
        // req.login regenerates the session (no fixation) before storing the user.
        return deps.limiter.succeeded(user.name).then(() => req.login(user, (loginErr) => {
          if (loginErr) return next(loginErr);
          return res.redirect(303, target);
        }), next);
      })(req, res, next);
    });
  }

  const logout = async (req: Request, res: Response) => {
    const user = req.user as User | undefined;
    const saml = samlSessionInfo(req);
    if (user) await signOutEverywhere(deps.signOut, user.name, req.method === 'GET' ? 'sign-out link' : 'sign-out button');
    if (req.session) {
      await new Promise<void>((resolve, reject) => req.logout((e) => (e ? reject(e) : resolve())));
      await new Promise<void>((resolve) => (req.session ? req.session.destroy(() => resolve()) : resolve()));
    }
    res.clearCookie(SESSION_COOKIE, { path: hub });
    if (deps.saml?.singleLogout && saml) {
      const idpLogoutUrl = await deps.saml.logoutUrl(saml);
      res.status(200).type('html').send(renderSignedOut({ ctx: pageContext(req), idpLogoutUrl, institution: deps.saml.config.institution, loginUrl: `${hub}login` }));
      return;
    }
    res.redirect(303, `${hub}login`);
  };
  // Single-user servers send the browser to GET {hub}logout; the hub's own form POSTs.
  router.get('/logout', logout);
  router.post('/logout', logout);
}
