// normalizeUsername / validateUsername: what counts as one user and which names are acceptable.
import { normalizeUsername, validateUsername } from '../../../../hub/auth/identity';

describe('normalizeUsername', () => {
  it.each<[string, string]>([
    ['alice', 'alice'],
    ['Alice', 'alice'],
    ['  ALICE \t\n', 'alice'],
    ['\u00a0alice\u3000', 'alice'],
    ['alice smith', 'alice smith'],
    ['ÄLICE', 'älice'],
    ['e\u0301', '\u00e9'], // decomposed é → composed (NFC)
    ['Alice@X.org', 'alice@x.org'],
    ['ΣΟΦΙΑ', 'σοφια'],
  ])('%p → %p', (raw, name) => {
    expect(normalizeUsername(raw)).toBe(name);
  });

  it('is idempotent', () => {
    for (const raw of ['  Ä b ', 'e\u0301X', 'ΣΟΦΙΑ']) {
      const once = normalizeUsername(raw);
      expect(normalizeUsername(once)).toBe(once);
    }
  });
});

describe('validateUsername', () => {
  it.each([
    'alice', 'a', 'alice@x.org', 'alice smith', 'o\'brien', 'ålice', '名前', '😀', 'a.b-c_d~e', 'user:1', 'x'.repeat(255),
    '😀'.repeat(255), // 255 characters (510 UTF-16 units)
  ])('accepts %p', (name) => {
    expect(validateUsername(name)).toBeNull();
  });

  it('requires a name', () => {
    expect(validateUsername('')).toBe('a user name is required');
  });

  it.each<[string, string]>([
    ['256 characters', 'x'.repeat(256)],
    ['slash', 'ali/ce'],
    ['backslash', 'ali\\ce'],
    ['question mark', 'alice?'],
    ['hash', 'ali#ce'],
    ['percent', 'ali%41ce'],
    ['NUL', 'ali\u0000ce'],
    ['newline', 'alice\nbob'],
    ['tab', 'ali\tce'],
    ['escape', 'ali\u001bce'],
    ['DEL', 'alice\u007f'],
    ['leading space', ' alice'],
    ['trailing space', 'alice '],
    ['trailing no-break space', 'alice\u00a0'],
  ])('rejects %s', (_name, name) => {
    expect(validateUsername(name)).toMatch(/may not contain/);
  });

  // C1 controls (U+0080–U+009F, e.g. U+009B, a terminal CSI) are control characters too.
  it.each([['NEL', 'ali\u0085ce'], ['CSI', 'ali\u009b31mce']])('rejects the C1 control %s', (_name, name) => {
    expect(validateUsername(name)).not.toBeNull();
  });

  // Their server prefixes /user/./ and /user/../ are rewritten by every browser (to /user/ and
  // /), so such a server could never be reached.
  it.each(['.', '..'])('rejects the dot segment %p', (name) => {
    expect(validateUsername(name)).not.toBeNull();
  });
});
