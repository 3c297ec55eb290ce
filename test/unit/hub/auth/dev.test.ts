// The dev authenticator's two pure decisions: may it run at all, and are these credentials good.
import { checkDevCredentials, devAuthRefusal, type DevAuthConfig } from '../../../../hub/auth/dev';

const cfg = (over: Partial<DevAuthConfig>): DevAuthConfig => ({ allowed: true, openSignup: false, users: {}, ...over });

describe('devAuthRefusal', () => {
  it('refuses unless explicitly allowed, naming the key', () => {
    expect(devAuthRefusal(cfg({ allowed: false, openSignup: true }), '127.0.0.1')).toMatch(/^auth\.dev\.allowed: .*set auth\.dev\.allowed: true/);
  });

  it.each(['127.0.0.1', '::1', 'localhost'])('allows open sign-up on loopback %p', (ip) => {
    expect(devAuthRefusal(cfg({ openSignup: true }), ip)).toBeNull();
  });

  it.each(['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'hub.example.org', ''])('refuses open sign-up on %p, naming the address', (ip) => {
    const refusal = devAuthRefusal(cfg({ openSignup: true }), ip);
    expect(refusal).toMatch(/^auth\.dev\.openSignup: /);
    expect(refusal).toContain(`proxy.publicIp is ${ip}`);
  });

  it('refuses when nobody could sign in', () => {
    expect(devAuthRefusal(cfg({}), '127.0.0.1')).toMatch(/^auth\.dev\.users: no users are configured/);
  });

  it('allows configured users on any address (passwords are required)', () => {
    expect(devAuthRefusal(cfg({ users: { alice: 'password1' } }), '0.0.0.0')).toBeNull();
  });
});

describe('checkDevCredentials', () => {
  const users = cfg({ users: { alice: 'correct horse', Bob: 'battery staple' } });

  it.each<[string, string, string]>([
    ['alice', 'correct horse', 'alice'],
    ['  Alice ', 'correct horse', 'alice'],
    ['ALICE', 'correct horse', 'alice'],
    ['bob', 'battery staple', 'bob'], // the configured name is normalised too
  ])('%p with the right password signs in as %p', (name, pw, expected) => {
    expect(checkDevCredentials(users, name, pw)).toEqual({ name: expected });
  });

  it.each<[string, string, string]>([
    ['wrong password', 'alice', 'correct horse!'],
    ['password differs in case', 'alice', 'Correct horse'],
    ['empty password', 'alice', ''],
    ['another user\'s password', 'alice', 'battery staple'],
    ['unknown user', 'carol', 'correct horse'],
  ])('%s → the same vague error', (_name, name, pw) => {
    expect(checkDevCredentials(users, name, pw)).toEqual({ error: 'Invalid user name or password.' });
  });

  it('open sign-up accepts any valid name without a password, normalised', () => {
    const open = cfg({ openSignup: true });
    expect(checkDevCredentials(open, ' Carol ', '')).toEqual({ name: 'carol' });
    expect(checkDevCredentials(open, 'dave@x.org', 'anything')).toEqual({ name: 'dave@x.org' });
  });

  it.each<[string, RegExp]>([
    ['', /required/],
    ['   ', /required/],
    ['a/b', /may not contain/],
    ['x'.repeat(256), /255/],
    ['ali\nce', /may not contain/],
  ])('invalid name %p is refused with the reason, even with open sign-up', (name, reason) => {
    for (const c of [users, cfg({ openSignup: true })]) {
      const verdict = checkDevCredentials(c, name, 'correct horse');
      expect('error' in verdict && verdict.error).toMatch(reason);
    }
  });
});
