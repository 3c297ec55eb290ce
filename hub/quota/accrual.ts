// Accrual arithmetic: charging one server run for its time within one month. The run's
// watermark (`accruedTo`) lives in the same month document as the totals, so one atomic update
// both adds the amount and moves the watermark: retried or repeated by several hub processes,
// a stretch of time is charged exactly once. Pure.
import type { Usage } from '../store/store';
import type { PricingConfig } from './config';
import type { MonthRange } from './month';
import { chargeFor, type ChargeRate } from './pricing';

export interface RunRef {
  user: string;
  server: string;
  /** The server's `started` (ISO): names the run. */
  started: string;
  rate: ChargeRate;
}

/** Key of a run inside a month document. */
export function runKey(server: string, started: string): string {
  return JSON.stringify([server, started]);
}

export function emptyUsage(user: string, month: string, nowIso: string): Usage {
  return { user, month, gbHours: 0, cpuHours: 0, cost: 0, updated: nowIso, runs: {} };
}

/** How far the run is charged within this month (epoch ms); its start (or the month's) if not yet. */
export function watermark(doc: Usage | undefined, run: Pick<RunRef, 'server' | 'started'>, range: MonthRange): number {
  const entry = doc?.runs[runKey(run.server, run.started)];
  return entry ? Date.parse(entry.accruedTo) : Math.max(Date.parse(run.started), range.start);
}

/**
 * The month document with the run charged from its watermark up to `until` (capped at the
 * month's end), or undefined when there is nothing to add. The rate is fixed by the run's
 * first entry in the month.
 */
export function accrueRun(doc: Usage, run: RunRef, range: MonthRange, until: number, pricing: PricingConfig, nowIso: string): Usage | undefined {
  const key = runKey(run.server, run.started);
  const entry = doc.runs[key];
  const from = watermark(doc, run, range);
  const to = Math.min(until, range.end);
  if (to <= from) return undefined;
  const rate: ChargeRate = entry ? { memGb: entry.memGb, cpu: entry.cpu, priceClass: entry.priceClass } : run.rate;
  const amount = chargeFor(rate, to - from, pricing);
  return {
    ...doc,
    gbHours: doc.gbHours + amount.gbHours,
    cpuHours: doc.cpuHours + amount.cpuHours,
    cost: doc.cost + amount.cost,
    updated: nowIso,
    runs: {
      ...doc.runs,
      [key]: { server: run.server, started: run.started, accruedTo: new Date(to).toISOString(), ...rate },
    },
  };
}
