// Sign-in rate limiting, per client address and per user name, on the dev form and the SAML
// ACS: 429 with Retry-After and a clear page; counters shared through Redis by several hubs.
// Client addresses come from X-Forwarded-For (the hub trusts its loopback proxy).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startHarness, type Harness } from '../helpers/hub-harness';
import { freePort } from '../helpers/ports';
import { startRedis, type RedisServer } from '../helpers/redis-server';
import { WebClient, csrfFrom } from '../helpers/web-client';
import { openRedisStore } from '../../hub/store/redis-store';
import type { Store } from '../../hub/store/store';

jest.setTimeout(120_000);

const devAuth = {
  kind: 'dev', dev: { allowed: true, openSignup: false, users: { alice: 'alice-password', bob: 'bob-password' } },
  loginRateLimitPerMinute: 4, loginRateLimitPerUserPerMinute: 2,
};

async function attempt(h: Harness, username: string, password: string, address: string) {
  const web = new WebClient(h.hubOrigin);
  const page = await web.get('/hub/login');
  const res = await web.request('POST', '/hub/login', {
    form: { _csrf: csrfFrom(page.text), username, password, next: '/hub/home' }, headers: { 'x-forwarded-for': address }, maxRedirects: 0,
  });
  return res;
}

describe('dev sign-in', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { auth: devAuth } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('blocks a user name after its failures, from any address and even with the right password', async () => {
    expect((await attempt(h, 'alice', 'wrong-1', '10.1.0.1')).status).toBe(403);
    expect((await attempt(h, 'Alice', 'wrong-2', '10.1.0.2')).status).toBe(403);
    const blocked = await attempt(h, 'alice', 'alice-password', '10.1.0.3');
    expect(blocked.status).toBe(429);
    const retry = Number(blocked.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(60);
    expect(blocked.text).toMatch(/Too many failed sign-ins for this user name\. Try again in \d+ seconds?\./);
    expect(blocked.headers.get('location')).toBeNull();
    expect((await attempt(h, 'bob', 'bob-password', '10.1.0.3')).status).toBe(303);
  });

  it('blocks an address after its failures, whatever the name; other addresses carry on', async () => {
    for (const name of ['u1', 'u2', 'u3', 'u4']) expect((await attempt(h, name, 'nope', '10.2.0.1')).status).toBe(403);
    const blocked = await attempt(h, 'bob', 'bob-password', '10.2.0.1');
    expect(blocked.status).toBe(429);
    expect(blocked.text).toMatch(/Too many failed sign-ins from your address/);
    expect((await attempt(h, 'bob', 'bob-password', '10.2.0.2')).status).toBe(303);
  });

  it('a successful sign-in clears the user name\'s failures', async () => {
    expect((await attempt(h, 'bob', 'wrong', '10.3.0.1')).status).toBe(403);
    expect((await attempt(h, 'bob', 'bob-password', '10.3.0.2')).status).toBe(303);
    expect((await attempt(h, 'bob', 'wrong', '10.3.0.3')).status).toBe(403);
    expect((await attempt(h, 'bob', 'bob-password', '10.3.0.4')).status).toBe(303);
  });
});

describe('SAML ACS', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sciencehub-rl-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=idp', '-keyout', path.join(dir, 'k'), '-out', path.join(dir, 'c')], { stdio: 'ignore' });
    const cert = readFileSync(path.join(dir, 'c'), 'utf8');
    const port = await freePort();
    h = await startHarness({
      config: {
        hub: { port },
        auth: {
          kind: 'saml', loginRateLimitPerMinute: 3, signInStartsPerMinute: 3,
          saml: { publicUrl: `http://127.0.0.1:${port}`, entryPoint: 'https://idp.test/sso', idpCert: [cert] },
        },
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 429 with Retry-After once an address sent too many bad responses', async () => {
    const post = (address: string) => fetch(`${h.hubOrigin}/hub/saml/acs`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'x-forwarded-for': address },
      body: new URLSearchParams({ SAMLResponse: Buffer.from('<samlp:Response/>').toString('base64') }).toString(),
    });
    for (let i = 0; i < 3; i++) expect((await post('10.4.0.1')).status).toBe(401);
    const blocked = await post('10.4.0.1');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await blocked.json()).toEqual({ status: 429, reason: 'rate-limited', message: expect.stringMatching(/from your address/) });
    expect((await post('10.4.0.2')).status).toBe(401);
  });

  it('bounds the sign-ins one address starts: 429 past the limit, and no state kept for refused starts', async () => {
    const start = (address: string) => fetch(`${h.hubOrigin}/hub/saml/login?next=%2Fhub%2Fhome`, {
      redirect: 'manual', headers: { 'x-forwarded-for': address },
    });
    const stateEntries = async () => (await h.hub.ctx.store.samlState.list()).length;
    const before = await stateEntries();
    for (let i = 0; i < 3; i++) {
      const res = await start('10.6.0.1');
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toMatch(/^https:\/\/idp\.test\/sso\?SAMLRequest=/);
    }
    const kept = await stateEntries();
    expect(kept).toBeGreaterThan(before);
    for (let i = 0; i < 5; i++) {
      const blocked = await start('10.6.0.1');
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await blocked.text()).toMatch(/Too many sign-ins started from your address\. Try again in \d+ seconds?\./);
    }
    expect(await stateEntries()).toBe(kept);
    expect((await start('10.6.0.2')).status).toBe(302);
  });
});

describe('several hubs on one Redis store share the counters', () => {
  let redis: RedisServer;
  const stores: Store[] = [];
  let a: Harness;
  let b: Harness;

  beforeAll(async () => {
    redis = await startRedis();
    const prefix = `rl-${randomBytes(4).toString('hex')}:`;
    const open = async () => {
      const s = await openRedisStore(redis.url, prefix, { logger: pino({ level: 'silent' }) });
      stores.push(s);
      return s;
    };
    a = await startHarness({ config: { auth: devAuth }, overrides: { store: await open() } });
    b = await startHarness({ config: { auth: devAuth }, overrides: { store: await open() } });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    for (const s of stores) await s.close();
    await redis?.stop();
  });

  it('failures at one hub block the user name at the other', async () => {
    expect((await attempt(a, 'alice', 'wrong', '10.5.0.1')).status).toBe(403);
    expect((await attempt(b, 'alice', 'wrong', '10.5.0.2')).status).toBe(403);
    const blocked = await attempt(a, 'alice', 'alice-password', '10.5.0.3');
    expect(blocked.status).toBe(429);
    expect((await attempt(b, 'alice', 'alice-password', '10.5.0.4')).status).toBe(429);
  });
});
