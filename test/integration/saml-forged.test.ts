// Forged and broken SAML responses are refused with a clear 4xx and leave no session: the test
// plays an IdP whose key the hub trusts, builds responses (signed with xml-crypto, as node-saml
// checks them) and breaks them one way at a time. Also: two hub processes sharing a Redis store
// share the pending requests and the used assertions.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';
import { startHarness, type Harness } from '../helpers/hub-harness';
import { freePort } from '../helpers/ports';
import { startRedis, type RedisServer } from '../helpers/redis-server';
import pino from 'pino';
import { openRedisStore } from '../../hub/store/redis-store';
import type { Store } from '../../hub/store/store';
import { WebClient } from '../helpers/web-client';

jest.setTimeout(120_000);

const IDP = 'https://idp.test';
/** The public origin each hub's SAML config names (our entity id and audience derive from it). */
const publicOrigin = new WeakMap<Harness, string>();
let keyDir: string;
const pem = (name: string, ext: 'key' | 'crt') => readFileSync(path.join(keyDir, `${name}.${ext}`), 'utf8');

beforeAll(() => {
  keyDir = mkdtempSync(path.join(os.tmpdir(), 'sciencehub-forge-'));
  for (const name of ['idp', 'attacker']) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '30', '-subj', `/CN=${name}`,
      '-keyout', path.join(keyDir, `${name}.key`), '-out', path.join(keyDir, `${name}.crt`)], { stdio: 'ignore' });
  }
});
afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

function samlConfig(publicUrl: string) {
  return {
    kind: 'saml',
    // Every request here comes from 127.0.0.1; rate limiting has its own test.
    loginRateLimitPerMinute: 100_000,
    saml: {
      institution: 'Test IdP', publicUrl, entryPoint: `${IDP}/sso`, idpCert: [pem('idp', 'crt')], idpEntityId: IDP,
      username: { attribute: 'uid' }, groupsAttribute: 'groups', acceptedClockSkewMs: 60_000,
    },
  };
}

interface Craft {
  inResponseTo?: string | null;
  subjectInResponseTo?: string | null;
  audience?: string;
  issuer?: string;
  notBefore?: Date;
  notOnOrAfter?: Date;
  subjectNotOnOrAfter?: Date;
  uid?: string;
  groups?: string[];
  signAssertion?: boolean;
  signResponse?: boolean;
  key?: string;
  /** A second, unsigned assertion (signature wrapping). */
  wrap?: boolean;
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function sign(xml: string, target: 'Assertion' | 'Response', key: string): string {
  const sig = new SignedXml({ privateKey: key, canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#', signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256' });
  sig.addReference({
    xpath: `//*[local-name(.)='${target}']`,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(xml, { location: { reference: `//*[local-name(.)='${target}']/*[local-name(.)='Issuer']`, action: 'after' } });
  return sig.getSignedXml();
}

/** A SAML Response as an IdP would send it (base64), broken as `c` says. */
function craft(h: Harness, c: Craft): string {
  const acs = `${h.hubOrigin}/hub/saml/acs`;
  const now = Date.now();
  const end = c.notOnOrAfter ?? new Date(now + 5 * 60_000);
  const subjectEnd = c.subjectNotOnOrAfter ?? end;
  const irt = c.inResponseTo === undefined ? null : c.inResponseTo;
  const sirt = c.subjectInResponseTo === undefined ? irt : c.subjectInResponseTo;
  const issuer = c.issuer ?? IDP;
  const attr = (name: string, values: string[]) =>
    `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${values.map((v) => `<saml:AttributeValue xsi:type="xs:string">${esc(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`;
  const assertion = (id: string, uid: string) => `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="${id}" Version="2.0" IssueInstant="${iso(new Date(now))}">` +
    `<saml:Issuer>${esc(issuer)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${esc(uid)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${iso(subjectEnd)}" Recipient="${acs}"${sirt ? ` InResponseTo="${sirt}"` : ''}/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(c.notBefore ?? new Date(now - 30_000))}" NotOnOrAfter="${iso(end)}"><saml:AudienceRestriction><saml:Audience>${esc(c.audience ?? `${publicOrigin.get(h) as string}/hub/saml/metadata`)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(new Date(now))}" SessionIndex="_s${randomBytes(8).toString('hex')}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement>${attr('uid', [uid])}${attr('groups', c.groups ?? ['users'])}</saml:AttributeStatement>` +
    '</saml:Assertion>';
  const key = c.key ?? pem('idp', 'key');
  let signedAssertion = assertion(`_a${randomBytes(12).toString('hex')}`, c.uid ?? 'alice');
  if (c.signAssertion !== false) signedAssertion = sign(signedAssertion, 'Assertion', key);
  const extra = c.wrap ? assertion(`_w${randomBytes(12).toString('hex')}`, 'root') : '';
  let response = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${randomBytes(12).toString('hex')}" Version="2.0" IssueInstant="${iso(new Date(now))}" Destination="${acs}"${irt ? ` InResponseTo="${irt}"` : ''}>` +
    `<saml:Issuer>${esc(issuer)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    `${extra}${signedAssertion}</samlp:Response>`;
  if (c.signResponse !== false) response = sign(response, 'Response', key);
  return Buffer.from(response, 'utf8').toString('base64');
}

/** Starts a sign-in at the hub: the id of the AuthnRequest it sent and its RelayState. */
async function startSignIn(h: Harness, web = new WebClient(h.hubOrigin)): Promise<{ id: string; relay: string }> {
  const res = await web.get('/hub/saml/login?next=%2Fhub%2Fhome');
  const url = new URL(res.hops.at(-1)?.location as string);
  expect(url.origin).toBe(IDP);
  const request = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest') as string, 'base64')).toString('utf8');
  const id = /\bID="([^"]+)"/.exec(request)?.[1];
  if (!id) throw new Error(`no ID in ${request}`);
  return { id, relay: url.searchParams.get('RelayState') as string };
}

async function post(h: Harness, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const web = new WebClient(h.hubOrigin);
  const res = await web.request('POST', '/hub/saml/acs', { form: fields, headers, maxRedirects: 0 });
  return { res, web };
}

async function signedInUsers(h: Harness): Promise<string[]> {
  return (await h.hub.ctx.store.sessions.list()).map((s) => (s.passport as { user?: string } | undefined)?.user).filter((u): u is string => !!u);
}

describe('forged and broken responses (file store)', () => {
  let h: Harness;

  beforeAll(async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    h = await startHarness({ config: { hub: { port }, auth: samlConfig(origin) } });
    publicOrigin.set(h, origin);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('accepts a well-formed response to its own request (the control case)', async () => {
    const { id, relay } = await startSignIn(h);
    const { res, web } = await post(h, { SAMLResponse: craft(h, { inResponseTo: id, uid: 'alice' }), RelayState: relay });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/hub/home');
    expect(JSON.parse((await web.get('/hub/api/user')).text)).toMatchObject({ name: 'alice', groups: ['users'] });
  });

  const refusals: Array<[string, (h: Harness, id: string) => string, number, RegExp]> = [
    ['an attribute changed after signing', (hh, id) => {
      const xml = Buffer.from(craft(hh, { inResponseTo: id, uid: 'trudy' }), 'base64').toString('utf8');
      return Buffer.from(xml.replace('>users<', '>admins<'), 'utf8').toString('base64');
    }, 401, /not signed by Test IdP&#39;s identity provider, or was changed after it was signed/],
    ['an unsigned response', (hh, id) => craft(hh, { inResponseTo: id, uid: 'trudy', signAssertion: false, signResponse: false }), 401, /not signed by Test IdP/],
    ['a signed assertion in an unsigned response', (hh, id) => craft(hh, { inResponseTo: id, uid: 'trudy', signResponse: false }), 401, /not signed by Test IdP/],
    ['a signed response with an unsigned assertion', (hh, id) => craft(hh, { inResponseTo: id, uid: 'trudy', signAssertion: false }), 401, /not signed by Test IdP/],
    ['a response signed with another key', (hh, id) => craft(hh, { inResponseTo: id, uid: 'trudy', key: pem('attacker', 'key') }), 401, /not signed by Test IdP/],
    ['the wrong audience', (hh, id) => craft(hh, { inResponseTo: id, uid: 'trudy', audience: 'https://other-sp.example/metadata' }), 401, /meant for another service \(its audience is not this hub\)/],
    ['an expired assertion', (hh, id) => craft(hh, { inResponseTo: id, uid: 'trudy', notOnOrAfter: new Date(Date.now() - 10 * 60_000), subjectNotOnOrAfter: new Date(Date.now() + 60_000) }), 401, /has expired/],
    ['an expired subject confirmation', (hh, id) => craft(hh, { inResponseTo: id, uid: 'trudy', notOnOrAfter: new Date(Date.now() - 10 * 60_000) }), 401, /no valid subject confirmation \(it may have expired/],
    ['an assertion not valid yet', (hh, id) => craft(hh, { inResponseTo: id, uid: 'trudy', notBefore: new Date(Date.now() + 10 * 60_000) }), 401, /not valid yet/],
    ['a response to a request this hub never made', (hh) => craft(hh, { inResponseTo: '_never-issued-by-the-hub', uid: 'trudy' }), 401, /does not answer a sign-in started on this hub/],
    ['a response naming two requests', (hh, id) => craft(hh, { inResponseTo: id, subjectInResponseTo: '_another-request', uid: 'trudy' }), 401, /InResponseTo mismatch/],
    ['an unsolicited response', (hh) => craft(hh, { inResponseTo: null, uid: 'trudy' }), 401, /has no InResponseTo/],
    ['another issuer', (hh, id) => craft(hh, { inResponseTo: id, uid: 'trudy', issuer: 'https://evil-idp.example' }), 401, /unknown issuer/],
    ['a second, unsigned assertion (signature wrapping)', (hh, id) => craft(hh, { inResponseTo: id, uid: 'trudy', wrap: true }), 400, /several assertions or signatures/],
    ['base64 that is not XML', () => Buffer.from('<samlp:Response <<<').toString('base64'), 400, /not a well-formed SAML message/],
    ['text that is not base64', () => '%%% not base64 %%%', 400, /not a well-formed SAML message/],
  ];

  it.each(refusals)('refuses %s with a clear 4xx and no session', async (_name, make, status, message) => {
    const { id, relay } = await startSignIn(h);
    const { res, web } = await post(h, { SAMLResponse: make(h, id), RelayState: relay });
    expect(res.status).toBe(status);
    expect(res.text).toMatch(message);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect((await web.get('/hub/api/user')).status).toBe(403);
    expect(await signedInUsers(h)).not.toContain('trudy');
    expect(await h.hub.ctx.store.users.get('trudy')).toBeUndefined();
  });

  it('refuses a replayed response, even after the first one signed in', async () => {
    const { id, relay } = await startSignIn(h);
    const response = craft(h, { inResponseTo: id, uid: 'alice' });
    expect((await post(h, { SAMLResponse: response, RelayState: relay })).res.status).toBe(303);
    const again = await post(h, { SAMLResponse: response, RelayState: relay });
    expect(again.res.status).toBe(401);
    expect(again.res.headers.get('set-cookie')).toBeNull();
  });

  it('answers JSON to clients that ask for it, and 400 without a response', async () => {
    const missing = await post(h, {}, { accept: 'application/json' });
    expect(missing.res.status).toBe(400);
    expect(JSON.parse(missing.res.text)).toEqual({ status: 400, reason: 'no-response', message: expect.stringMatching(/none was sent/) });
    const { id } = await startSignIn(h);
    const bad = await post(h, { SAMLResponse: craft(h, { inResponseTo: id, audience: 'urn:other' }) }, { accept: 'application/json' });
    expect(JSON.parse(bad.res.text)).toMatchObject({ status: 401, reason: 'audience' });
  });

  it('never answers a broken response with a 500, however odd the form', async () => {
    const bodies: Array<Record<string, string>> = [{ SAMLResponse: '' }, { SAMLResponse: 'PD94bWw+' }, { SAMLResponse: Buffer.from('<x/>').toString('base64') }, { RelayState: 'x' }];
    for (const body of bodies) {
      const { res } = await post(h, body);
      expect([JSON.stringify(body), res.status >= 400 && res.status < 500]).toEqual([JSON.stringify(body), true]);
    }
    const json = await fetch(`${h.hubOrigin}/hub/saml/acs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ SAMLResponse: { nested: true } }) });
    expect(json.status).toBe(400);
    const inQuery = await fetch(`${h.hubOrigin}/hub/saml/acs?SAMLResponse=${encodeURIComponent(Buffer.from('<x/>').toString('base64'))}`, { method: 'POST' });
    expect(inQuery.status).toBe(400);
    expect(await inQuery.text()).toMatch(/must be posted as a form/);
  });
});

describe('two hub processes on one Redis store', () => {
  let redis: RedisServer;
  let a: Harness;
  let b: Harness;
  const stores: Store[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const prefix = `saml-${randomBytes(4).toString('hex')}:`;
    const open = async () => {
      const store = await openRedisStore(redis.url, prefix, { logger: pino({ level: 'silent' }) });
      stores.push(store);
      return store;
    };
    a = await startHarness({ config: { hub: { port }, auth: samlConfig(origin) }, overrides: { store: await open() } });
    b = await startHarness({ config: { auth: samlConfig(origin) }, overrides: { store: await open() } });
    for (const h of [a, b]) publicOrigin.set(h, origin);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    for (const s of stores) await s.close();
    await redis?.stop();
  });

  it('a sign-in started at one hub completes at the other, and cannot be replayed at the first', async () => {
    const { id, relay } = await startSignIn(a);
    const response = craft(a, { inResponseTo: id, uid: 'bob' });
    const atB = await post(b, { SAMLResponse: response, RelayState: relay });
    expect(atB.res.status).toBe(303);
    expect(atB.res.headers.get('location')).toBe('/hub/home');
    // The session lives in the shared store: hub A knows it too.
    const cookie = atB.res.headers.get('set-cookie')?.split(';')[0] as string;
    const me = await fetch(`${a.hubOrigin}/hub/api/user`, { headers: { cookie } });
    expect(((await me.json()) as { name: string }).name).toBe('bob');
    const replay = await post(a, { SAMLResponse: response, RelayState: relay });
    expect(replay.res.status).toBe(401);
  });
});
