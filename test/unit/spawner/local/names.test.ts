// File names for users and servers: safe names kept, others hashed so no two collide.
import { safeName, serverKey } from '../../../../spawner/local/names';

describe('safeName', () => {
  test.each(['alice', 'bob.smith', 'a-b', 'x1'])('keeps the safe name %s', (name) => {
    expect(safeName(name)).toBe(name);
  });

  test.each(['Alice', 'a b', '../etc', 'a--b', 'a-', '.hidden', 'ünï', '', 'x'.repeat(49)])('hashes %j into a safe form', (name) => {
    const safe = safeName(name);
    expect(safe).toMatch(/^[a-z0-9][a-z0-9.-]*--[0-9a-f]{10}$/);
    expect(safe).not.toContain('/');
  });

  test('a hashed name can never equal a name someone could pick as-is', () => {
    const hashed = safeName('Bob Smith');
    expect(safeName(hashed)).not.toBe(hashed);
    expect(safeName('Bob')).not.toBe(safeName('bob'));
  });
});

describe('serverKey', () => {
  test('separates user and server unambiguously', () => {
    expect(serverKey('alice', '')).toBe('alice__');
    expect(serverKey('alice', 'gpu')).toBe('alice__gpu');
    expect(serverKey('a.b', '')).not.toBe(serverKey('a', 'b'));
    expect(serverKey('a_b', '')).not.toContain('/');
  });
});
