// Reads and writes quotas: config (`quotas.groups`, `quotas.users`) layered under what the API and
// admin page stored, and the effective quota of a user from them (rules in resolve.ts).
import { quotaKey, type QuotaEntry, type QuotaLimits, type Store, type User } from '../store/store';
import type { QuotasConfig } from './config';
import { layerLimits, resolveQuota, type EffectiveQuota, type QuotaInputs } from './resolve';

export type QuotaSubject = 'user' | 'group';

export interface SubjectQuota {
  /** Config and stored fields merged (stored wins per field); {} when none is set. */
  limits: QuotaLimits;
  /** Only what the API / admin page stored. */
  stored: QuotaLimits;
  /** Only what the config file sets. */
  configured: QuotaLimits;
  updated: string | null;
  updatedBy: string | null;
}

/** All stored quotas read once, to resolve many users (admin views, the accountant's tick). */
export interface QuotaSnapshot {
  effective(user: Pick<User, 'name' | 'groups'>): EffectiveQuota;
}

export class QuotaBook {
  constructor(
    private readonly store: Store,
    private readonly config: QuotasConfig,
  ) {}

  configured(subject: QuotaSubject, name: string): QuotaLimits | undefined {
    const table = subject === 'user' ? this.config.users : this.config.groups;
    return Object.hasOwn(table, name) ? table[name] : undefined;
  }

  async subject(subject: QuotaSubject, name: string): Promise<SubjectQuota> {
    const entry = await this.store.quotas.get(quotaKey(subject, name));
    const configured = this.configured(subject, name) ?? {};
    return {
      limits: layerLimits(configured, entry?.limits) ?? {},
      stored: entry?.limits ?? {},
      configured,
      updated: entry?.updated ?? null,
      updatedBy: entry?.updatedBy ?? null,
    };
  }

  /** Replaces the stored quota of a user or group ({} clears it). */
  async set(subject: QuotaSubject, name: string, limits: QuotaLimits, by: string, nowIso: string): Promise<void> {
    const entry: QuotaEntry = { subject, name, limits, updated: nowIso, updatedBy: by };
    await this.store.quotas.put(quotaKey(subject, name), entry);
  }

  async effective(user: Pick<User, 'name' | 'groups'>): Promise<EffectiveQuota> {
    return resolveQuota(await this.inputs(user));
  }

  /** What resolves the user's quota: defaults, their own layered override, their groups'. */
  async inputs(user: Pick<User, 'name' | 'groups'>): Promise<QuotaInputs> {
    const [own, ...groups] = await Promise.all([
      this.store.quotas.get(quotaKey('user', user.name)),
      ...user.groups.map((g) => this.store.quotas.get(quotaKey('group', g))),
    ]);
    return this.inputsFrom(user, (subject, name) => (subject === 'user' ? own : groups[user.groups.indexOf(name)]));
  }

  async snapshot(): Promise<QuotaSnapshot> {
    const entries = new Map<string, QuotaEntry>();
    for (const e of await this.store.quotas.list()) entries.set(quotaKey(e.subject, e.name), e);
    return {
      effective: (user) => resolveQuota(this.inputsFrom(user, (subject, name) => entries.get(quotaKey(subject, name)))),
    };
  }

  private inputsFrom(user: Pick<User, 'name' | 'groups'>, storedOf: (subject: QuotaSubject, name: string) => QuotaEntry | undefined): QuotaInputs {
    const groups: Array<{ name: string; limits: QuotaLimits }> = [];
    for (const g of new Set(user.groups)) {
      const limits = layerLimits(this.configured('group', g), storedOf('group', g)?.limits);
      if (limits !== null) groups.push({ name: g, limits });
    }
    return {
      defaults: this.config.defaults,
      user: layerLimits(this.configured('user', user.name), storedOf('user', user.name)?.limits),
      groups,
    };
  }
}
