// SAML state in the hub's store, so every hub process sees it: node-saml's request-id cache
// (InResponseTo validation), the ids of assertions already used (no replay), and the `next`
// URL behind each RelayState handle. Every entry has a TTL.
import { randomBytes } from 'node:crypto';
import type { CacheItem, CacheProvider } from '@node-saml/node-saml';
import type { Collection, SamlState } from '../../store/store';

export interface SamlStateOptions {
  /** How long a sign-in request may wait for its response. */
  requestTtlSeconds: number;
  now?: () => number;
}

/** Longest an assertion id is remembered (assertions valid for longer are rare and suspect). */
const MAX_ASSERTION_TTL_SECONDS = 24 * 3600;

export class SamlStateStore implements CacheProvider {
  private readonly now: () => number;

  constructor(private readonly entries: Collection<SamlState>, private readonly options: SamlStateOptions) {
    this.now = options.now ?? Date.now;
  }

  // --- node-saml's CacheProvider: request ids -> IssueInstant ---

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    const entry: SamlState = { kind: 'request', value, createdAt: this.now() };
    const created = await this.entries.create(`request:${key}`, entry, { ttlSeconds: this.options.requestTtlSeconds });
    return created ? { value, createdAt: entry.createdAt } : null;
  }

  async getAsync(key: string): Promise<string | null> {
    if (!key) return null;
    return (await this.entries.get(`request:${key}`))?.value ?? null;
  }

  async removeAsync(key: string | null): Promise<string | null> {
    if (!key) return null;
    return (await this.entries.delete(`request:${key}`)) ? key : null;
  }

  // --- replay protection ---

  /**
   * Records an assertion id as used until `validUntilMs` (plus `skewMs`); false if it was used
   * before. Atomic across hub processes (create-if-absent).
   */
  async useAssertion(id: string, validUntilMs: number | null, skewMs: number): Promise<boolean> {
    const left = validUntilMs === null ? MAX_ASSERTION_TTL_SECONDS : Math.ceil((validUntilMs + skewMs - this.now()) / 1000);
    const ttlSeconds = Math.min(MAX_ASSERTION_TTL_SECONDS, Math.max(60, left));
    return this.entries.create(`assertion:${id}`, { kind: 'assertion', value: id, createdAt: this.now() }, { ttlSeconds });
  }

  // --- RelayState handles: short opaque tokens for where to go after sign-in ---

  async saveRelay(next: string): Promise<string> {
    const handle = randomBytes(16).toString('base64url');
    await this.entries.put(`relay:${handle}`, { kind: 'relay', value: next, createdAt: this.now() }, { ttlSeconds: this.options.requestTtlSeconds });
    return handle;
  }

  /** The `next` behind a handle, once; null for unknown, used or expired handles. */
  async takeRelay(handle: unknown): Promise<string | null> {
    if (typeof handle !== 'string' || !/^[A-Za-z0-9_-]{10,64}$/.test(handle)) return null;
    return (await this.entries.take(`relay:${handle}`))?.value ?? null;
  }
}
