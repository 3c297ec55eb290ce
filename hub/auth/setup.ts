// Builds the sign-in machinery from the config for the composition root: the session store,
// the rate limiter, the passport strategies (dev, or SAML with its state in the store), and
// what sign-in and sign-out need. The routes live in hub/web.
import type { Logger } from 'pino';
import type { Passport, Strategy } from 'passport';
import type { HubConfig } from '../config/schema';
import type { Store } from '../store/store';
import type { Clock } from '../clock';
import type { EventRecorder } from '../events';
import { CollectionSessionStore } from '../store/session-store';
import { ConfigError } from '../config/load';
import type { TokenService } from './tokens';
import { devStrategy } from './dev';
import { SignInLimiter, redisClientOf } from './rate-limit';
import { signInUser, type SignInDeps } from './sign-in';
import type { SignOutDeps } from './sign-out';
import { SamlStateStore } from './saml/saml-state';
import type { SamlAuth } from './saml/saml-auth';

export interface AuthSetup {
  sessions: CollectionSessionStore;
  limiter: SignInLimiter;
  signIn: SignInDeps;
  signOut: SignOutDeps;
  saml: SamlAuth | null;
  samlState: SamlStateStore | null;
}

export async function setUpAuth(deps: {
  config: HubConfig;
  store: Store;
  tokens: TokenService;
  clock: Clock;
  logger: Logger;
  record: EventRecorder;
  passport: InstanceType<typeof Passport>;
  env?: NodeJS.ProcessEnv;
}): Promise<AuthSetup> {
  const { config, store, clock, logger } = deps;
  const auth = config.auth;
  const sessions = new CollectionSessionStore(store.sessions);
  const redis = redisClientOf(store);
  const limiter = new SignInLimiter(
    { perAddressPerMinute: auth.loginRateLimitPerMinute, perUserPerMinute: auth.loginRateLimitPerUserPerMinute, startsPerAddressPerMinute: auth.signInStartsPerMinute },
    logger.child({ component: 'rate-limit' }),
    redis ? { redis, keyPrefix: config.store.kind === 'redis' ? config.store.prefix : '' } : {},
  );
  const signIn: SignInDeps = { store, clock, roles: auth, record: deps.record };
  const signOut: SignOutDeps = { sessions, tokens: deps.tokens, record: deps.record, logger: logger.child({ component: 'auth' }) };

  if (auth.kind === 'dev') {
    deps.passport.use('dev', devStrategy(auth.dev, (name) => signInUser(signIn, name, null, 'dev')));
    return { sessions, limiter, signIn, signOut, saml: null, samlState: null };
  }
  const samlConfig = auth.saml;
  if (!samlConfig) throw new ConfigError('auth', ['auth.saml: required when auth.kind is saml']);
  const samlState = new SamlStateStore(store.samlState, { requestTtlSeconds: samlConfig.requestLifetimeSeconds, now: () => clock.now() });
  // Loaded only for SAML: passport-saml and its XML stack are memory a dev-auth hub never needs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SamlSetupError, createSamlAuth } = require('./saml/saml-auth') as typeof import('./saml/saml-auth');
  let saml: SamlAuth;
  try {
    saml = await createSamlAuth({ config: samlConfig, baseUrl: config.hub.baseUrl, state: samlState, env: deps.env });
  } catch (err) {
    if (err instanceof SamlSetupError) throw new ConfigError('auth.saml', [err.message]);
    throw err;
  }
  // passport-saml brings its own copy of the express types; the strategy is a plain passport one.
  deps.passport.use('saml', saml.strategy as unknown as Strategy);
  logger.info({ idp: saml.idp.entityId, entityId: saml.urls.entityId, acs: saml.urls.acs, singleLogout: saml.singleLogout, sharedRateLimit: limiter.shared }, 'SAML sign-on ready');
  return { sessions, limiter, signIn, signOut, saml, samlState };
}
