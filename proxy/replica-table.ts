// A replica's local copy of a shared route table, kept in order by sequence numbers: each change
// carries the number the shared store gave it, and a change older than what the copy already
// holds for that path (or older than the last full load) is ignored. So own writes can be applied
// at once and late or duplicated change messages can never undo a newer state. Pure, no I/O.

import { canonicalRoutePath, MemoryRouteStore } from './memory-route-store';
import type { RouteData } from './route-store';

export type SequencedChange = { op: 'set'; path: string; data: RouteData } | { op: 'delete'; path: string };

export class ReplicaTable {
  readonly local = new MemoryRouteStore();
  /** Sequence number of the last full load: anything at or below it is already in the copy. */
  private floor = 0;
  /** Newest sequence number applied per path since the last full load (deletes included). */
  private readonly seqs = new Map<string, number>();
  /** The newest sequence number this copy has seen at all. */
  private highest = 0;

  get loadedSeq(): number {
    return this.floor;
  }

  /** The newest change this copy knows of: a shared store whose counter is lower lost data. */
  get knownSeq(): number {
    return this.highest;
  }

  /** Apply one change; false when it is not newer than what the copy holds. */
  apply(seq: number, change: SequencedChange): boolean {
    const path = canonicalRoutePath(change.path);
    if (seq <= this.floor || seq <= (this.seqs.get(path) ?? 0)) return false;
    this.seqs.set(path, seq);
    if (seq > this.highest) this.highest = seq;
    if (change.op === 'set') this.local.set(path, change.data);
    else this.local.delete(path);
    return true;
  }

  /**
   * Replace the copy with a full snapshot taken at `seq`, keeping paths changed after it (their
   * change arrived while the snapshot was on its way).
   */
  load(seq: number, routes: Record<string, RouteData>): void {
    if (seq < this.floor) return;
    const next: Record<string, RouteData> = {};
    for (const [path, data] of Object.entries(routes)) {
      const key = canonicalRoutePath(path);
      if ((this.seqs.get(key) ?? 0) <= seq) next[key] = data;
    }
    const current = this.local.snapshot();
    for (const [path, changedAt] of this.seqs) {
      if (changedAt <= seq) continue;
      const data = current[path];
      if (data === undefined) delete next[path];
      else next[path] = data;
    }
    this.floor = seq;
    if (seq > this.highest) this.highest = seq;
    for (const [path, changedAt] of this.seqs) if (changedAt <= seq) this.seqs.delete(path);
    this.local.reset(next);
  }

  /** Start over from a snapshot whose counter went backwards (the shared store lost its data). */
  restart(seq: number, routes: Record<string, RouteData>): void {
    this.seqs.clear();
    this.floor = seq;
    this.highest = seq;
    this.local.reset(routes);
  }
}
