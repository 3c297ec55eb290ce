// SAML sign-on pages: the sign-in page (a "Sign in with <institution>" button, or straight to
// the IdP), the start of a sign-in, the assertion consumer (ACS), our metadata, and single
// logout. Every refusal is a 4xx page (or JSON) naming what was wrong, and leaves no session.
import type { NextFunction, Request, Response, Router } from 'express';
import type { HubContext } from '../context';
import { safeNext } from '../auth/next-url';
import { allowedToSignIn } from '../auth/roles';
import { signInUser, type SignInDeps } from '../auth/sign-in';
import { signOutEverywhere } from '../auth/sign-out';
import { sessionUser } from '../store/session-store';
import type { SamlAuth, SamlSessionInfo, SamlVerdict } from '../auth/saml/saml-auth';
import type { SamlStateStore } from '../auth/saml/saml-state';
import { describeSamlError, type SamlRefusal } from '../auth/saml/errors';
import { renderError, renderLogin, renderNotAllowed, renderSignedOut, type PageContext } from '../pages';
import { clientAddress, tooManyMessage, type AuthRouteDeps } from './login-routes';

export interface SamlRouteDeps extends AuthRouteDeps {
  saml: SamlAuth;
  state: SamlStateStore;
  signIn: SignInDeps;
}

type PageCtx = (req: Request) => PageContext;

export function registerSamlRoutes(router: Router, ctx: HubContext, pageContext: PageCtx, deps: SamlRouteDeps): void {
  const hub = ctx.hubPrefix;
  const home = `${hub}home`;
  const { saml } = deps;
  const institution = saml.config.institution;
  const log = ctx.logger.child({ component: 'saml' });

  /**
   * Refusal pages render without the session: no CSRF token is made for them, so a flood of
   * forged responses leaves no session entries behind.
   */
  const bareContext = (req: Request) => pageContext(Object.create(req, { session: { value: undefined }, user: { value: undefined } }) as Request);
  /** A refusal as a page, or JSON for clients that ask for it. Never a session. */
  const refuse = (req: Request, res: Response, refusal: SamlRefusal, title = 'Sign-in refused') => {
    if (req.accepts(['html', 'json']) === 'json') {
      res.status(refusal.status).json({ status: refusal.status, reason: refusal.reason, message: refusal.message });
      return;
    }
    res.status(refusal.status).type('html').send(renderError({ ctx: bareContext(req), status: refusal.status, title, message: refusal.message, errorId: null }));
  };
  const tooMany = (req: Request, res: Response, by: 'address' | 'user', seconds: number, what?: string) => {
    log.info({ event: 'login-rate-limited', by }, 'sign-in refused: rate limited');
    res.set('Retry-After', String(seconds));
    refuse(req, res, { status: 429, reason: 'rate-limited', message: tooManyMessage(by, seconds, what) }, 'Too many sign-ins');
  };
  const startUrl = (next: string) => `${hub}saml/login?next=${encodeURIComponent(next)}`;

  router.get('/login', (req, res) => {
    const next = safeNext(req.query.next, ctx.baseUrl, home);
    if (req.user) return res.redirect(302, next);
    if (saml.config.autoRedirect) return res.redirect(302, startUrl(next));
    return res.type('html').send(renderLogin({
      ctx: pageContext(req), next, openSignup: false, loginUrl: `${hub}login`, sso: { institution, startUrl: startUrl(next) },
    }));
  });

  // Starts a sign-in at the IdP; `next` travels as a short RelayState handle kept in the store.
  router.get('/saml/login', async (req, res) => {
    // Each start keeps state (RelayState and request id) until it completes or expires: bounded per address.
    const verdict = await deps.limiter.started(clientAddress(req));
    if (!verdict.ok) return tooMany(req, res, verdict.by, verdict.retryAfterSeconds, 'sign-ins started');
    const next = safeNext(req.query.next, ctx.baseUrl, home);
    const relay = await deps.state.saveRelay(next);
    res.redirect(302, await saml.loginUrl(relay));
  });

  router.get('/saml/metadata', (_req, res) => {
    res.type('application/samlmetadata+xml').set('Cache-Control', 'public, max-age=300').send(saml.metadataXml);
  });

  router.post('/saml/acs', async (req: Request, res: Response, next: NextFunction) => {
    const address = clientAddress(req);
    const first = await deps.limiter.check(address, null);
    if (!first.ok) return tooMany(req, res, first.by, first.retryAfterSeconds);
    const body = (req.body ?? {}) as Record<string, unknown>;
    // passport-saml would treat SAML messages in the query as the redirect binding (logout).
    if (req.query.SAMLResponse !== undefined || req.query.SAMLRequest !== undefined) {
      await deps.limiter.failed(address, null);
      return refuse(req, res, { status: 400, reason: 'query-message', message: 'The sign-in response must be posted as a form (HTTP-POST binding), not sent in the address.' });
    }
    if (typeof body.SAMLResponse !== 'string' || body.SAMLResponse.length === 0) {
      await deps.limiter.failed(address, null);
      return refuse(req, res, { status: 400, reason: 'no-response', message: 'This address takes the sign-in response from the identity provider (a form field SAMLResponse), and none was sent.' });
    }
    return deps.passport.authenticate('saml', (err: unknown, verdict: SamlVerdict | false) => {
      handleVerdict(req, res, address, err, verdict).catch(next);
    })(req, res, next);
  });

  async function handleVerdict(req: Request, res: Response, address: string, err: unknown, verdict: SamlVerdict | false): Promise<void> {
    if (err || !verdict) {
      const refusal = describeSamlError(err ?? new Error('no verdict'), institution);
      log.info({ event: 'saml-refused', reason: refusal.reason, detail: err instanceof Error ? err.message.slice(0, 300) : undefined }, 'SAML response refused');
      await deps.limiter.failed(address, null);
      return refuse(req, res, refusal);
    }
    if ('unusable' in verdict) {
      log.info({ event: 'saml-refused', reason: 'unusable-identity' }, verdict.unusable.message);
      await deps.limiter.failed(address, null);
      res.status(403).type('html').send(renderNotAllowed({
        ctx: bareContext(req), name: verdict.unusable.value, displayName: verdict.unusable.displayName, institution,
        reason: verdict.unusable.message, loginUrl: `${hub}login`,
      }));
      return;
    }
    const { identity } = verdict;
    const limited = await deps.limiter.check(address, identity.name);
    if (!limited.ok) return tooMany(req, res, limited.by, limited.retryAfterSeconds);
    const verdictAllowed = allowedToSignIn(identity.name, identity.groups ?? [], saml.config, ctx.config.auth);
    if (!verdictAllowed.allowed) {
      log.info({ event: 'login-not-allowed', user: identity.name }, 'sign-in refused: not allowed');
      await deps.limiter.failed(address, identity.name);
      await ctx.record('login-refused', identity.name, null, verdictAllowed.reason);
      res.status(403).type('html').send(renderNotAllowed({
        ctx: bareContext(req), name: identity.name, displayName: identity.displayName, institution, reason: verdictAllowed.reason, loginUrl: `${hub}login`,
      }));
      return;
    }
    const user = await signInUser(deps.signIn, identity.name, identity.groups, 'saml');
    await deps.limiter.succeeded(user.name);
    const target = safeNext(await deps.state.takeRelay(req.body?.RelayState), ctx.baseUrl, home);
    const info: SamlSessionInfo = {
      nameID: identity.nameID, nameIDFormat: identity.nameIDFormat, nameQualifier: identity.nameQualifier,
      spNameQualifier: identity.spNameQualifier, sessionIndex: identity.sessionIndex,
    };
    // req.login regenerates the session (a new id: no fixation) before storing the user.
    await new Promise<void>((resolve, reject) => req.login(user, (e) => (e ? reject(e) : resolve())));
    (req.session as unknown as { saml?: SamlSessionInfo }).saml = info;
    res.redirect(303, target);
  }

  // Single logout: logout requests from the IdP (it signs someone out) and its responses to ours.
  const slo = async (req: Request, res: Response) => {
    if (!saml.singleLogout) return refuse(req, res, { status: 404, reason: 'slo-disabled', message: 'Single logout is not enabled on this hub.' }, 'Not found');
    const container = (req.method === 'POST' ? req.body ?? {} : req.query) as Record<string, string>;
    const isRequest = typeof container.SAMLRequest === 'string';
    if (!isRequest && typeof container.SAMLResponse !== 'string') {
      return refuse(req, res, { status: 400, reason: 'no-message', message: 'This address takes logout messages from the identity provider (SAMLRequest or SAMLResponse), and none was sent.' }, 'Sign-out refused');
    }
    let message;
    try {
      const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
      message = await saml.logoutMessage(req.method, container, query);
    } catch (err) {
      const refusal = describeSamlError(err, institution);
      log.info({ event: 'saml-logout-refused', reason: refusal.reason, detail: (err as Error).message?.slice(0, 300) }, 'SAML logout message refused');
      return refuse(req, res, refusal, 'Sign-out refused');
    }
    if (message.kind === 'request') {
      const nameID = message.profile.nameID;
      const found = await deps.signOut.sessions.findSessions((data) => (data.saml as { nameID?: unknown } | undefined)?.nameID === nameID);
      const users = new Set(found.map((s) => sessionUser(s.data)).filter((u): u is string => u !== null));
      for (const user of users) await signOutEverywhere(deps.signOut, user, 'single logout from the identity provider');
      const relay = typeof container.RelayState === 'string' ? container.RelayState : '';
      return res.redirect(302, await saml.logoutResponseUrl(message.profile, relay));
    }
    // Our own logout request was answered: the sign-out is complete at the IdP too.
    return res.status(200).type('html').send(renderSignedOut({ ctx: pageContext(req), idpLogoutUrl: null, institution, loginUrl: `${hub}login` }));
  };
  router.get('/saml/slo', slo);
  router.post('/saml/slo', slo);
}

