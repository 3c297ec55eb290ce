// From a SAML profile to a hub identity: which attribute gives the name, how it is normalised
// (case, scopes, safe characters), display name, and groups as one value or several.
import type { Profile } from '@node-saml/node-saml';
import { SamlAuthSchema, type SamlAuthConfig } from '../../../../hub/auth/saml/config';
import { attributeValues, identityFromProfile, normaliseGroups, normaliseSamlUsername } from '../../../../hub/auth/saml/profile';

const config = (over: Record<string, unknown> = {}): SamlAuthConfig =>
  SamlAuthSchema.parse({ publicUrl: 'https://hub.example.org', entryPoint: 'https://idp.example.org/sso', idpCert: ['MIIB'], ...over });

function profile(attributes: Record<string, unknown>, over: Partial<Profile> = {}): Profile {
  return {
    issuer: 'https://idp.example.org', nameID: 'A1B2-persistent', nameIDFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    sessionIndex: '_s1', attributes, ...attributes, ...over,
  } as Profile;
}

describe('normaliseSamlUsername', () => {
  const rules = config().username;
  it.each<[string, Record<string, unknown>, string]>([
    ['Alice', {}, 'alice'],
    [' Bob ', {}, 'bob'],
    ['alice@example.org', {}, 'alice'],
    ['alice@example.org', { scope: 'keep' }, 'alice@example.org'],
    ['Ünal.Öz', {}, 'ünal.öz'],
    ['MixedCase', { lowercase: false }, 'MixedCase'],
    ['j.doe+lab', {}, 'j.doe+lab'],
  ])('%p with %j → %p', (raw, over, expected) => {
    expect(normaliseSamlUsername(raw, { ...rules, ...over })).toEqual({ name: expected });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['<img src=x onerror=alert(1)>', {}, /only letters, digits and \. _ - @ \+ are allowed/],
    ['a/b', {}, /not a usable user name/],
    ['', {}, /a user name is required/],
    ['alice@evil.example', { allowedScopes: ['example.org'] }, /not from an allowed scope \(example\.org\)/],
    ['alice', { allowedScopes: ['example.org'] }, /not from an allowed scope/],
    ['..', {}, /not a usable user name/],
  ])('%p with %j is refused', (raw, over, message) => {
    const result = normaliseSamlUsername(raw, { ...rules, ...over });
    expect(result).toEqual({ error: expect.stringMatching(message) });
  });

  it('accepts a scope from allowedScopes case-insensitively and strips it', () => {
    expect(normaliseSamlUsername('Eve@Example.ORG', { ...rules, allowedScopes: ['example.org'] })).toEqual({ name: 'eve' });
  });
});

describe('attributeValues', () => {
  it('reads one value as a list of one, several as a list, and aliases / OIDs', () => {
    const p = profile({ groups: 'users', isMemberOf: ['a', 'b'], 'urn:oid:0.9.2342.19200300.100.1.1': 'kim' });
    expect(attributeValues(p, 'groups')).toEqual(['users']);
    expect(attributeValues(p, 'isMemberOf')).toEqual(['a', 'b']);
    expect(attributeValues(p, 'uid')).toEqual(['kim']);
    expect(attributeValues(p, 'missing')).toEqual([]);
  });
});

describe('normaliseGroups', () => {
  it('keeps valid names (HTML is escaped where shown), drops unusable ones, de-duplicates and sorts', () => {
    expect(normaliseGroups(['users', 'admins', 'users', 'a/b', '', 'x'.repeat(256), '<b>ok</b>', '<img src=x onerror=alert(1)>']))
      .toEqual(['<img src=x onerror=alert(1)>', 'admins', 'users']);
  });
});

describe('identityFromProfile', () => {
  it('takes the NameID by default, with the logout details', () => {
    const r = identityFromProfile(profile({ displayName: 'Alice Example' }, { nameID: 'Alice' }), config());
    expect(r).toEqual({
      ok: true,
      identity: {
        name: 'alice', displayName: 'Alice Example', groups: null, nameID: 'Alice',
        nameIDFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', nameQualifier: null, spNameQualifier: null, sessionIndex: '_s1',
      },
    });
  });

  it('takes uid / eppn / mail and groups as configured (one group is a string)', () => {
    const c = config({ username: { attribute: 'eppn' }, groupsAttribute: 'groups' });
    const r = identityFromProfile(profile({ eduPersonPrincipalName: 'Bob@example.org', groups: 'users' }), c);
    expect(r.ok && r.identity).toMatchObject({ name: 'bob', groups: ['users'] });
    const none = identityFromProfile(profile({ eduPersonPrincipalName: 'bob@example.org' }), c);
    expect(none.ok && none.identity.groups).toEqual([]);
  });

  it('says which attribute is missing or ambiguous', () => {
    const c = config({ username: { attribute: 'uid' } });
    expect(identityFromProfile(profile({}), c)).toEqual({ ok: false, message: expect.stringMatching(/did not send the uid attribute/) });
    expect(identityFromProfile(profile({ uid: ['a', 'b'] }), c)).toEqual({ ok: false, message: expect.stringMatching(/several uid values/) });
    expect(identityFromProfile(null, c)).toEqual({ ok: false, message: expect.stringMatching(/no sign-in assertion/) });
  });

  it('refuses an unsafe name and hands back the raw value for the refusal page', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const r = identityFromProfile(profile({ uid: evil }), config({ username: { attribute: 'uid' } }));
    expect(r).toEqual({ ok: false, message: expect.stringMatching(/cannot be used here/), value: evil });
  });
});
