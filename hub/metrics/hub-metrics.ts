// The hub's Prometheus metrics, in a registry of its own (never prom-client's global one: tests
// run several hubs in one process). A no-op variant stands in when metrics are disabled, so no
// caller branches on "metrics on?".
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../store/store';
import type { EventRecorder } from '../events';
import { CULL_REASONS } from '../culler/decide';
import { metricOfEvent, reasonLabel, type SpawnOutcome } from './event-metrics';
import { processRegistry } from './process-metrics';
import { monthKey } from '../quota/month';

export interface HubMetrics {
  readonly enabled: boolean;
  /** Counts what an event means (spawn durations, culls, refusals); see event-metrics.ts. */
  observeEvent(kind: string, data: Readonly<Record<string, unknown>>): void;
  /** For refusals that are not recorded as 'refusal' events. */
  countRefusal(reason: string): void;
  /** Express middleware timing API requests by method, route pattern and status. */
  apiTimer(): RequestHandler;
  /** The text exposition of this hub's metrics and the process metrics. */
  exposition(): Promise<{ contentType: string; body: string }>;
}

const SPAWN_OUTCOMES: readonly SpawnOutcome[] = ['success', 'failure', 'timeout', 'cancelled'];
const SPAWN_BUCKETS = [0.5, 1, 2.5, 5, 10, 15, 30, 60, 120, 180, 300, 600];
const API_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface UsageMetricsOptions {
  /** pricing.currency and usage.timeZone: the month is the current one in that zone. */
  currency: string;
  timeZone: string;
  now: () => number;
}

export function createHubMetrics(store: Store, usage?: UsageMetricsOptions): HubMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (usage) usageGauges(store, usage, registers);
  const countServers = async (state: string) => (await store.servers.list()).filter((s) => s.state === state).length;
  new Gauge({
    name: 'sciencehub_running_servers', help: 'Servers running now (from the store, shared by every hub process on it).', registers,
    async collect() { this.set(await countServers('running')); },
  });
  new Gauge({
    name: 'sciencehub_pending_servers', help: 'Servers being started now (from the store).', registers,
    async collect() { this.set(await countServers('pending')); },
  });
  const spawnDuration = new Histogram({
    name: 'sciencehub_server_spawn_duration_seconds', help: 'Time from a spawn request to a ready server (or its failure), by outcome.',
    labelNames: ['outcome'], buckets: SPAWN_BUCKETS, registers,
  });
  for (const outcome of SPAWN_OUTCOMES) spawnDuration.zero({ outcome });
  const refusals = new Counter({
    name: 'sciencehub_spawn_refusals_total', help: 'Spawns refused before anything started, by reason (quota, budget, ...).',
    labelNames: ['reason'], registers,
  });
  const culls = new Counter({ name: 'sciencehub_culls_total', help: 'Servers stopped by the culler, by reason.', labelNames: ['reason'], registers });
  for (const reason of CULL_REASONS) culls.inc({ reason }, 0);
  const apiDuration = new Histogram({
    name: 'sciencehub_api_request_duration_seconds', help: 'REST API request durations, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'], buckets: API_BUCKETS, registers,
  });

  return {
    enabled: true,
    observeEvent(kind, data) {
      const m = metricOfEvent(kind, data);
      if (m === null) return;
      if (m.metric === 'spawn') {
        if (m.seconds !== null) spawnDuration.observe({ outcome: m.outcome }, m.seconds);
      } else if (m.metric === 'cull') {
        culls.inc({ reason: m.reason });
      } else {
        refusals.inc({ reason: m.reason });
      }
    },
    countRefusal(reason) {
      refusals.inc({ reason: reasonLabel(reason) });
    },
    apiTimer() {
      return (req, res, next) => {
        const base = req.baseUrl;
        const started = process.hrtime.bigint();
        res.once('finish', () => {
          const route = req.route?.path;
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          apiDuration.observe({ method: req.method, route: typeof route === 'string' ? `${base}${route}` : 'unmatched', status: String(res.statusCode) }, seconds);
        });
        next();
      };
    },
    async exposition() {
      const merged = Registry.merge([registry, processRegistry()]);
      return { contentType: registry.contentType, body: await merged.metrics() };
    },
  };
}

/**
 * This month's usage summed over users (store.usage, kept by hub/quota's accountant), one read
 * of the collection per scrape. Shared by every hub process on the store, like the server gauges.
 */
function usageGauges(store: Store, o: UsageMetricsOptions, registers: Registry[]): void {
  let last: { at: number; totals: Promise<{ month: string; gbHours: number; cpuHours: number; cost: number }> } | null = null;
  const totals = () => {
    const now = o.now();
    if (last && now - last.at < 1000) return last.totals;
    const month = monthKey(now, o.timeZone);
    const run = (async () => {
      const docs = (await store.usage.list()).filter((u) => u.month === month);
      const sum = (f: (u: (typeof docs)[number]) => number) => docs.reduce((acc, u) => acc + f(u), 0);
      return { month, gbHours: sum((u) => u.gbHours), cpuHours: sum((u) => u.cpuHours), cost: sum((u) => u.cost) };
    })();
    last = { at: now, totals: run };
    return run;
  };
  const gauge = (name: string, help: string, field: 'gbHours' | 'cpuHours' | 'cost', extra: Record<string, string> = {}) => new Gauge({
    name, help, labelNames: ['month', ...Object.keys(extra)], registers,
    async collect() {
      const t = await totals();
      this.reset();
      this.set({ month: t.month, ...extra }, Math.round(t[field] * 1e6) / 1e6);
    },
  });
  gauge('sciencehub_usage_gb_hours', 'Memory used this month by all users, in GB-hours (from the usage accounting).', 'gbHours');
  gauge('sciencehub_usage_cpu_hours', 'CPU used this month by all users, in CPU-hours.', 'cpuHours');
  gauge('sciencehub_usage_cost', 'Money spent this month by all users, in pricing.currency.', 'cost', { currency: o.currency });
}

export const noopMetrics: HubMetrics = {
  enabled: false,
  observeEvent() {},
  countRefusal() {},
  apiTimer: () => (_req, _res, next) => next(),
  exposition: async () => ({ contentType: 'text/plain', body: '' }),
};

/** An event recorder that also feeds the metrics. */
export function recordingMetrics(record: EventRecorder, metrics: HubMetrics): EventRecorder {
  return async (kind, user, server, message, data) => {
    metrics.observeEvent(kind, data ?? {});
    await record(kind, user, server, message, data);
  };
}
