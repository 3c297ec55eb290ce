// Building the SAML service provider: certificates as PEM or base64, our key and certificate
// (from a file or the environment) checked to belong together, and node-saml's options.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SamlAuthSchema, samlUrls } from '../../../../hub/auth/saml/config';
import { SamlStateStore } from '../../../../hub/auth/saml/saml-state';
import { buildSamlOptions, certificatePem, resolveIdp, resolveSpKeys } from '../../../../hub/auth/saml/saml-auth';
import type { Collection, SamlState } from '../../../../hub/store/store';

let dir: string;
const files = (name: string) => ({ key: path.join(dir, `${name}.key`), cert: path.join(dir, `${name}.crt`) });

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sciencehub-saml-keys-'));
  for (const name of ['sp', 'other']) {
    const f = files(name);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '30', '-subj', `/CN=${name}`, '-keyout', f.key, '-out', f.cert], { stdio: 'ignore' });
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (over: Record<string, unknown> = {}) =>
  SamlAuthSchema.parse({ publicUrl: 'https://hub.example.org', entryPoint: 'https://idp.example/sso', idpCert: [files('other').cert], ...over });

describe('certificatePem', () => {
  it('accepts PEM and the bare base64 body, and refuses anything else naming the key', () => {
    const pem = readFileSync(files('sp').cert, 'utf8');
    const body = pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
    expect(certificatePem(pem, 'idpCert.0')).toBe(certificatePem(body, 'idpCert.0'));
    expect(() => certificatePem('MIInotacert', 'idpCert.1')).toThrow('auth.saml.idpCert.1: is not an X.509 certificate (PEM or base64)');
  });
});

describe('resolveIdp without metadata', () => {
  it('reads certificate files and takes the entry point and entity id from config', async () => {
    const idp = await resolveIdp(config({ idpEntityId: 'https://idp.example' }));
    expect(idp).toEqual({ entityId: 'https://idp.example', ssoUrl: 'https://idp.example/sso', sloUrl: null, certs: [expect.stringMatching(/^-----BEGIN CERTIFICATE-----\n/)] });
    await expect(resolveIdp(config({ idpCert: ['/nonexistent/idp.crt'] }))).rejects.toThrow('auth.saml.idpCert.0: cannot read /nonexistent/idp.crt: ENOENT');
  });

  it('names a broken metadata source', async () => {
    await expect(resolveIdp(config({ entryPoint: null, idpCert: [], idpMetadata: path.join(dir, 'missing.xml') }))).rejects.toThrow(/^auth\.saml\.idpMetadata: cannot read the IdP metadata file/);
  });
});

describe('resolveSpKeys', () => {
  it('is null without a certificate, and reads a matching key and certificate', async () => {
    expect(await resolveSpKeys(config(), {})).toBeNull();
    const keys = await resolveSpKeys(config({ privateKeyFile: files('sp').key, certFile: files('sp').cert }), {});
    expect(keys?.privateKey).toContain('PRIVATE KEY');
    expect(keys?.cert).toContain('BEGIN CERTIFICATE');
  });

  it('takes the key from SCIENCEHUB_SAML_PRIVATE_KEY over the file', async () => {
    const env = { SCIENCEHUB_SAML_PRIVATE_KEY: readFileSync(files('sp').key, 'utf8') };
    const keys = await resolveSpKeys(config({ privateKeyFile: files('other').key, certFile: files('sp').cert }), env);
    expect(keys?.privateKey).toBe(env.SCIENCEHUB_SAML_PRIVATE_KEY);
  });

  it('refuses a key that does not match the certificate, a non-key, and an env key without a certificate', async () => {
    await expect(resolveSpKeys(config({ privateKeyFile: files('other').key, certFile: files('sp').cert }), {})).rejects.toThrow('auth.saml.certFile: does not belong to the private key');
    const junk = path.join(dir, 'junk.key');
    writeFileSync(junk, 'not a key');
    await expect(resolveSpKeys(config({ privateKeyFile: junk, certFile: files('sp').cert }), {})).rejects.toThrow('auth.saml.privateKeyFile: is not a PEM private key');
    await expect(resolveSpKeys(config(), { SCIENCEHUB_SAML_PRIVATE_KEY: 'x' })).rejects.toThrow(/auth\.saml\.certFile: required with SCIENCEHUB_SAML_PRIVATE_KEY/);
  });
});

describe('buildSamlOptions', () => {
  it('demands what the config demands and keeps request ids in the store', async () => {
    const c = config({ idpEntityId: 'https://idp.example', privateKeyFile: files('sp').key, certFile: files('sp').cert, singleLogout: true, idpLogoutUrl: 'https://idp.example/slo' });
    const cache = new SamlStateStore({} as Collection<SamlState>, { requestTtlSeconds: 600 });
    const idp = await resolveIdp(c);
    const keys = await resolveSpKeys(c, {});
    const o = buildSamlOptions(c, samlUrls(c, '/'), idp, keys, cache);
    expect(o).toMatchObject({
      callbackUrl: 'https://hub.example.org/hub/saml/acs', issuer: 'https://hub.example.org/hub/saml/metadata', audience: 'https://hub.example.org/hub/saml/metadata',
      idpIssuer: 'https://idp.example', entryPoint: 'https://idp.example/sso', logoutUrl: 'https://idp.example/slo', logoutCallbackUrl: 'https://hub.example.org/hub/saml/slo',
      wantAuthnResponseSigned: true, wantAssertionsSigned: true, validateInResponseTo: 'always', requestIdExpirationPeriodMs: 600_000,
      acceptedClockSkewMs: 60_000, signatureAlgorithm: 'sha256', disableRequestedAuthnContext: true,
    });
    expect(o.cacheProvider).toBe(cache);
    expect(o.privateKey).toBe(keys?.privateKey);
    expect(o.decryptionPvk).toBe(keys?.privateKey);
    const bare = buildSamlOptions(config(), samlUrls(config(), '/'), await resolveIdp(config()), null, cache);
    expect(bare).not.toHaveProperty('privateKey');
    expect(bare).not.toHaveProperty('idpIssuer');
    expect(bare).not.toHaveProperty('logoutCallbackUrl');
  });
});
