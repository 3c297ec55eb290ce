// The SAML service provider, built once at start-up: resolves the IdP (metadata or entry point
// + certificate) and our key, then makes the passport strategy (sign-in responses) and a
// node-saml instance (sign-in and logout URLs, logout messages, our metadata).
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DOMParser } from '@xmldom/xmldom';
import { SAML, type Profile, type SamlConfig, type ValidateInResponseTo } from '@node-saml/node-saml';
import { Strategy as SamlStrategy, type VerifiedCallback } from '@node-saml/passport-saml';
import type { SamlAuthConfig, SamlUrls } from './config';
import { samlUrls } from './config';
import { parseIdpMetadata, readIdpMetadata } from './idp-metadata';
import { identityFromProfile, type SamlIdentity } from './profile';
import type { SamlStateStore } from './saml-state';
import { SamlRefusalError } from './errors';

export class SamlSetupError extends Error {
  override name = 'SamlSetupError';
  constructor(readonly key: string, message: string) {
    super(`auth.saml.${key}: ${message}`);
  }
}

export interface ResolvedIdp {
  entityId: string | null;
  ssoUrl: string;
  sloUrl: string | null;
  /** PEM certificates. */
  certs: string[];
}

export interface SpKeys {
  privateKey: string;
  cert: string;
}

/** What single logout needs to remember of a sign-in (kept in the hub session). */
export interface SamlSessionInfo {
  nameID: string;
  nameIDFormat: string;
  nameQualifier: string | null;
  spNameQualifier: string | null;
  sessionIndex: string | null;
}

/** PEM text of a certificate given as PEM or as the bare base64 body; throws if it is not one. */
export function certificatePem(value: string, key: string): string {
  const body = value.includes('-----BEGIN')
    ? value.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '')
    : value.replace(/\s+/g, '');
  const pem = `-----BEGIN CERTIFICATE-----\n${(body.match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`;
  try {
    new X509Certificate(pem);
  } catch {
    throw new SamlSetupError(key, 'is not an X.509 certificate (PEM or base64)');
  }
  return pem;
}

const isPath = (v: string) => v.startsWith('/') || v.startsWith('./') || v.startsWith('../');

async function readText(path: string, key: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new SamlSetupError(key, `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

export async function resolveIdp(config: SamlAuthConfig, options: { fetch?: typeof fetch } = {}): Promise<ResolvedIdp> {
  if (config.idpMetadata !== null) {
    let parsed;
    try {
      parsed = parseIdpMetadata(await readIdpMetadata(config.idpMetadata, { fetch: options.fetch }), config.idpEntityId);
    } catch (err) {
      throw new SamlSetupError('idpMetadata', (err as Error).message);
    }
    return {
      entityId: parsed.entityId, ssoUrl: parsed.ssoUrl, sloUrl: config.idpLogoutUrl ?? parsed.sloUrl,
      certs: parsed.signingCerts.map((c, i) => certificatePem(c, `idpMetadata (signing certificate ${i + 1})`)),
    };
  }
  const certs: string[] = [];
  for (const [i, value] of config.idpCert.entries()) {
    const key = `idpCert.${i}`;
    certs.push(certificatePem(isPath(value) ? await readText(value, key) : value, key));
  }
  return { entityId: config.idpEntityId, ssoUrl: config.entryPoint as string, sloUrl: config.idpLogoutUrl, certs };
}

/** Our key and certificate: the key from env SCIENCEHUB_SAML_PRIVATE_KEY or privateKeyFile. */
export async function resolveSpKeys(config: SamlAuthConfig, env: NodeJS.ProcessEnv): Promise<SpKeys | null> {
  const fromEnv = env.SCIENCEHUB_SAML_PRIVATE_KEY;
  if (config.certFile === null) {
    if (fromEnv) throw new SamlSetupError('certFile', 'required with SCIENCEHUB_SAML_PRIVATE_KEY (our certificate goes into our metadata)');
    return null;
  }
  const privateKey = fromEnv || (config.privateKeyFile ? await readText(config.privateKeyFile, 'privateKeyFile') : '');
  const keySource = fromEnv ? 'privateKeyFile (from SCIENCEHUB_SAML_PRIVATE_KEY)' : 'privateKeyFile';
  let key;
  try {
    key = createPrivateKey(privateKey);
  } catch {
    throw new SamlSetupError(keySource, 'is not a PEM private key');
  }
  const cert = certificatePem(await readText(config.certFile, 'certFile'), 'certFile');
  if (!new X509Certificate(cert).checkPrivateKey(key)) {
    throw new SamlSetupError('certFile', 'does not belong to the private key');
  }
  return { privateKey, cert };
}

/** node-saml's options (pure). */
export function buildSamlOptions(config: SamlAuthConfig, urls: SamlUrls, idp: ResolvedIdp, keys: SpKeys | null, cache: SamlStateStore): SamlConfig {
  return {
    callbackUrl: urls.acs,
    entryPoint: idp.ssoUrl,
    issuer: urls.entityId,
    ...(idp.entityId !== null ? { idpIssuer: idp.entityId } : {}),
    idpCert: idp.certs,
    audience: urls.audience,
    wantAuthnResponseSigned: config.wantAuthnResponseSigned,
    wantAssertionsSigned: config.wantAssertionsSigned,
    acceptedClockSkewMs: config.acceptedClockSkewMs,
    validateInResponseTo: config.validateInResponseTo as ValidateInResponseTo,
    requestIdExpirationPeriodMs: config.requestLifetimeSeconds * 1000,
    cacheProvider: cache,
    identifierFormat: config.nameIdFormat,
    // Asking for one exact AuthnContext makes IdPs with other methods (MFA, Kerberos) refuse.
    disableRequestedAuthnContext: true,
    signatureAlgorithm: config.signatureAlgorithm,
    digestAlgorithm: config.signatureAlgorithm,
    ...(keys ? { privateKey: keys.privateKey, publicCert: keys.cert, decryptionPvk: keys.privateKey } : {}),
    ...(idp.sloUrl !== null ? { logoutUrl: idp.sloUrl } : {}),
    ...(config.singleLogout ? { logoutCallbackUrl: urls.slo } : {}),
  };
}

/** The assertion's ID and end of validity, for replay protection. */
export function assertionFacts(profile: Profile): { id: string | null; notOnOrAfterMs: number | null } {
  const assertion = (profile.getAssertion?.() as { Assertion?: { $?: { ID?: string }; Conditions?: Array<{ $?: { NotOnOrAfter?: string } }> } } | undefined)?.Assertion;
  const id = assertion?.$?.ID ?? null;
  const end = assertion?.Conditions?.[0]?.$?.NotOnOrAfter;
  const ms = end ? Date.parse(end) : Number.NaN;
  return { id, notOnOrAfterMs: Number.isFinite(ms) ? ms : null };
}

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

/** InResponseTo and status of a LogoutResponse (pure; null fields when absent or unparseable). */
export function logoutResponseFacts(xml: string): { inResponseTo: string | null; status: string | null } {
  try {
    const doc = new DOMParser({ errorHandler: () => undefined } as never).parseFromString(xml, 'text/xml') as unknown as {
      documentElement: { localName: string; getAttribute(n: string): string | null; getElementsByTagNameNS(ns: string, n: string): ArrayLike<{ getAttribute(n: string): string | null }> } | null;
    };
    const root = doc.documentElement;
    if (!root || root.localName !== 'LogoutResponse') return { inResponseTo: null, status: null };
    const code = root.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:protocol', 'StatusCode')[0];
    return { inResponseTo: root.getAttribute('InResponseTo') || null, status: code?.getAttribute('Value') || null };
  } catch {
    return { inResponseTo: null, status: null };
  }
}

/** A checked logout message from the IdP: it signs someone out, or it answers our request. */
export type LogoutMessage = { kind: 'request'; profile: Profile } | { kind: 'response' };

/** What the strategy hands the ACS route: a checked identity, or why the assertion is unusable. */
export type SamlVerdict = { identity: SamlIdentity } | { unusable: { message: string; value: string | null; displayName: string | null } };

export interface SamlAuth {
  strategy: SamlStrategy;
  saml: SAML;
  urls: SamlUrls;
  idp: ResolvedIdp;
  config: SamlAuthConfig;
  /** Single logout works: enabled, with an IdP logout URL and our key to sign requests. */
  singleLogout: boolean;
  metadataXml: string;
  /** The IdP URL that starts a sign-in, with this RelayState. */
  loginUrl(relayState: string): Promise<string>;
  /** The IdP URL that ends this sign-in there (single logout). */
  logoutUrl(info: SamlSessionInfo, relayState?: string): Promise<string>;
  /** Validates a logout message (signature always required); throws with node-saml-style messages. */
  logoutMessage(method: string, container: Record<string, string>, query: string): Promise<LogoutMessage>;
  /** The URL that answers an IdP's logout request (a signed LogoutResponse). */
  logoutResponseUrl(request: Profile, relayState: string): Promise<string>;
}

export async function createSamlAuth(opts: {
  config: SamlAuthConfig;
  baseUrl: string;
  state: SamlStateStore;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
}): Promise<SamlAuth> {
  const { config, state } = opts;
  const urls = samlUrls(config, opts.baseUrl);
  const idp = await resolveIdp(config, { fetch: opts.fetch });
  const keys = await resolveSpKeys(config, opts.env ?? process.env);
  if (config.singleLogout && idp.sloUrl === null) {
    throw new SamlSetupError('singleLogout', 'the IdP has no logout URL (HTTP-Redirect binding) in its metadata; set auth.saml.idpLogoutUrl');
  }
  if (config.singleLogout && keys === null) {
    throw new SamlSetupError('singleLogout', 'needs our key and certificate (privateKeyFile and certFile) to sign logout requests');
  }
  const options = buildSamlOptions(config, urls, idp, keys, state);
  const saml = new SAML(options);
  // node-saml looks for InResponseTo on a Response element only, so a LogoutResponse fails
  // 'always'; logout messages are checked by this instance, and their InResponseTo by us below.
  const logoutSaml = new SAML({ ...options, validateInResponseTo: 'ifPresent' as ValidateInResponseTo });

  const logoutMessage = async (method: string, container: Record<string, string>, query: string): Promise<LogoutMessage> => {
    const isRequest = typeof container.SAMLRequest === 'string';
    let result;
    if (method === 'GET') {
      // node-saml accepts an unsigned redirect-binding message; we do not.
      if (typeof container.Signature !== 'string') throw new Error('Invalid signature: the logout message is not signed');
      result = await logoutSaml.validateRedirectAsync(container, query);
    } else {
      result = isRequest ? await logoutSaml.validatePostRequestAsync(container) : await logoutSaml.validatePostResponseAsync(container);
    }
    if (!result.loggedOut) throw new Error('Unknown SAML logout message');
    if (isRequest) {
      if (!result.profile) throw new Error('Missing SAML NameID');
      return { kind: 'request', profile: result.profile };
    }
    const xml = method === 'GET' ? null : Buffer.from(container.SAMLResponse ?? '', 'base64').toString('utf8');
    if (xml !== null) {
      const facts = logoutResponseFacts(xml);
      if (facts.status !== SUCCESS) throw new Error(`SAML provider returned ${facts.status ?? 'no status'} for the logout`);
      if (!facts.inResponseTo || (await state.removeAsync(facts.inResponseTo)) === null) throw new Error('InResponseTo is not valid');
    }
    return { kind: 'response' };
  };

  const verify = (profile: Profile | null, done: VerifiedCallback): void => {
    (async (): Promise<SamlVerdict> => {
      if (!profile) throw new SamlRefusalError({ status: 400, reason: 'no-assertion', message: 'The sign-in response holds no assertion about who you are.' });
      // node-saml checks the issuer of logout messages only; the assertion's (signed) issuer is checked here.
      if (idp.entityId !== null && profile.issuer !== idp.entityId) {
        throw new SamlRefusalError({ status: 401, reason: 'issuer', message: `The sign-in response does not come from ${config.institution}'s identity provider (unknown issuer).` });
      }
      const facts = assertionFacts(profile);
      if (!facts.id) throw new SamlRefusalError({ status: 400, reason: 'malformed', message: 'The sign-in assertion has no ID.' });
      if (!(await state.useAssertion(facts.id, facts.notOnOrAfterMs, config.acceptedClockSkewMs))) {
        throw new SamlRefusalError({ status: 401, reason: 'replay', message: 'This sign-in response was already used. Start the sign-in again.' });
      }
      const result = identityFromProfile(profile, config);
      if (result.ok) return { identity: result.identity };
      const displayName = (profile[config.displayNameAttribute] as unknown);
      return { unusable: { message: result.message, value: result.value ?? null, displayName: typeof displayName === 'string' ? displayName : null } };
    })().then((verdict) => done(null, verdict as unknown as Record<string, unknown>), (err: Error) => done(err));
  };
  const noLogoutVerify = (_profile: Profile | null, done: VerifiedCallback): void => done(new Error('logout messages are handled by the SLO route'));
  const strategy = new SamlStrategy({ ...options, name: 'saml' }, verify, noLogoutVerify);

  return {
    strategy, saml, urls, idp, config,
    singleLogout: config.singleLogout,
    metadataXml: saml.generateServiceProviderMetadata(keys?.cert ?? null, keys?.cert ?? null),
    loginUrl: (relayState) => saml.getAuthorizeUrlAsync(relayState, undefined, {}),
    logoutUrl: (info, relayState) => saml.getLogoutUrlAsync(info as unknown as Profile, relayState ?? '', {}),
    logoutMessage,
    logoutResponseUrl: (request, relayState) => saml.getLogoutResponseUrlAsync(request, relayState, {}, true),
  };
}
