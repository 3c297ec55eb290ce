// Messages between the primary proxy process (API, route store) and its cluster workers (public
// port). Type-only module. The primary owns the table; workers hold a copy and report activity.
//
//   primary → worker: init (options + whole table), changes (batched, numbered), health, activity-request, shutdown
//   worker → primary: listening (port), applied (a changes batch is in its table), activity (entries
//   recorded since the last request), failed

import type { ProxyOptions } from './options';
import type { RouteChange, RouteData } from './route-store';

/** What a worker needs of the options: everything but the API token. */
export type WorkerOptions = Omit<ProxyOptions, 'authToken'>;

export type ToWorker =
  | { t: 'init'; options: WorkerOptions; routes: Record<string, RouteData>; health: Record<string, unknown> }
  | { t: 'changes'; id: number; changes: RouteChange[] }
  | { t: 'health'; health: Record<string, unknown> }
  | { t: 'activity-request'; id: number }
  | { t: 'shutdown' };

export type FromWorker =
  | { t: 'listening'; port: number }
  | { t: 'applied'; id: number }
  | { t: 'activity'; id: number; entries: Array<[string, number]> }
  | { t: 'failed'; message: string };

export function isFromWorker(value: unknown): value is FromWorker {
  return typeof value === 'object' && value !== null && typeof (value as { t?: unknown }).t === 'string';
}

export function isToWorker(value: unknown): value is ToWorker {
  return typeof value === 'object' && value !== null && typeof (value as { t?: unknown }).t === 'string';
}
