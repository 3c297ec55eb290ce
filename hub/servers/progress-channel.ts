// Spawn progress for one server: a replayable list of events plus live listeners, so a page
// that opens late still sees the whole story (and the SSE endpoint can end when it is over).
export interface HubProgressEvent {
  progress: number;
  message: string;
  ready?: boolean;
  failed?: boolean;
  url?: string;
}

export class ProgressChannel {
  private readonly events: HubProgressEvent[] = [];
  private readonly listeners = new Set<(e: HubProgressEvent) => void>();
  private last = 0;
  done = false;

  publish(event: HubProgressEvent): void {
    if (this.done) return;
    // Never let the bar go backwards.
    const raw = Number.isFinite(event.progress) ? event.progress : this.last;
    const progress = Math.max(this.last, Math.min(100, Math.round(raw)));
    this.last = progress;
    const e = { ...event, progress };
    this.events.push(e);
    if (e.ready || e.failed) this.done = true;
    for (const l of this.listeners) l(e);
  }

  /** Replays past events, then delivers live ones; returns an unsubscribe function. */
  subscribe(listener: (e: HubProgressEvent) => void): () => void {
    for (const e of this.events) listener(e);
    if (this.done) return () => undefined;
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
