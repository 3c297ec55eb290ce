// Kubernetes object names and label values for any user and server name (pure).
// Every name is a readable DNS-1123 slug plus a short hash of the exact names, so two different
// (user, server) pairs never share a name, whatever characters they use.
import { createHash } from 'node:crypto';

/** Kubernetes' limit for labels, label values and the pod names that become host names. */
export const MAX_NAME = 63;
const HASH_LENGTH = 10;

/** Lower-case [a-z0-9-] form of a name: accents dropped, other runs of characters become '-'. */
export function slugify(name: string, maxLength: number): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, Math.max(0, maxLength))
    .replace(/-+$/, '');
}

/** Hex hash of the exact parts; length-prefixed so ('ab', 'c') and ('a', 'bc') differ. */
export function shortHash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const part of parts) h.update(`${Buffer.byteLength(part, 'utf8')}:${part}\0`, 'utf8');
  return h.digest('hex').slice(0, HASH_LENGTH);
}

/** `<prefix>-<slug(s)>-<hash>` within MAX_NAME; the slugs share what the prefix and hash leave. */
function composeName(prefix: string, slugSources: string[], hash: string): string {
  const budget = MAX_NAME - prefix.length - hash.length - 2;
  const [first = '', second] = slugSources;
  let slugs: string[];
  if (second === undefined) {
    slugs = [slugify(first, budget)];
  } else {
    // Two slugs joined by '--': the first gets two thirds of the room, the second the rest.
    const room = budget - 2;
    const firstSlug = slugify(first, Math.ceil((room * 2) / 3));
    slugs = [firstSlug, slugify(second, room - firstSlug.length)];
  }
  const body = slugs.filter((s) => s !== '').join('--');
  return body === '' ? `${prefix}-${hash}` : `${prefix}-${body}-${hash}`;
}

/** Name of the pod (and of its token Secret and NetworkPolicy) of one server. */
export function serverObjectName(prefix: string, user: string, serverName: string): string {
  const sources = serverName === '' ? [user] : [user, serverName];
  return composeName(prefix, sources, shortHash(user, serverName));
}

/** Name of a home volume claim: per user, or per server with storage scope 'server'. */
export function homeClaimName(prefix: string, user: string, serverName: string | null): string {
  if (serverName === null) return composeName(`${prefix}-home`, [user], shortHash(user));
  return composeName(`${prefix}-home`, serverName === '' ? [user] : [user, serverName], shortHash(user, serverName));
}

/** A label value standing for one exact name: '' stays '' (the default server), else slug-hash. */
export function labelValue(name: string): string {
  if (name === '') return '';
  const hash = shortHash(name);
  const slug = slugify(name, MAX_NAME - HASH_LENGTH - 1);
  return slug === '' ? hash : `${slug}-${hash}`;
}

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function isDns1123Label(s: string): boolean {
  return s.length <= MAX_NAME && DNS_1123_LABEL.test(s);
}

export function isLabelValue(s: string): boolean {
  return s.length <= MAX_NAME && LABEL_VALUE.test(s);
}
