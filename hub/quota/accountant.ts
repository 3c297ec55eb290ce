// The accountant: on a timer, charges every running server's time into its owner's monthly
// usage, closes the runs of servers that stopped (charged up to their stop event), and stops the
// servers of users whose budget is used up. Safe to run in several hub processes at once: every
// charge is an atomic watermark move (accrual.ts), so no stretch of time counts twice.
import type { Logger } from 'pino';
import { serverKey, usageKey, type HubEvent, type Meter, type Server, type Store, type Usage } from '../store/store';
import type { Clock } from '../clock';
import { isActive } from '../servers/state';
import type { PricingConfig, QuotasConfig, UsageConfig } from './config';
import { accrueRun, emptyUsage, runKey, type RunRef } from './accrual';
import { monthKey, monthRange, monthsBetween } from './month';
import { chargeRate } from './pricing';
import { budgetMessage, budgetStatus } from './budget';
import { QuotaBook } from './quota-book';

/** Events that end a server run; the accountant charges a stopped run up to the first of them. */
export const RUN_END_EVENTS: ReadonlySet<string> = new Set(['stop', 'cull', 'budget-stop', 'server-gone', 'spawn-failed']);

/** How long an ended run waits for its end event before it is closed without one. */
export function missingEventGraceMs(usage: UsageConfig): number {
  return Math.max(30_000, 3 * usage.accrualIntervalSeconds * 1000);
}

/** Servers charged at once: the file store then coalesces their writes, Redis pipelines them. */
const CONCURRENCY = 64;

/** Runs `fn` on every item, at most `limit` at a time; a failure is reported and skips only its item. */
async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>, onError: (err: unknown, item: T) => void): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item).catch((err: unknown) => onError(err, item));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export interface AccountantDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  quotas: QuotasConfig;
  pricing: PricingConfig;
  usage: UsageConfig;
  /** Stops a server of a user whose budget is used up, telling them why (the orchestrator's stop). */
  stopServer(user: string, server: string, reason: string): Promise<void>;
}

export interface TickReport {
  charged: number;
  closed: number;
  stopped: number;
}

/** Servers that hold resources and are charged: ready ones and ones being stopped. */
function isCharged(s: Server): s is Server & { started: string } {
  return (s.state === 'running' || s.state === 'stopping') && s.started !== null;
}

function runOf(meter: Meter): RunRef {
  return { user: meter.user, server: meter.server, started: meter.started, rate: { memGb: meter.memGb, cpu: meter.cpu, priceClass: meter.priceClass } };
}

export class Accountant {
  private timer: NodeJS.Timeout | null = null;
  /** Ended runs without an end event yet, and when this process first saw them so. */
  private readonly awaitingEvent = new Map<string, number>();
  private running: Promise<unknown> | null = null;
  readonly book: QuotaBook;

  constructor(private readonly deps: AccountantDeps) {
    this.book = new QuotaBook(deps.store, deps.quotas);
  }

  /** Runs tick() every accrualIntervalSeconds until stop(). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick()
        .catch((err: unknown) => this.deps.logger.warn({ err }, 'usage accrual failed; retrying on the next tick'))
        .finally(() => { this.running = null; });
    }, this.deps.usage.accrualIntervalSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass: charge running servers, close stopped runs, enforce budgets. */
  async tick(): Promise<TickReport> {
    const { store } = this.deps;
    // `now` is read before the servers: a server listed as running was running at `now`.
    const now = this.deps.clock.now();
    const [servers, meters] = await Promise.all([store.servers.list(), store.meters.list()]);
    const report: TickReport = { charged: 0, closed: 0, stopped: 0 };
    const live = new Map<string, Server & { started: string }>();
    for (const s of servers) if (isCharged(s)) live.set(serverKey(s.user, s.name), s);

    const ended = meters.filter((m) => live.get(serverKey(m.user, m.server))?.started !== m.started);
    // One read of the event log for all runs that ended (it is capped, newest first).
    const events = ended.length > 0 ? await store.events.list() : [];
    await forEachLimit(ended, CONCURRENCY, async (meter) => {
      if (await this.closeRun(meter, live.get(serverKey(meter.user, meter.server))?.started ?? null, now, events)) report.closed++;
    }, (err, m) => this.deps.logger.warn({ err, user: m.user, server: m.server }, 'could not close a server run; retrying next tick'));
    const known = new Map(meters.map((m) => [serverKey(m.user, m.server), m]));
    await forEachLimit([...live], CONCURRENCY, async ([key, server]) => {
      const listed = known.get(key);
      const meter = listed?.started === server.started ? listed : await this.meterFor(key, server);
      await this.accrue(runOf(meter), now);
      report.charged++;
    }, (err, [, s]) => this.deps.logger.warn({ err, user: s.user, server: s.name }, 'could not charge a server; retrying next tick'));
    report.stopped = await this.enforceBudgets(servers, now);
    if (report.closed > 0 || report.stopped > 0) this.deps.logger.info(report, 'usage accrued');
    return report;
  }

  /** The meter of a running server's current run, created at its first sight. */
  private async meterFor(key: string, server: Server & { started: string }): Promise<Meter> {
    const { store, quotas, pricing } = this.deps;
    const rate = chargeRate(server.resources, server.image, quotas, pricing);
    const fresh: Meter = { user: server.user, server: server.name, started: server.started, ...rate };
    if (await store.meters.create(key, fresh)) return fresh;
    const current = await store.meters.get(key);
    // Another process created it, or an older run's meter is still there (closed next tick).
    return current && current.started === server.started ? current : fresh;
  }

  /**
   * Charges a run that ended up to its end event, then forgets it. The orchestrator marks a
   * server stopped just before it records the event, so a run without one is given a grace
   * period before it is closed as far as it was charged (a hub that died mid-stop records none).
   * A run followed by a newer one ended before that one started: its event is there already.
   */
  private async closeRun(meter: Meter, nextStarted: string | null, now: number, events: readonly HubEvent[]): Promise<boolean> {
    const end = this.runEnd(meter, nextStarted, now, events);
    const id = JSON.stringify([meter.user, meter.server, meter.started]);
    if (end === null && nextStarted === null) {
      const since = this.awaitingEvent.get(id) ?? now;
      this.awaitingEvent.set(id, since);
      if (now - since < missingEventGraceMs(this.deps.usage)) return false;
    }
    this.awaitingEvent.delete(id);
    if (end !== null) await this.accrue(runOf(meter), end);
    else this.deps.logger.warn({ user: meter.user, server: meter.server }, 'no stop event for a finished server run; charged up to its last accrual');
    const key = serverKey(meter.user, meter.server);
    // Only forget it if it still describes this run (another process may have moved on).
    const current = await this.deps.store.meters.get(key);
    if (current?.started === meter.started) await this.deps.store.meters.delete(key);
    return true;
  }

  /** When the run ended: its first end event after it started (and before the next run), if any. */
  private runEnd(meter: Meter, nextStarted: string | null, now: number, events: readonly HubEvent[]): number | null {
    const start = Date.parse(meter.started);
    const bound = nextStarted === null ? now : Math.min(now, Date.parse(nextStarted));
    let end: number | null = null;
    for (const e of events) {
      if (e.user !== meter.user || e.server !== meter.server || !RUN_END_EVENTS.has(e.kind)) continue;
      const t = Date.parse(e.time);
      if (t >= start && t <= bound && (end === null || t < end)) end = t;
    }
    return end;
  }

  /**
   * Charges the run up to `until`, month by month. Months are charged in order, so the latest
   * month that knows the run is where charging resumes; earlier ones are complete.
   */
  async accrue(run: RunRef, until: number): Promise<void> {
    const tz = this.deps.usage.timeZone;
    const months = monthsBetween(Date.parse(run.started), Math.max(until, Date.parse(run.started)), tz);
    let first = 0;
    for (let i = months.length - 1; i > 0; i--) {
      const doc = await this.deps.store.usage.get(usageKey(run.user, months[i]!));
      if (doc?.runs[runKey(run.server, run.started)]) {
        first = i;
        break;
      }
    }
    for (const month of months.slice(first)) {
      const range = monthRange(month, tz);
      await this.updateUsage(run.user, month, (doc) => accrueRun(doc, run, range, until, this.deps.pricing, new Date(this.deps.clock.now()).toISOString()));
    }
  }

  /** Atomic change of a month document, created empty first when the change adds anything. */
  private async updateUsage(user: string, month: string, change: (doc: Usage) => Usage | undefined): Promise<void> {
    const { store, clock } = this.deps;
    const key = usageKey(user, month);
    if ((await store.usage.update(key, change)) !== undefined) return;
    const empty = emptyUsage(user, month, new Date(clock.now()).toISOString());
    if (change(empty) === undefined) return;
    await store.usage.create(key, empty);
    await store.usage.update(key, change);
  }

  /** Stops the active servers of every user whose budget this month is used up. */
  private async enforceBudgets(servers: readonly Server[], now: number): Promise<number> {
    const byUser = new Map<string, Server[]>();
    for (const s of servers) if (s.state === 'running' || s.state === 'pending') byUser.set(s.user, [...(byUser.get(s.user) ?? []), s]);
    if (byUser.size === 0) return 0;
    const { store, usage, pricing } = this.deps;
    const snapshot = await this.book.snapshot();
    const month = monthKey(now, usage.timeZone);
    let stopped = 0;
    await forEachLimit([...byUser], CONCURRENCY, async ([name, active]) => {
      const user = await store.users.get(name);
      if (!user) return;
      const quota = snapshot.effective(user);
      const doc = await store.usage.get(usageKey(name, month));
      const status = budgetStatus(quota.limits, doc ?? { gbHours: 0, cpuHours: 0, cost: 0 }, usage.warnAt);
      if (status.level !== 'exceeded') return;
      const reason = budgetMessage(status, month, pricing.currency) ?? 'Your monthly budget is used up.';
      for (const s of active) {
        const current = await store.servers.get(serverKey(s.user, s.name));
        if (!current || !isActive(current.state) || current.state === 'stopping') continue;
        this.deps.logger.info({ user: s.user, server: s.name }, 'stopping a server: budget used up');
        await this.deps.stopServer(s.user, s.name, reason).catch((err: unknown) => this.deps.logger.warn({ err, user: s.user, server: s.name }, 'could not stop an over-budget server'));
        stopped++;
      }
    }, (err, [name]) => this.deps.logger.warn({ err, user: name }, 'could not check a budget; retrying next tick'));
    return stopped;
  }
}
