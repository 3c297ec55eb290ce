// IdP metadata: read it from a file or URL, and parse (pure) the entity id, sign-on and logout
// URLs (HTTP-Redirect binding) and signing certificates of one IdP, also from an aggregate.
import { readFile } from 'node:fs/promises';
import { DOMParser } from '@xmldom/xmldom';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';

export interface IdpMetadata {
  entityId: string;
  /** SingleSignOnService with the HTTP-Redirect binding. */
  ssoUrl: string;
  /** SingleLogoutService with the HTTP-Redirect binding, if any. */
  sloUrl: string | null;
  /** Base64 bodies of the signing certificates (use="signing" or no use). */
  signingCerts: string[];
}

export class IdpMetadataError extends Error {
  override name = 'IdpMetadataError';
}

type El = {
  getAttribute(name: string): string | null;
  getElementsByTagNameNS(ns: string, name: string): ArrayLike<El>;
  textContent: string | null;
  parentNode: unknown;
};

function children(parent: El, ns: string, name: string): El[] {
  return Array.from(parent.getElementsByTagNameNS(ns, name));
}

/** Parse metadata XML; `entityId` picks one IdP when the document holds several. */
export function parseIdpMetadata(xml: string, entityId: string | null = null): IdpMetadata {
  const errors: string[] = [];
  const onError = (level: string, msg: string) => { if (level !== 'warning') errors.push(msg); };
  let doc: { documentElement: El | null };
  try {
    doc = new DOMParser({ errorHandler: onError } as never).parseFromString(xml, 'text/xml') as unknown as typeof doc;
  } catch (err) {
    throw new IdpMetadataError(`the IdP metadata is not well-formed XML (${(err as Error).message.split('\n')[0]})`);
  }
  if (!doc.documentElement || errors.length > 0) {
    throw new IdpMetadataError(`the IdP metadata is not well-formed XML${errors[0] ? ` (${errors[0].split('\n')[0]})` : ''}`);
  }
  const root = doc.documentElement;
  const idps = children(root, MD, 'EntityDescriptor').concat(
    (root as unknown as { localName: string; namespaceURI: string }).localName === 'EntityDescriptor' ? [root] : [],
  ).filter((e) => children(e, MD, 'IDPSSODescriptor').length > 0);
  const unique = [...new Map(idps.map((e) => [e.getAttribute('entityID') ?? '', e])).values()];
  if (unique.length === 0) throw new IdpMetadataError('the metadata describes no identity provider (no IDPSSODescriptor)');
  let entity: El;
  if (entityId !== null) {
    const found = unique.find((e) => e.getAttribute('entityID') === entityId);
    if (!found) throw new IdpMetadataError(`the metadata has no identity provider with entityID "${entityId}"`);
    entity = found;
  } else if (unique.length > 1) {
    throw new IdpMetadataError(`the metadata describes ${unique.length} identity providers; set auth.saml.idpEntityId to pick one`);
  } else {
    entity = unique[0] as El;
  }
  const id = entity.getAttribute('entityID');
  if (!id) throw new IdpMetadataError('the identity provider in the metadata has no entityID');
  const descriptor = children(entity, MD, 'IDPSSODescriptor').find((d) => (d.getAttribute('protocolSupportEnumeration') ?? '').includes(PROTOCOL));
  if (!descriptor) throw new IdpMetadataError(`identity provider ${id} does not support SAML 2.0`);
  const location = (name: string) =>
    children(descriptor, MD, name).find((s) => s.getAttribute('Binding') === REDIRECT)?.getAttribute('Location') ?? null;
  const ssoUrl = location('SingleSignOnService');
  if (!ssoUrl) throw new IdpMetadataError(`identity provider ${id} has no SingleSignOnService with the HTTP-Redirect binding`);
  const signingCerts = children(descriptor, MD, 'KeyDescriptor')
    .filter((k) => { const use = k.getAttribute('use'); return !use || use === 'signing'; })
    .flatMap((k) => children(k, DS, 'X509Certificate'))
    .map((c) => (c.textContent ?? '').replace(/\s+/g, ''))
    .filter((c) => c !== '');
  if (signingCerts.length === 0) throw new IdpMetadataError(`identity provider ${id} publishes no signing certificate`);
  return { entityId: id, ssoUrl, sloUrl: location('SingleLogoutService'), signingCerts: [...new Set(signingCerts)] };
}

/** Reads metadata from an http(s) URL or a file path; errors name the source. */
export async function readIdpMetadata(source: string, options: { timeoutMs?: number; fetch?: typeof fetch } = {}): Promise<string> {
  if (/^https?:\/\//i.test(source)) {
    const doFetch = options.fetch ?? fetch;
    let res: Response;
    try {
      res = await doFetch(source, { signal: AbortSignal.timeout(options.timeoutMs ?? 15_000), headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' } });
    } catch (err) {
      throw new IdpMetadataError(`cannot fetch the IdP metadata from ${source}: ${(err as Error).message}`);
    }
    if (!res.ok) throw new IdpMetadataError(`cannot fetch the IdP metadata from ${source}: HTTP ${res.status}`);
    return res.text();
  }
  try {
    return await readFile(source, 'utf8');
  } catch (err) {
    throw new IdpMetadataError(`cannot read the IdP metadata file ${source}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}
