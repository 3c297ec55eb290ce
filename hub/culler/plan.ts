// Pure: which of these servers to cull now, each with its resolved policy. Shared by the hub's
// own timer (servers from the store) and `sciencehub culler` (servers from the REST API).
import type { CullerConfig } from './config';
import { resolvePolicy } from './policy';
import { decideCull, type CullReason, type CullSubject } from './decide';

export interface CullCandidate extends CullSubject {
  image: string | null;
  /** Catalog id from the server's user options, if any. */
  imageId: string | null;
  /** The owner's groups (empty if unknown). */
  groups: readonly string[];
}

export interface PlannedCull {
  user: string;
  name: string;
  reason: CullReason;
  limitSeconds: number;
  elapsedSeconds: number;
  message: string;
  /** Where the limit came from ('default', 'user:alice', 'image:x', 'group:y'). */
  source: string;
}

export function planCulls(candidates: readonly CullCandidate[], now: number, config: CullerConfig): PlannedCull[] {
  const out: PlannedCull[] = [];
  for (const c of candidates) {
    const policy = resolvePolicy(config, { user: c.user, image: c.image, imageId: c.imageId, groups: c.groups });
    const d = decideCull(c, now, policy);
    if (!d.cull) continue;
    out.push({
      user: c.user, name: c.name, reason: d.reason, limitSeconds: d.limitSeconds, elapsedSeconds: d.elapsedSeconds,
      message: d.message, source: d.reason === 'idle' ? policy.source.timeout : policy.source.maxAge,
    });
  }
  return out;
}

/** Runs `fn` over `items` with at most `limit` at once; never rejects (failures are returned). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<Array<PromiseSettledResult<R>>> {
  const results: Array<PromiseSettledResult<R>> = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await fn(items[i] as T) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
