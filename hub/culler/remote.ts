// `sciencehub culler` as its own process: reads the servers through the hub's REST API (the
// calls and scopes of jupyterhub-idle-culler), plans culls with the same pure functions as the
// hub's timer, and asks the hub to cull each one (POST .../cull, scope delete:servers), which
// re-checks on fresh activity and records the event. Never logs the token.
import type { Logger } from 'pino';
import type { CullerConfig } from './config';
import { catalogImageId, usesGroups } from './policy';
import { mapLimit, planCulls, type CullCandidate, type PlannedCull } from './plan';
import type { ServerStateName } from '../store/store';
import { escapePathSegment } from '../servers/names';

/** The scopes the culler's token must hold (any filter counts: a culler may be limited to a group). */
export const REQUIRED_SCOPES = ['list:users', 'read:servers', 'delete:servers'] as const;

/** Scopes from `required` (plus read:users:groups when group overrides are set) that `held` lacks. */
export function missingScopes(held: readonly string[], config: CullerConfig): string[] {
  const bases = new Set(held.map((s) => s.split('!')[0]));
  const needed: string[] = [...REQUIRED_SCOPES];
  if (usesGroups(config)) needed.push('read:users:groups');
  return needed.filter((s) => !bases.has(s));
}

type Json = Record<string, unknown>;

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** The state a JupyterHub server model describes (ready → running; pending spawn/stop). */
export function modelState(server: Json): ServerStateName {
  if (server.pending === 'spawn') return 'pending';
  if (server.pending === 'stop') return 'stopping';
  if (server.ready === true) return 'running';
  return server.stopped === false ? 'pending' : 'stopped';
}

/** Cull candidates from one user model of GET /users (servers it lists; groups if readable). */
export function candidatesFromUser(user: Json): CullCandidate[] {
  const name = str(user.name);
  const servers = user.servers;
  if (name === null || servers === null || typeof servers !== 'object') return [];
  const groups = Array.isArray(user.groups) ? user.groups.filter((g): g is string => typeof g === 'string') : [];
  return Object.entries(servers as Record<string, Json>).map(([serverName, s]) => ({
    user: name, name: serverName, state: modelState(s), image: str(s.image),
    imageId: catalogImageId(s.user_options !== null && typeof s.user_options === 'object' ? (s.user_options as Json) : null),
    started: str(s.started), lastActivity: str(s.last_activity), groups,
  }));
}

export class HubApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'HubApiError';
  }
}

/** A small client for the calls the culler makes. */
export class CullerApi {
  constructor(private readonly baseUrl: string, private readonly token: string, private readonly timeoutMs = 60_000) {}

  private async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json | null }> {
    const url = `${this.baseUrl.replace(/\/$/, '')}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          Authorization: `token ${this.token}`, Accept: 'application/jupyterhub-pagination+json',
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new HubApiError(0, `cannot reach the hub at ${this.baseUrl}: ${(err as Error).message}`);
    }
    const text = await res.text();
    let json: Json | null = null;
    try { json = text ? (JSON.parse(text) as Json) : null; } catch { /* not JSON */ }
    return { status: res.status, json };
  }

  private static message(r: { status: number; json: Json | null }): string {
    return typeof r.json?.message === 'string' ? r.json.message : `HTTP ${r.status}`;
  }

  /** The token's own scopes (GET /user answers any valid token). */
  async scopes(): Promise<string[]> {
    const r = await this.call('GET', '/user');
    if (r.status !== 200) throw new HubApiError(r.status, `the hub refused the token: ${CullerApi.message(r)}`);
    const scopes = r.json?.scopes;
    return Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : [];
  }

  /** Every user with a ready server, page by page (offsets, so the token never leaves this origin). */
  async readyUsers(pageSize: number): Promise<Json[]> {
    const out: Json[] = [];
    let offset = 0;
    for (;;) {
      const r = await this.call('GET', `/users?state=ready&offset=${offset}&limit=${pageSize}`);
      if (r.status !== 200) throw new HubApiError(r.status, `listing users failed: ${CullerApi.message(r)}`);
      const json = r.json as unknown;
      if (Array.isArray(json)) return [...out, ...(json as Json[])];
      const items = Array.isArray(r.json?.items) ? (r.json.items as Json[]) : [];
      out.push(...items);
      const next = (r.json?._pagination as Json | undefined)?.next as Json | null | undefined;
      if (!next || typeof next.offset !== 'number' || next.offset <= offset || items.length === 0) return out;
      offset = next.offset;
    }
  }

  async cull(p: PlannedCull): Promise<{ culled: boolean; status: number; message: string }> {
    const path = p.name === ''
      ? `/users/${escapePathSegment(p.user)}/server/cull`
      : `/users/${escapePathSegment(p.user)}/servers/${escapePathSegment(p.name)}/cull`;
    const r = await this.call('POST', path, { reason: p.reason, limit_seconds: p.limitSeconds });
    if (r.status === 200) return { culled: true, status: 200, message: String(r.json?.message ?? '') };
    if (r.status === 409 || r.status === 404) return { culled: false, status: r.status, message: CullerApi.message(r) };
    throw new HubApiError(r.status, `the hub refused to cull ${p.user}/${p.name}: ${CullerApi.message(r)}`);
  }
}

export interface RemotePassReport {
  checked: number;
  culled: number;
  skipped: number;
  failed: number;
}

export async function runRemotePass(api: CullerApi, config: CullerConfig, now: number, logger: Logger, pageSize = 200): Promise<RemotePassReport> {
  const users = await api.readyUsers(pageSize);
  const candidates = users.flatMap(candidatesFromUser);
  const planned = planCulls(candidates, now, config);
  const results = await mapLimit(planned, config.concurrency, (p) => api.cull(p));
  const report: RemotePassReport = { checked: candidates.length, culled: 0, skipped: 0, failed: 0 };
  results.forEach((r, i) => {
    const p = planned[i] as PlannedCull;
    const who = { user: p.user, server: p.name, reason: p.reason, limitSeconds: p.limitSeconds, source: p.source };
    if (r.status === 'rejected') {
      report.failed++;
      logger.error({ ...who, err: r.reason instanceof Error ? r.reason.message : String(r.reason) }, 'cull failed');
    } else if (r.value.culled) {
      report.culled++;
      logger.info({ ...who, message: r.value.message }, 'culled server');
    } else {
      report.skipped++;
      logger.info({ ...who, status: r.value.status, message: r.value.message }, 'hub did not cull server');
    }
  });
  logger.info(report, 'cull pass');
  return report;
}
