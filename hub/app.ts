// The hub's composition root: builds store, spawner, proxy client, auth and routers from the
// config, and runs the timers. Tests build the same graph, optionally with another spawner.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express, { type Request } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { Passport } from 'passport';
import { csrfSync } from 'csrf-sync';
import type { Logger } from 'pino';
import type { HubConfig } from './config/schema';
import { ConfigError } from './config/load';
import { JUPYTERHUB_API_VERSION, type HubContext } from './context';
import type { Store, User } from './store/store';
import { createStore } from './store/create-store';
import { createSpawner } from '../spawner/registry';
import type { Spawner } from '../spawner/types';
import { realClock, type Clock } from './clock';
import { TokenService } from './auth/tokens';
import { principalMiddleware } from './auth/authenticate';
import { DEV_BANNER, devAuthRefusal } from './auth/dev';
import { setUpAuth } from './auth/setup';
import { registerOAuthRoutes } from './auth/oauth-provider';
import { ProxyClient } from './proxy-sync/proxy-client';
import { ensureProxy } from './proxy-sync/managed-proxy';
import { checkServers, syncRoutes, type RouteSyncDeps } from './proxy-sync/sync';
import { Orchestrator, type OrchestratorSettings } from './servers/orchestrator';
import { restoreServers } from './servers/restore';
import { eventRecorder } from './events';
import { catalogFor } from './catalog/catalog';
import { Accountant } from './quota/accountant';
import { budgetNotices } from './quota/notice';
import { createHubMetrics, noopMetrics, recordingMetrics } from './metrics/hub-metrics';
import { registerMetricsRoute } from './metrics/metrics-route';
import { startHubCuller, type HubCuller } from './culler/hub-culler';
import { cullNotices } from './culler/notice';
import { HubError } from './errors';
import { errorMiddleware } from './http/error-middleware';
import { accessLog } from './http/access-log';
import { pageContext } from './http/page-context';
import { buildApiRoutes } from './api';
import { ApiRoutes, assertApiRoutesDeclared } from './http/route';
import { registerLoginRoutes } from './web/login-routes';
import { registerEdgeAuthRoutes } from './web/edge-auth-routes';
import { registerSamlRoutes } from './web/saml-routes';
import { registerPageRoutes } from './web/page-routes';
import { STATIC_DIR } from './pages';
import { ensureAdmins, ensureSecret, ensureServiceTokens } from './bootstrap';

export interface HubOverrides {
  clock?: Clock;
  /** Use this spawner instead of the configured one (tests: behaviour spawners). */
  spawner?: Spawner;
  store?: Store;
}

export interface RunningHub {
  ctx: HubContext;
  /** http://ip:port of the hub itself. */
  url: string;
  port: number;
  /** Every API route with its declared access (method, path below the hub prefix, scopes | 'public'). */
  routes: ReadonlyArray<{ method: string; path: string; access: string }>;
  /** The culler timer when it runs in this hub (culler.enabled and culler.runInHub), else null. */
  culler: HubCuller | null;
  close(): Promise<void>;
}

function sessionCookieSecure(mode: HubConfig['hub']['cookieSecure']): boolean | 'auto' {
  return mode === 'always' ? true : mode === 'never' ? false : 'auto';
}

export async function startHub(config: HubConfig, logger: Logger, overrides: HubOverrides = {}): Promise<RunningHub> {
  const clock = overrides.clock ?? realClock;
  if (config.auth.kind === 'dev') {
    const refusal = devAuthRefusal(config.auth.dev, config.proxy.publicIp, config.hub.ip);
    if (refusal) throw new ConfigError('auth', [refusal]);
    logger.warn(DEV_BANNER);
  }
  // The image catalog is validated before anything starts: a bad entry stops the hub, naming its key path.
  const catalog = catalogFor(config.images);
  logger.info({ catalog: catalog.source, images: catalog.images.length }, 'image catalog loaded');
  const store = overrides.store ?? (await createStore(config.store, { logger: logger.child({ component: 'store' }) }));
  const spawner = overrides.spawner ?? createSpawner(config.spawner, { logger: logger.child({ component: 'spawner' }), clock });
  logger.info({ store: store.kind, spawner: spawner.kind, auth: config.auth.kind }, 'hub components');
  const cookieSecret = config.hub.cookieSecret ?? (await ensureSecret(store, 'cookie-secret'));
  const proxyToken = config.proxy.authToken ?? (await ensureSecret(store, 'proxy-auth-token'));
  const tokens = new TokenService(store, clock);
  await ensureServiceTokens(store, tokens, config.services, logger);
  await ensureAdmins(store, config.auth.admins, clock);

  const baseUrl = config.hub.baseUrl;
  const hubPrefix = `${baseUrl}hub/`;
  const proxy = new ProxyClient(config.proxy.apiUrl, proxyToken);
  const metrics = config.metrics.enabled
    ? createHubMetrics(store, { currency: config.pricing.currency, timeZone: config.usage.timeZone, now: () => clock.now() })
    : noopMetrics;
  const record = recordingMetrics(eventRecorder(store, clock, logger), metrics);
  const settings: OrchestratorSettings = {
    baseUrl, hubApiUrl: '', startTimeoutMs: config.hub.startTimeoutSeconds * 1000,
    httpTimeoutMs: config.hub.httpTimeoutSeconds * 1000, concurrentSpawnLimit: config.hub.concurrentSpawnLimit,
  };
  const orchestrator = new Orchestrator({ store, spawner, proxy, tokens, clock, logger: logger.child({ component: 'orchestrator' }), record, settings });
  const syncDeps: RouteSyncDeps = { store, proxy, spawner, orchestrator, logger: logger.child({ component: 'proxy-sync' }), hubTarget: '', baseUrl };
  const ctx: HubContext = { config, store, spawner, tokens, orchestrator, proxy, clock, logger, record, baseUrl, hubPrefix, syncRoutes: () => syncRoutes(syncDeps) };

  // Sign-in: one passport instance per hub (never the global one).
  const authenticator = new Passport();
  authenticator.serializeUser((user, done) => done(null, (user as User).name));
  authenticator.deserializeUser((name: string, done) => {
    store.users.get(name).then((u) => done(null, u ?? false), done);
  });
  const auth = await setUpAuth({ config, store, tokens, clock, logger, record, passport: authenticator });

  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    getTokenFromRequest: (req) => (req.body as Record<string, unknown> | undefined)?._csrf as string | undefined ?? (req.headers['x-xsrftoken'] as string | undefined),
  });
  const banner = config.auth.kind === 'dev' ? DEV_BANNER : null;
  const pageCtx = (req: Request) => pageContext(req, { baseUrl, banner, csrfToken: (r) => generateToken(r) });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.hub.trustProxy);
  app.use(accessLog(logger.child({ component: 'access' })));
  app.use((_req, res, next) => {
    res.setHeader('X-JupyterHub-Version', JUPYTERHUB_API_VERSION);
    next();
  });
  app.use(helmet({
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'], frameAncestors: ["'none'"], formAction: ["'self'"],
      // Plain-http trials on loopback must not have their requests upgraded to https.
      upgradeInsecureRequests: null } },
    strictTransportSecurity: false,
  }));
  app.get(`${hubPrefix}health`, (_req, res) => res.json({ status: 'ok' }));
  app.use(`${hubPrefix}static`, express.static(STATIC_DIR, { maxAge: '1h', index: false }));
  app.use(express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }));
  app.use(express.urlencoded({ extended: false, limit: '100kb' }));
  // Sessions live on the hub's own paths only (the cookie's path); /user/... never sees them.
  app.use(hubPrefix, session({
    name: 'sciencehub-session', secret: cookieSecret, store: auth.sessions,
    resave: false, saveUninitialized: false, rolling: false,
    cookie: { path: hubPrefix, httpOnly: true, sameSite: 'lax', secure: sessionCookieSecure(config.hub.cookieSecure), maxAge: config.hub.sessionMaxAgeHours * 3600 * 1000 },
  }));
  app.use(hubPrefix, authenticator.initialize());
  app.use(hubPrefix, authenticator.session());
  app.use(hubPrefix, principalMiddleware({ store, tokens, apiPrefix: `${hubPrefix}api`, roles: config.auth }));
  app.use(hubPrefix, budgetNotices(ctx));
  app.use(hubPrefix, cullNotices(ctx));

  const hubRouter = express.Router();
  // Every form POST carries the session's CSRF token. The API authenticates by token (or by a
  // same-origin cookie with X-XSRFToken), and the OAuth token endpoint by client secret.
  // The SAML endpoints take form POSTs from the identity provider (signed messages, no CSRF token).
  const fromIdp = new Set(['/saml/acs', '/saml/slo']);
  hubRouter.use((req, res, next) =>
    req.method === 'POST' && (!req.path.startsWith('/api/') || req.path === '/api/oauth2/authorize') && !fromIdp.has(req.path)
      ? csrfSynchronisedProtection(req, res, next)
      : next());
  const oauthRoutes = new ApiRoutes(hubRouter);
  registerOAuthRoutes(oauthRoutes, ctx, pageCtx);
  registerMetricsRoute(hubRouter, metrics, config.metrics);
  hubRouter.use('/api', metrics.apiTimer());
  const api = buildApiRoutes(ctx);
  hubRouter.use('/api', api.router);
  const authDeps = { passport: authenticator, limiter: auth.limiter, signOut: auth.signOut, saml: auth.saml };
  registerLoginRoutes(hubRouter, ctx, pageCtx, authDeps);
  if (config.proxy.edgeAuthSecret !== null) registerEdgeAuthRoutes(hubRouter, ctx, config.proxy.edgeAuthSecret);
  if (auth.saml && auth.samlState) registerSamlRoutes(hubRouter, ctx, pageCtx, { ...authDeps, saml: auth.saml, state: auth.samlState, signIn: auth.signIn });
  registerPageRoutes(hubRouter, ctx, pageCtx);
  app.use(hubPrefix.slice(0, -1), hubRouter);
  const routes = [...oauthRoutes.table, ...api.routes.table.map((r) => ({ ...r, path: `/api${r.path}` }))];
  // An API route added to a router directly, past the scope declarations, stops the hub here.
  assertApiRoutesDeclared(hubRouter, routes);
  // The proxy's default route brings stopped servers' URLs here.
  app.get([`${baseUrl}user/*rest`], (req, res) => res.redirect(302, `${hubPrefix}${req.originalUrl.slice(baseUrl.length)}`));
  if (baseUrl !== '/') app.get('/', (_req, res) => res.redirect(302, hubPrefix));
  app.get(baseUrl, (_req, res) => res.redirect(302, hubPrefix));
  app.use((req, _res, next) => next(new HubError('NOT_FOUND', `Nothing here: ${req.path}`)));
  app.use(errorMiddleware({ apiPrefix: `${hubPrefix}api`, logger, pageContext: pageCtx }));

  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.hub.port, config.hub.ip, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const reachableIp = config.hub.ip === '0.0.0.0' || config.hub.ip === '::' ? '127.0.0.1' : config.hub.ip;
  const hubUrl = `http://${reachableIp.includes(':') ? `[${reachableIp}]` : reachableIp}:${port}`;
  settings.hubApiUrl = `${(config.hub.connectUrl ?? hubUrl).replace(/\/$/, '')}${hubPrefix}api`;
  syncDeps.hubTarget = hubUrl;
  logger.info({ url: hubUrl }, 'hub listening');

  if (config.proxy.mode === 'managed') {
    await ensureProxy(proxy, {
      apiUrl: config.proxy.apiUrl, publicIp: config.proxy.publicIp, publicPort: config.proxy.publicPort, token: proxyToken,
      hubTarget: hubUrl, command: config.proxy.command, stateDir: path.resolve('.state'), logLevel: config.hub.logLevel === 'silent' ? 'error' : config.hub.logLevel,
      edgeAuthSecret: config.proxy.edgeAuthSecret ?? undefined,
    }, clock, logger);
  }
  await restoreServers(store, spawner, orchestrator, logger.child({ component: 'restore' }));
  await syncRoutes(syncDeps).catch((err: unknown) => logger.warn({ err }, 'first route sync failed; retrying on the timer'));
  let ticking = false;
  const timer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    checkServers(syncDeps)
      .then(() => syncRoutes(syncDeps))
      .catch((err: unknown) => logger.warn({ err }, 'route sync failed'))
      .finally(() => { ticking = false; });
  }, config.proxy.syncIntervalSeconds * 1000);
  timer.unref();
  // Usage accounting and budget enforcement (hub/quota): every hub process runs it; charges are atomic.
  const accountant = new Accountant({
    store, clock, logger: logger.child({ component: 'accountant' }), quotas: config.quotas, pricing: config.pricing, usage: config.usage,
    stopServer: (user, server, reason) => orchestrator.stop(user, server, { reason, event: 'budget-stop' }),
  });
  accountant.start();
  const culler = config.culler.enabled && config.culler.runInHub
    ? startHubCuller({ store, orchestrator, proxy, clock, logger: logger.child({ component: 'culler' }), config: config.culler })
    : null;

  return {
    ctx, url: hubUrl, port, culler, routes,
    async close() {
      clearInterval(timer);
      await accountant.stop();
      await culler?.stop();
      await orchestrator.shutdown();
      if (config.hub.stopServersOnShutdown) {
        for (const s of await store.servers.list()) {
          if (s.state === 'running') await orchestrator.stop(s.user, s.name, { reason: 'hub shut down' }).catch(() => undefined);
        }
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await spawner.close();
      if (!overrides.store) await store.close();
    },
  };
}

