// A clock for unit tests: sleep() advances virtual time at once, so escalation tests never wait.
import type { Clock } from '../../../spawner/types';

export class ManualClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private time = 0) {}
  now(): number {
    return this.time;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.sleeps.push(ms);
    this.time += ms;
  }
}
