// The dev authenticator: names and passwords from config, or open sign-up of any name for a
// local trial. It refuses to run unless explicitly allowed, and open sign-up only on loopback.
import { timingSafeEqual, createHash } from 'node:crypto';
import { Strategy as LocalStrategy } from 'passport-local';
import type { z } from 'zod';
import type { DevAuthSchema } from '../config/schema';
import { normalizeUsername, validateUsername } from './identity';

export type DevAuthConfig = z.infer<typeof DevAuthSchema>;

export const DEV_BANNER = 'Dev sign-in is on: this hub is for trials and tests, not for production.';

/** Reasons the dev authenticator must not start with this configuration, or null. */
export function devAuthRefusal(config: DevAuthConfig, publicIp: string, hubIp = '127.0.0.1'): string | null {
  if (!config.allowed) {
    return 'auth.dev.allowed: the dev authenticator is for trials and tests; set auth.dev.allowed: true to use it anyway (or run `npm start` for a local trial)';
  }
  const isLoopback = (ip: string) => ip === '127.0.0.1' || ip === '::1' || ip === 'localhost';
  if (config.openSignup && !isLoopback(publicIp)) {
    return `auth.dev.openSignup: open sign-up lets anyone in; it is refused on a public address (proxy.publicIp is ${publicIp})`;
  }
  if (config.openSignup && !isLoopback(hubIp)) {
    return `auth.dev.openSignup: open sign-up lets anyone in; it is refused while the hub listens on a public address (hub.ip is ${hubIp})`;
  }
  if (!config.openSignup && Object.keys(config.users).length === 0) {
    return 'auth.dev.users: no users are configured and openSignup is false, so nobody could sign in';
  }
  return null;
}

function samePassword(a: string, b: string): boolean {
  // Compare digests so the comparison time does not depend on the lengths.
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

/** Returns the normalised name if the credentials are good, else a reason. */
export function checkDevCredentials(config: DevAuthConfig, rawName: string, password: string): { name: string } | { error: string } {
  const name = normalizeUsername(rawName);
  const invalid = validateUsername(name);
  if (invalid) return { error: invalid };
  if (config.openSignup) return { name };
  const expected = Object.entries(config.users).find(([u]) => normalizeUsername(u) === name)?.[1];
  if (expected === undefined || !samePassword(expected, password)) return { error: 'Invalid user name or password.' };
  return { name };
}

export function devStrategy(config: DevAuthConfig, signIn: (name: string) => Promise<Express.User>): LocalStrategy {
  return new LocalStrategy({ usernameField: 'username', passwordField: 'password' }, (username, password, done) => {
    const verdict = checkDevCredentials(config, username, password);
    if ('error' in verdict) return done(null, false, { message: verdict.error });
    signIn(verdict.name).then((user) => done(null, user), (err: unknown) => done(err));
  });
}
