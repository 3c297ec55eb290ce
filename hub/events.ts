// Records hub events (spawn, stop, failures, refusals) in the store's event log.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Store } from './store/store';
import type { Clock } from './clock';

export type EventRecorder = (kind: string, user: string | null, server: string | null, message: string, data?: Record<string, unknown>) => Promise<void>;

export function eventRecorder(store: Store, clock: Clock, logger: Logger): EventRecorder {
  return async (kind, user, server, message, data = {}) => {
    try {
      await store.events.append({
        id: randomBytes(8).toString('hex'), time: new Date(clock.now()).toISOString(),
        kind, user, server, message, data,
      });
    } catch (err) {
      logger.warn({ err, kind }, 'could not record event');
    }
  };
}
