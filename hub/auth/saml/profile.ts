// From a validated SAML profile to a hub identity (pure): the user name from the configured
// attribute, normalised and checked; the display name; the groups (one value or several).
import type { Profile } from '@node-saml/node-saml';
import { normalizeUsername, validateUsername } from '../identity';
import type { SamlAuthConfig } from './config';

export interface SamlIdentity {
  name: string;
  displayName: string | null;
  /** null when no groups attribute is configured (the hub's own groups stay as they are). */
  groups: string[] | null;
  /** What single logout needs to name this sign-in to the IdP. */
  nameID: string;
  nameIDFormat: string;
  nameQualifier: string | null;
  spNameQualifier: string | null;
  sessionIndex: string | null;
}

export type IdentityResult = { ok: true; identity: SamlIdentity } | { ok: false; message: string; value?: string };

/** Common attribute names and their OIDs (eduPerson / inetOrgPerson), tried in order. */
const ALIASES: Record<string, string[]> = {
  uid: ['uid', 'urn:oid:0.9.2342.19200300.100.1.1'],
  eppn: ['eduPersonPrincipalName', 'eppn', 'urn:oid:1.3.6.1.4.1.5923.1.1.1.6'],
  mail: ['mail', 'email', 'urn:oid:0.9.2342.19200300.100.1.3'],
  displayName: ['displayName', 'urn:oid:2.16.840.1.113730.3.1.241'],
  isMemberOf: ['isMemberOf', 'urn:oid:1.3.6.1.4.1.5923.1.5.1.1'],
};

/** Characters a SAML-derived user name may hold: letters, digits and . _ - @ +. */
const SAFE_NAME = /^[\p{L}\p{N}][\p{L}\p{N}\p{M}._@+-]*$/u;

/** Every string value of an attribute: a single value is a string, several are an array. */
export function attributeValues(profile: Profile, name: string): string[] {
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  for (const key of ALIASES[name] ?? [name]) {
    const raw = Object.prototype.hasOwnProperty.call(attributes, key) ? attributes[key] : (profile as Record<string, unknown>)[key];
    if (raw === undefined || raw === null) continue;
    const list = Array.isArray(raw) ? raw : [raw];
    return list.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter((v) => v !== '');
  }
  return [];
}

/** Normalise one raw user-name value under the username rules; an error message names what is wrong. */
export function normaliseSamlUsername(raw: string, rules: SamlAuthConfig['username']): { name: string } | { error: string } {
  let value = raw.trim().normalize('NFC');
  const at = value.lastIndexOf('@');
  if (rules.allowedScopes.length > 0) {
    const scope = at > 0 ? value.slice(at + 1).toLowerCase() : '';
    if (!rules.allowedScopes.some((s) => s.toLowerCase() === scope)) {
      return { error: `the ${rules.attribute} value is not from an allowed scope (${rules.allowedScopes.join(', ')})` };
    }
  }
  if (at > 0 && rules.scope === 'strip') value = value.slice(0, at);
  const name = rules.lowercase ? normalizeUsername(value) : value;
  const invalid = validateUsername(name);
  if (invalid) return { error: `the ${rules.attribute} value is not a usable user name: ${invalid}` };
  if (!SAFE_NAME.test(name)) {
    return { error: `the ${rules.attribute} value is not a usable user name: only letters, digits and . _ - @ + are allowed` };
  }
  return { name };
}

/** Group names from the groups attribute: trimmed, de-duplicated, unusable names dropped. */
export function normaliseGroups(values: readonly string[]): string[] {
  const ok = values.map((v) => v.normalize('NFC')).filter((v) => /^[^/\p{Cc}]{1,255}$/u.test(v));
  return [...new Set(ok)].sort();
}

export function identityFromProfile(profile: Profile | null | undefined, config: SamlAuthConfig): IdentityResult {
  if (!profile) return { ok: false, message: 'The identity provider sent no sign-in assertion.' };
  if (typeof profile.nameID !== 'string' || profile.nameID === '') {
    return { ok: false, message: 'The sign-in assertion has no NameID.' };
  }
  const attr = config.username.attribute;
  const raw = attr === 'nameID' ? [profile.nameID] : attributeValues(profile, attr);
  if (raw.length === 0) return { ok: false, message: `The identity provider did not send the ${attr} attribute, which gives the user name here.` };
  if (raw.length > 1) return { ok: false, message: `The identity provider sent several ${attr} values; one is needed for the user name.` };
  const normalised = normaliseSamlUsername(raw[0] as string, config.username);
  if ('error' in normalised) return { ok: false, message: `Your account cannot be used here: ${normalised.error}.`, value: raw[0] };
  const display = attributeValues(profile, config.displayNameAttribute)[0] ?? null;
  const groups = config.groupsAttribute === null ? null : normaliseGroups(attributeValues(profile, config.groupsAttribute));
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return {
    ok: true,
    identity: {
      name: normalised.name, displayName: display ? display.slice(0, 255) : null, groups,
      nameID: profile.nameID, nameIDFormat: str(profile.nameIDFormat) ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      nameQualifier: str(profile.nameQualifier), spNameQualifier: str(profile.spNameQualifier), sessionIndex: str(profile.sessionIndex),
    },
  };
}
