// Start slots, first come first served: at most `limit` starts run their costly part at once (the
// Kubernetes spawner: creating objects; the local spawner: a process starting up); the rest wait in
// line, and each waiting start can tell its user how many are ahead of it.
import type { Clock } from './types';

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

/** What a waiting user reads on the progress bar. */
export function waitingInLineMessage(ahead: number): string {
  return `Waiting in line to start: ${ahead === 0 ? 'you are next' : `${ahead} ${ahead === 1 ? 'server' : 'servers'} ahead of yours`}`;
}

/**
 * Waits until `ticket` holds a slot, yielding the progress message each time its place in line
 * changes (nothing when a slot is free at once). Rejects when `signal` aborts.
 */
export async function* waitInLine(ticket: StartTicket, tickMs: number, clock: Clock, signal: AbortSignal): AsyncGenerator<string, void, void> {
  let shown = -1;
  while (!ticket.granted) {
    const ahead = ticket.ahead();
    if (ahead !== shown) yield waitingInLineMessage(ahead);
    shown = ahead;
    await ticket.waitTurn(tickMs, clock, signal);
  }
  signal.throwIfAborted();
}
