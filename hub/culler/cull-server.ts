// Carries out one cull inside the hub, for the hub's own timer and for `POST .../cull` alike:
// re-checks on fresh store data that the cull is still due, claims the server atomically
// (running → stopping, so two hub processes or cullers never both stop it), then stops it
// through the orchestrator with a 'cull' event that carries the reason.
import type { Logger } from 'pino';
import { serverKey, type Server, type Store } from '../store/store';
import type { Clock } from '../clock';
import type { Orchestrator } from '../servers/orchestrator';
import { cullMessage, elapsedSeconds, isDue, type CullReason } from './decide';

export interface CullServerDeps {
  store: Store;
  orchestrator: Pick<Orchestrator, 'stop'>;
  clock: Clock;
  logger: Logger;
}

export interface CullRequest {
  user: string;
  server: string;
  reason: CullReason;
  limitSeconds: number;
  /** Who asked: 'hub' (the timer) or the API caller's name; recorded with the event. */
  by: string;
}

export type CullOutcome =
  | { culled: true; message: string }
  | { culled: false; why: 'gone' | 'not-running' | 'not-due' };

export async function cullServer(deps: CullServerDeps, req: CullRequest): Promise<CullOutcome> {
  const key = serverKey(req.user, req.server);
  const now = deps.clock.now();
  // update() may run the function more than once under contention: the last run decides.
  const seen: { verdict: 'claimed' | 'not-running' | 'not-due'; server: Server | null } = { verdict: 'not-running', server: null };
  const after = await deps.store.servers.update(key, (cur) => {
    seen.server = null;
    if (cur.state !== 'running') { seen.verdict = 'not-running'; return undefined; }
    if (!isDue(cur, req.reason, req.limitSeconds, now)) { seen.verdict = 'not-due'; return undefined; }
    seen.verdict = 'claimed';
    seen.server = cur;
    return { ...cur, state: 'stopping' };
  });
  if (after === undefined) return { culled: false, why: 'gone' };
  const claimed = seen.server;
  if (seen.verdict !== 'claimed' || claimed === null) return { culled: false, why: seen.verdict === 'not-due' ? 'not-due' : 'not-running' };
  const elapsed = elapsedSeconds(claimed, req.reason, now) ?? req.limitSeconds;
  const message = cullMessage(req.reason, elapsed, req.limitSeconds);
  deps.logger.info({ user: req.user, server: req.server, reason: req.reason, elapsedSeconds: elapsed, limitSeconds: req.limitSeconds, by: req.by }, 'culling server');
  await deps.orchestrator.stop(req.user, req.server, {
    reason: message, event: 'cull',
    data: { reason: req.reason, elapsedSeconds: elapsed, limitSeconds: req.limitSeconds, by: req.by },
  });
  return { culled: true, message };
}
