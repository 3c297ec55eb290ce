// The server state machine: which transitions are allowed, as a pure table.
import type { ServerStateName } from '../store/store';

const ALLOWED: Record<ServerStateName, readonly ServerStateName[]> = {
  stopped: ['pending'],
  failed: ['pending', 'stopped'],
  pending: ['running', 'failed', 'stopping'],
  running: ['stopping', 'stopped', 'failed'],
  stopping: ['stopped', 'failed'],
};

export function canTransition(from: ServerStateName, to: ServerStateName): boolean {
  return ALLOWED[from].includes(to);
}

/** Active servers hold resources and count against limits. */
export function isActive(state: ServerStateName): boolean {
  return state === 'pending' || state === 'running' || state === 'stopping';
}
