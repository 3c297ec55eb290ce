// Parsing IdP metadata: one IdP or an aggregate, the redirect-binding sign-on and logout URLs,
// signing certificates only; every unusable document refused with a reason.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IdpMetadataError, parseIdpMetadata, readIdpMetadata } from '../../../../hub/auth/saml/idp-metadata';

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

function idp(entityId: string, opts: { slo?: boolean; certs?: Array<[string | null, string]>; sso?: string } = {}): string {
  const keys = (opts.certs ?? [['signing', 'MIIsign'], ['encryption', 'MIIenc']])
    .map(([use, body]) => `<md:KeyDescriptor${use ? ` use="${use}"` : ''}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
      ${body}
    </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`).join('');
  return `<md:EntityDescriptor entityID="${entityId}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    ${keys}
    ${opts.slo === false ? '' : `<md:SingleLogoutService Binding="${REDIRECT}" Location="${entityId}/slo"/>`}
    <md:SingleSignOnService Binding="${POST}" Location="${entityId}/sso-post"/>
    ${opts.sso === undefined ? `<md:SingleSignOnService Binding="${REDIRECT}" Location="${entityId}/sso"/>` : opts.sso}
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
}
const NS = 'xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"';
const single = (body: string) => `<?xml version="1.0"?>\n${body.replace('<md:EntityDescriptor ', `<md:EntityDescriptor ${NS} `)}`;
const aggregate = (...bodies: string[]) => `<md:EntitiesDescriptor ${NS}>${bodies.join('')}
  <md:EntityDescriptor entityID="https://sp.example"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>
</md:EntitiesDescriptor>`;

describe('parseIdpMetadata', () => {
  it('reads entity id, redirect-binding URLs and the signing certificates only', () => {
    expect(parseIdpMetadata(single(idp('https://idp.example')))).toEqual({
      entityId: 'https://idp.example', ssoUrl: 'https://idp.example/sso', sloUrl: 'https://idp.example/slo', signingCerts: ['MIIsign'],
    });
  });

  it('counts a key without `use` as a signing key, and has no logout URL when none is published', () => {
    const m = parseIdpMetadata(single(idp('https://idp.example', { slo: false, certs: [[null, 'MIIa'], ['signing', 'MIIb'], ['signing', 'MIIa']] })));
    expect(m.signingCerts).toEqual(['MIIa', 'MIIb']);
    expect(m.sloUrl).toBeNull();
  });

  it('picks one IdP from an aggregate by entity id, and asks for one when there are several', () => {
    const doc = aggregate(idp('https://a.example'), idp('https://b.example'));
    expect(parseIdpMetadata(doc, 'https://b.example').ssoUrl).toBe('https://b.example/sso');
    expect(() => parseIdpMetadata(doc)).toThrow(/describes 2 identity providers; set auth\.saml\.idpEntityId/);
    expect(() => parseIdpMetadata(doc, 'https://c.example')).toThrow(/no identity provider with entityID "https:\/\/c\.example"/);
    expect(parseIdpMetadata(aggregate(idp('https://a.example'))).entityId).toBe('https://a.example');
  });

  it.each<[string, string, RegExp]>([
    ['not XML', 'hello <', /not well-formed XML/],
    ['an SP only', aggregate(), /no identity provider \(no IDPSSODescriptor\)/],
    ['no redirect sign-on', single(idp('https://i.example', { sso: '' })), /no SingleSignOnService with the HTTP-Redirect binding/],
    ['no signing key', single(idp('https://i.example', { certs: [['encryption', 'MIIenc']] })), /publishes no signing certificate/],
  ])('refuses %s', (_name, xml, message) => {
    expect(() => parseIdpMetadata(xml)).toThrow(IdpMetadataError);
    expect(() => parseIdpMetadata(xml)).toThrow(message);
  });
});

describe('readIdpMetadata', () => {
  it('reads a file, and names the file when it cannot', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sciencehub-md-'));
    try {
      writeFileSync(path.join(dir, 'idp.xml'), 'xml!');
      await expect(readIdpMetadata(path.join(dir, 'idp.xml'))).resolves.toBe('xml!');
      await expect(readIdpMetadata(path.join(dir, 'none.xml'))).rejects.toThrow(/cannot read the IdP metadata file .*none\.xml: ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fetches a URL, and names it with the status when it cannot', async () => {
    const fakeFetch = (async (url: string) => new Response(url.endsWith('/ok') ? 'xml!' : 'no', { status: url.endsWith('/ok') ? 200 : 404 })) as unknown as typeof fetch;
    await expect(readIdpMetadata('https://idp.example/ok', { fetch: fakeFetch })).resolves.toBe('xml!');
    await expect(readIdpMetadata('https://idp.example/missing', { fetch: fakeFetch })).rejects.toThrow(/from https:\/\/idp\.example\/missing: HTTP 404/);
  });
});
