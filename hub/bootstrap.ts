// Start-up chores on the store: generated secrets, service tokens from config, admin users.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Store, User } from './store/store';
import type { HubConfig } from './config/schema';
import { hashToken, type TokenService } from './auth/tokens';
import { isValidScope } from './auth/scopes';
import { ConfigError } from './config/load';
import type { Clock } from './clock';

/** A secret generated once and kept in the store, so restarts and other hubs share it. */
export async function ensureSecret(store: Store, name: string): Promise<string> {
  await store.secrets.create(name, randomBytes(32).toString('hex'));
  const value = await store.secrets.get(name);
  if (!value) throw new Error(`secret ${name} could not be stored`);
  return value;
}

/** Service tokens come from config; a changed token replaces the old one. */
export async function ensureServiceTokens(store: Store, tokens: TokenService, services: HubConfig['services'], logger: Logger): Promise<void> {
  const problems: string[] = [];
  services.forEach((svc, i) => {
    for (const s of svc.scopes) if (!isValidScope(s)) problems.push(`services.${i}.scopes: unknown scope "${s}"`);
  });
  if (problems.length) throw new ConfigError('services', problems);
  for (const svc of services) {
    const wanted = svc.token ? hashToken(svc.token) : null;
    await tokens.revokeWhere((t) => t.kind === 'service' && t.service === svc.name && t.hash !== wanted);
    if (!svc.token) {
      logger.warn({ service: svc.name }, 'service has no token (set services[].token or its environment variable); it cannot call the API');
      continue;
    }
    const existing = await store.tokens.get(hashToken(svc.token));
    if (existing && JSON.stringify(existing.scopes) === JSON.stringify(svc.scopes)) continue;
    if (existing) await tokens.revoke(existing);
    await tokens.issue({ kind: 'service', user: null, service: svc.name, scopes: svc.scopes, note: `service ${svc.name}`, secret: svc.token });
  }
}

/** Creates the user if new; makes them admin if `admin` (never demotes). */
export async function ensureUser(store: Store, name: string, admin: boolean, clock: Clock): Promise<User> {
  await store.users.create(name, { name, admin, groups: [], created: new Date(clock.now()).toISOString(), lastActivity: null });
  const user = await store.users.update(name, (u) => (admin && !u.admin ? { ...u, admin: true } : undefined));
  if (!user) throw new Error(`user ${name} vanished while being created`);
  return user;
}

export async function ensureAdmins(store: Store, admins: readonly string[], clock: Clock): Promise<void> {
  for (const name of admins) await ensureUser(store, name, true, clock);
}
