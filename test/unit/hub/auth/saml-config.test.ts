// The auth.saml section: defaults, the URLs built from it, and every bad combination refused
// with the key path and what is expected.
import { ConfigError, parseConfig } from '../../../../hub/config/load';
import { samlUrls } from '../../../../hub/auth/saml/config';

const base = { publicUrl: 'https://hub.example.org', idpMetadata: 'https://idp.example.org/metadata' };

function problems(auth: Record<string, unknown>): string[] {
  try {
    parseConfig({ auth });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('auth.saml', () => {
  it('has safe defaults: both signatures, InResponseTo always, a clock skew, NameID as the name', () => {
    const c = parseConfig({ auth: { kind: 'saml', saml: base } }).auth;
    expect(c.kind).toBe('saml');
    expect(c.saml).toMatchObject({
      wantAuthnResponseSigned: true, wantAssertionsSigned: true, validateInResponseTo: 'always', acceptedClockSkewMs: 60_000,
      username: { attribute: 'nameID', lowercase: true, scope: 'strip', allowedScopes: [] }, groupsAttribute: null,
      allowedUsers: [], allowedGroups: [], singleLogout: false, autoRedirect: false, institution: 'your institution',
    });
  });

  it('builds stable SP URLs from publicUrl and hub.baseUrl', () => {
    const c = parseConfig({ hub: { baseUrl: '/science/' }, auth: { kind: 'saml', saml: base } });
    expect(samlUrls(c.auth.saml!, c.hub.baseUrl)).toEqual({
      entityId: 'https://hub.example.org/science/hub/saml/metadata', metadata: 'https://hub.example.org/science/hub/saml/metadata',
      acs: 'https://hub.example.org/science/hub/saml/acs', slo: 'https://hub.example.org/science/hub/saml/slo',
      audience: 'https://hub.example.org/science/hub/saml/metadata',
    });
    const named = parseConfig({ auth: { kind: 'saml', saml: { ...base, spEntityId: 'urn:hub', audience: 'urn:aud' } } });
    expect(samlUrls(named.auth.saml!, '/')).toMatchObject({ entityId: 'urn:hub', audience: 'urn:aud', acs: 'https://hub.example.org/hub/saml/acs' });
  });

  it('adminGroups and organiserGroups live at the auth level, for dev sign-in too', () => {
    const c = parseConfig({ auth: { kind: 'dev', adminGroups: ['staff'], organiserGroups: ['organisers'] } }).auth;
    expect(c).toMatchObject({ adminGroups: ['staff'], organiserGroups: ['organisers'], loginRateLimitPerUserPerMinute: 10 });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['kind saml without a section', { kind: 'saml' }, /^auth\.saml: required when auth\.kind is saml/],
    ['a section with kind dev', { kind: 'dev', saml: base }, /^auth\.saml: only used with auth\.kind: saml/],
    ['no IdP at all', { kind: 'saml', saml: { publicUrl: 'https://hub.example.org' } }, /^auth\.saml\.entryPoint: required \(the IdP sign-on URL\) unless idpMetadata/],
    ['entry point without certificate', { kind: 'saml', saml: { publicUrl: 'https://h.example', entryPoint: 'https://idp.example/sso' } }, /^auth\.saml\.idpCert: required/],
    ['metadata and entry point', { kind: 'saml', saml: { ...base, entryPoint: 'https://idp.example/sso' } }, /^auth\.saml\.idpMetadata: give either idpMetadata or entryPoint/],
    ['a publicUrl with a path', { kind: 'saml', saml: { ...base, publicUrl: 'https://hub.example.org/hub' } }, /^auth\.saml\.publicUrl: expected an origin/],
    ['a key without a certificate', { kind: 'saml', saml: { ...base, privateKeyFile: '/k.pem' } }, /^auth\.saml\.certFile: privateKeyFile and certFile go together/],
    ['allowedGroups without a groups attribute', { kind: 'saml', saml: { ...base, allowedGroups: ['users'] } }, /^auth\.saml\.groupsAttribute: required when allowedGroups/],
    ['no signature required', { kind: 'saml', saml: { ...base, wantAuthnResponseSigned: false, wantAssertionsSigned: false } }, /^auth\.saml\.wantAssertionsSigned: at least one/],
    ['an unknown key', { kind: 'saml', saml: { ...base, cert: 'x' } }, /^auth\.saml: unknown key "cert"/],
    ['a negative clock skew', { kind: 'saml', saml: { ...base, acceptedClockSkewMs: -1 } }, /^auth\.saml\.acceptedClockSkewMs: /],
    ['a bad InResponseTo mode', { kind: 'saml', saml: { ...base, validateInResponseTo: 'sometimes' } }, /^auth\.saml\.validateInResponseTo: /],
    ['a group name with a slash', { kind: 'dev', adminGroups: ['a/b'] }, /^auth\.adminGroups\.0: group names/],
  ])('refuses %s', (_name, auth, message) => {
    expect(problems(auth)).toContainEqual(expect.stringMatching(message));
  });
});
