// Effective quota of a user, per field: their own override if it sets the field, else the most
// generous of their groups that set it (null = unlimited beats any number, else the largest),
// else the default. Pure; the rule is written down in hub/README.md.
import type { QuotaLimits } from '../store/store';
import type { FullQuota } from './config';
import { QUOTA_FIELD_KEYS, type QuotaField } from './fields';

export type QuotaSource = { kind: 'user' } | { kind: 'group'; name: string } | { kind: 'default' };

export interface EffectiveQuota {
  limits: FullQuota;
  sources: Record<QuotaField, QuotaSource>;
}

export interface QuotaInputs {
  defaults: FullQuota;
  /** The user's override (config and stored merged), or null. */
  user: QuotaLimits | null;
  /** Quotas of the user's groups (config and stored merged); groups without one are left out. */
  groups: ReadonlyArray<{ name: string; limits: QuotaLimits }>;
}

/** More generous of two limits: null (unlimited) wins, else the larger number. */
export function moreGenerous(a: number | null, b: number | null): number | null {
  if (a === null || b === null) return null;
  return Math.max(a, b);
}

export function resolveQuota(inputs: QuotaInputs): EffectiveQuota {
  const limits = { ...inputs.defaults };
  const sources = {} as Record<QuotaField, QuotaSource>;
  // Groups in name order, so ties always name the same group.
  const groups = [...inputs.groups].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const field of QUOTA_FIELD_KEYS) {
    const own = inputs.user?.[field];
    if (own !== undefined) {
      limits[field] = own;
      sources[field] = { kind: 'user' };
      continue;
    }
    let best: { value: number | null; group: string } | null = null;
    for (const g of groups) {
      const value = g.limits[field];
      if (value === undefined) continue;
      if (best === null || (best.value !== null && moreGenerous(best.value, value) !== best.value)) best = { value, group: g.name };
    }
    if (best !== null) {
      limits[field] = best.value;
      sources[field] = { kind: 'group', name: best.group };
    } else {
      sources[field] = { kind: 'default' };
    }
  }
  return { limits, sources };
}

/** Config fields with stored fields on top (a stored field wins, null included). */
export function layerLimits(fromConfig: QuotaLimits | undefined, stored: QuotaLimits | undefined): QuotaLimits | null {
  if (fromConfig === undefined && stored === undefined) return null;
  const out: QuotaLimits = { ...(fromConfig ?? {}) };
  for (const field of QUOTA_FIELD_KEYS) {
    const value = stored?.[field];
    if (value !== undefined) out[field] = value;
  }
  return out;
}

export function describeSource(source: QuotaSource): string {
  return source.kind === 'user' ? 'your own quota' : source.kind === 'group' ? `group ${source.name}` : 'the default quota';
}
