// Start slots, first come first served: at most `limit` starts create their objects at once; the
// rest wait in line, and each waiting start can tell its user how many are ahead of it.
import type { Clock } from '../types';

export class StartTicket {
  granted = false;
  private released = false;
  private grant!: () => void;
  /** Resolves once the ticket holds a slot. */
  readonly whenGranted = new Promise<void>((resolve) => { this.grant = resolve; });

  constructor(private readonly queue: StartQueue) {}

  /** Starts waiting in line before this one (0 once granted). */
  ahead(): number {
    return this.granted ? 0 : this.queue.positionOf(this);
  }

  /** Waits until granted or `ms` passed, whichever is first; rejects when `signal` aborts. */
  async waitTurn(ms: number, clock: Clock, signal: AbortSignal): Promise<void> {
    if (this.granted) return;
    const timer = new AbortController();
    const sleep = clock.sleep(ms, AbortSignal.any([signal, timer.signal])).catch((err: unknown) => {
      if (signal.aborted) throw err;
    });
    try {
      await Promise.race([this.whenGranted, sleep]);
      signal.throwIfAborted();
    } finally {
      timer.abort();
    }
  }

  /** Gives the slot back, or leaves the line; safe to call more than once. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.queue.leave(this);
  }

  /** Called by the queue. */
  admit(): void {
    this.granted = true;
    this.grant();
  }
}

export class StartQueue {
  private holding = 0;
  private readonly line: StartTicket[] = [];

  constructor(private readonly limit: number) {}

  /** Starts holding a slot now. */
  get active(): number {
    return this.holding;
  }

  /** Starts waiting in line now. */
  get waiting(): number {
    return this.line.length;
  }

  enter(): StartTicket {
    const ticket = new StartTicket(this);
    if (this.holding < this.limit && this.line.length === 0) {
      this.holding++;
      ticket.admit();
    } else {
      this.line.push(ticket);
    }
    return ticket;
  }

  positionOf(ticket: StartTicket): number {
    const i = this.line.indexOf(ticket);
    return i < 0 ? 0 : i;
  }

  leave(ticket: StartTicket): void {
    if (!ticket.granted) {
      const i = this.line.indexOf(ticket);
      if (i >= 0) this.line.splice(i, 1);
      return;
    }
    const next = this.line.shift();
    if (next) next.admit();
    else this.holding--;
  }
}
