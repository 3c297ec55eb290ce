// Which timeout and maximum age apply to one server: pure resolution of the `culler` config's
// overrides. Rule, field by field (timeoutSeconds and maxAgeSeconds separately):
//   1. the user's override, if it sets the field;
//   2. else the image's override: the key names the image reference exactly, or the catalog id
//      the server was started with (user_options.image), or the reference before ":" or "@"
//      (an exact match beats the last kind);
//   3. else the most generous of the user's groups that set it (0 = never beats any number);
//   4. else the section's default.
// The image ranks above groups because it is what the server costs (a GPU image is dear whoever
// runs it); a user override is an admin's deliberate exception for one person.
import type { CullerConfig, CullOverride } from './config';

export interface CullPolicy {
  enabled: boolean;
  /** 0 = never culled for idleness. */
  timeoutSeconds: number;
  /** 0 = no maximum age. */
  maxAgeSeconds: number;
  /** 0 = no warning. */
  warnBeforeSeconds: number;
  /** Where each value came from, e.g. 'user:alice', 'image:astro', 'group:staff', 'default'. */
  source: { timeout: string; maxAge: string };
}

export interface PolicySubject {
  user: string;
  /** The image reference the server runs (e.g. ghcr.io/sciencehub/astro:2025.01.0). */
  image: string | null;
  /** The catalog id it was started with (user_options.image, e.g. astro), if any. */
  imageId?: string | null;
  /** The owner's groups (empty if unknown). */
  groups: readonly string[];
}

type Field = keyof CullOverride;

/** Does the override key `key` name this image? Exact, or the image is `key:tag` / `key@digest`. */
export function imageMatches(key: string, image: string): 'exact' | 'id' | null {
  if (image === key) return 'exact';
  return image.startsWith(`${key}:`) || image.startsWith(`${key}@`) ? 'id' : null;
}

/** The catalog id in a server's user options ({image: 'astro', size: ...}), or null. */
export function catalogImageId(userOptions: Readonly<Record<string, unknown>> | null | undefined): string | null {
  const id = userOptions?.image;
  return typeof id === 'string' && id !== '' ? id : null;
}

function imageOverride(images: Readonly<Record<string, CullOverride>>, subject: PolicySubject, field: Field): { value: number; key: string } | null {
  const { image } = subject;
  const imageId = subject.imageId ?? null;
  if (image === null && imageId === null) return null;
  let best: { value: number; key: string; exact: boolean } | null = null;
  for (const [key, o] of Object.entries(images)) {
    const match = key === imageId ? 'exact' : image === null ? null : imageMatches(key, image);
    const value = o[field];
    if (match === null || value === undefined) continue;
    const exact = match === 'exact';
    // An exact match wins; among id matches the longest key (the most specific) wins.
    if (!best || (exact && !best.exact) || (exact === best.exact && key.length > best.key.length)) best = { value, key, exact };
  }
  return best;
}

/** 0 (never) is the most generous; otherwise the larger number is. */
export function moreGenerous(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return Math.max(a, b);
}

function groupOverride(groups: Readonly<Record<string, CullOverride>>, memberOf: readonly string[], field: Field): { value: number; key: string } | null {
  let best: { value: number; key: string } | null = null;
  for (const g of [...memberOf].sort()) {
    const value = groups[g]?.[field];
    if (value === undefined) continue;
    if (!best || moreGenerous(best.value, value) !== best.value) best = { value, key: g };
  }
  return best;
}

function resolveField(config: CullerConfig, subject: PolicySubject, field: Field, fallback: number): { value: number; source: string } {
  const { users, images, groups } = config.overrides;
  const own = Object.hasOwn(users, subject.user) ? users[subject.user]?.[field] : undefined;
  if (own !== undefined) return { value: own, source: `user:${subject.user}` };
  const img = imageOverride(images, subject, field);
  if (img) return { value: img.value, source: `image:${img.key}` };
  const grp = groupOverride(groups, subject.groups, field);
  if (grp) return { value: grp.value, source: `group:${grp.key}` };
  return { value: fallback, source: 'default' };
}

export function resolvePolicy(config: CullerConfig, subject: PolicySubject): CullPolicy {
  const timeout = resolveField(config, subject, 'timeoutSeconds', config.timeoutSeconds);
  const maxAge = resolveField(config, subject, 'maxAgeSeconds', config.maxAgeSeconds);
  return {
    enabled: config.enabled,
    timeoutSeconds: timeout.value,
    maxAgeSeconds: maxAge.value,
    warnBeforeSeconds: config.warnBeforeSeconds,
    source: { timeout: timeout.source, maxAge: maxAge.source },
  };
}

/** True if some override depends on groups (the standalone culler then needs to read them). */
export function usesGroups(config: CullerConfig): boolean {
  return Object.keys(config.overrides.groups).length > 0;
}
