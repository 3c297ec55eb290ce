// The `auth.saml` config section: where the IdP is, who we are, what signatures we demand, and
// how assertions become hub users. Composed into AuthSectionSchema by hub/config/schema.ts.
import { z } from 'zod';

const HttpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });

/** The public origin only: scheme, host and port (hub.baseUrl adds the path). */
const PublicOrigin = HttpUrl.refine((u) => {
  const url = new URL(u);
  return (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash;
}, { error: 'expected an origin such as https://hub.example.org, without a path (hub.baseUrl gives the path)' });

/** A group name the hub can store (the groups API's rule). */
export const GroupNameSchema = z.string().regex(/^[^/\p{Cc}]{1,255}$/u, { error: 'group names have 1 to 255 characters, none of them "/" or control characters' });

export const SamlUsernameSchema = z
  .object({
    attribute: z.string().min(1).default('nameID')
      .describe("where the user name comes from: 'nameID', 'uid', 'eppn', 'mail', or any attribute name or OID"),
    lowercase: z.boolean().default(true).describe('lower-case the name (IdPs differ in case; one person, one hub user)'),
    scope: z.enum(['strip', 'keep']).default('strip')
      .describe("for scoped values (mail, eppn: 'local@scope'): 'strip' keeps the local part, 'keep' the whole value"),
    allowedScopes: z.array(z.string().min(1)).default([])
      .describe('when set, a scoped value must end in @ one of these scopes (e.g. example.org), else sign-in is refused'),
  })
  .strict()
  .describe('How an assertion gives the hub user name; the result must also pass the hub\'s user-name rules.');

export const SamlAuthSchema = z
  .object({
    institution: z.string().min(1).max(100).default('your institution')
      .describe('name on the sign-in button ("Sign in with <institution>") and on refusal pages'),
    autoRedirect: z.boolean().default(false).describe('send visitors of the sign-in page straight to the IdP instead of showing the button'),
    publicUrl: PublicOrigin.describe('public origin of the hub as users reach it, e.g. https://hub.example.org; the ACS, SLO and metadata URLs are built from it'),
    spEntityId: z.string().min(1).nullable().default(null)
      .describe('our SAML entity id (default: the metadata URL, <publicUrl><baseUrl>hub/saml/metadata)'),
    idpMetadata: z.string().min(1).nullable().default(null)
      .describe('IdP metadata: a file path or an http(s) URL, read at start-up for the entry point, entity id, signing certificates and logout URL'),
    idpEntityId: z.string().min(1).nullable().default(null)
      .describe('the IdP entity id: picks the IdP in an aggregate metadata file, and is checked as the issuer of every response'),
    entryPoint: HttpUrl.nullable().default(null).describe('IdP single sign-on URL (HTTP-Redirect binding), when no idpMetadata is given'),
    idpCert: z.array(z.string().min(1)).default([])
      .describe('IdP signing certificates when no idpMetadata is given: PEM text, the base64 body, or a path to a PEM file (starting with / or .)'),
    idpLogoutUrl: HttpUrl.nullable().default(null).describe('IdP single logout URL (default: from idpMetadata)'),
    privateKeyFile: z.string().min(1).nullable().default(null)
      .describe('our PEM private key (signs requests, decrypts encrypted assertions); env SCIENCEHUB_SAML_PRIVATE_KEY gives the key itself'),
    certFile: z.string().min(1).nullable().default(null).describe('our PEM certificate for that key, published in our metadata'),
    signatureAlgorithm: z.enum(['sha256', 'sha512']).default('sha256').describe('algorithm for the signatures we make'),
    wantAuthnResponseSigned: z.boolean().default(true).describe('require the IdP to sign the whole response'),
    wantAssertionsSigned: z.boolean().default(true).describe('require the IdP to sign the assertion'),
    audience: z.string().min(1).nullable().default(null).describe('audience the assertions must name (default: our entity id)'),
    acceptedClockSkewMs: z.number().int().min(0).max(600_000).default(60_000)
      .describe('how far our clock and the IdP\'s may disagree when checking NotBefore / NotOnOrAfter, in ms'),
    validateInResponseTo: z.enum(['always', 'ifPresent', 'never']).default('always')
      .describe("'always': only answers to sign-ins this hub started; 'ifPresent' also accepts IdP-initiated sign-in"),
    requestLifetimeSeconds: z.number().int().min(30).max(86_400).default(600)
      .describe('how long a sign-in started here may take at the IdP before its answer is refused'),
    nameIdFormat: z.string().min(1).default('urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified')
      .describe('NameID format asked of the IdP'),
    username: SamlUsernameSchema.prefault({}),
    displayNameAttribute: z.string().min(1).default('displayName').describe('attribute with the person\'s display name (shown on pages)'),
    groupsAttribute: z.string().min(1).nullable().default(null)
      .describe('attribute listing the person\'s groups (e.g. groups, isMemberOf); synced into the hub\'s groups at every sign-in'),
    allowedUsers: z.array(z.string().min(1)).default([]).describe('hub user names that may sign in (with allowedGroups: either suffices; both empty: everyone)'),
    allowedGroups: z.array(GroupNameSchema).default([]).describe('members of these IdP groups may sign in'),
    singleLogout: z.boolean().default(false).describe('sign out at the IdP too when signing out of the hub, and accept IdP-initiated logout'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const fromMetadata = c.idpMetadata !== null;
    if (fromMetadata && (c.entryPoint !== null || c.idpCert.length > 0)) {
      ctx.addIssue({ code: 'custom', path: ['idpMetadata'], message: 'give either idpMetadata or entryPoint with idpCert, not both' });
    }
    if (!fromMetadata && c.entryPoint === null) {
      ctx.addIssue({ code: 'custom', path: ['entryPoint'], message: 'required (the IdP sign-on URL) unless idpMetadata is given' });
    }
    if (!fromMetadata && c.idpCert.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['idpCert'], message: 'required (the IdP signing certificate) unless idpMetadata is given' });
    }
    if ((c.privateKeyFile === null) !== (c.certFile === null)) {
      ctx.addIssue({ code: 'custom', path: [c.certFile === null ? 'certFile' : 'privateKeyFile'], message: 'privateKeyFile and certFile go together' });
    }
    if (c.allowedGroups.length > 0 && c.groupsAttribute === null) {
      ctx.addIssue({ code: 'custom', path: ['groupsAttribute'], message: 'required when allowedGroups is set (which attribute lists the groups?)' });
    }
    if (!c.wantAuthnResponseSigned && !c.wantAssertionsSigned) {
      ctx.addIssue({ code: 'custom', path: ['wantAssertionsSigned'], message: 'at least one of wantAuthnResponseSigned and wantAssertionsSigned must be true' });
    }
  })
  .describe('SAML sign-on (auth.kind: saml): the hub is a SAML service provider.');

export type SamlAuthConfig = z.infer<typeof SamlAuthSchema>;
export type SamlAuthInput = z.input<typeof SamlAuthSchema>;

/** Hub URLs of the SAML endpoints, from the config and hub.baseUrl. */
export interface SamlUrls {
  entityId: string;
  acs: string;
  slo: string;
  metadata: string;
  audience: string;
}

export function samlUrls(config: SamlAuthConfig, baseUrl: string): SamlUrls {
  const hub = `${config.publicUrl.replace(/\/$/, '')}${baseUrl}hub/`;
  const metadata = `${hub}saml/metadata`;
  const entityId = config.spEntityId ?? metadata;
  return { entityId, acs: `${hub}saml/acs`, slo: `${hub}saml/slo`, metadata, audience: config.audience ?? entityId };
}
