// Hub metrics: what each event counts as, and the text exposition (names, types, labels, histogram
// invariants) parsed strictly; API timing by route pattern through a real express app.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { metricOfEvent, reasonLabel, spawnOutcome } from '../../../hub/metrics/event-metrics';
import { createHubMetrics, noopMetrics, recordingMetrics } from '../../../hub/metrics/hub-metrics';
import type { Server, Store } from '../../../hub/store/store';

export interface Sample { name: string; labels: Record<string, string>; value: number }
export interface Exposition { types: Map<string, string>; help: Map<string, string>; samples: Sample[] }

/** Parses the Prometheus text format (0.0.4) strictly: every line must be HELP, TYPE or a sample. */
function parseExposition(text: string): Exposition {
  const out: Exposition = { types: new Map(), help: new Map(), samples: [] };
  const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  // Values as Go's ParseFloat reads them (Prometheus): numbers, ±Inf, NaN in any case (prom-client writes "Nan").
  const sampleRe = new RegExp(`^(${NAME})(?:\\{(.*)\\})? ([-+]?(?:[0-9.e+-]+|Inf|[Nn][Aa][Nn]))$`);
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line))) { out.help.set(m[1] as string, m[2] as string); continue; }
    if ((m = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line))) { out.types.set(m[1] as string, m[2] as string); continue; }
    m = sampleRe.exec(line);
    if (!m) throw new Error(`not a valid exposition line: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy;
    let lm: RegExpExecArray | null;
    let consumed = 0;
    while ((lm = labelRe.exec(body))) {
      labels[lm[1] as string] = (lm[2] as string).replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      consumed = labelRe.lastIndex;
    }
    if (consumed !== body.length) throw new Error(`bad labels in: ${line}`);
    out.samples.push({ name: m[1] as string, labels, value: /inf$/i.test(m[3] as string) ? (m[3]?.startsWith('-') ? -Infinity : Infinity) : /nan/i.test(m[3] as string) ? NaN : Number(m[3]) });
  }
  return out;
}

function family(e: Exposition, base: string): Sample[] {
  return e.samples.filter((s) => s.name === base || s.name === `${base}_bucket` || s.name === `${base}_sum` || s.name === `${base}_count`);
}

function fakeStore(servers: Array<Pick<Server, 'state'>>): Store {
  return { servers: { list: async () => servers } } as unknown as Store;
}

describe('metricOfEvent', () => {
  it.each<[string, Record<string, unknown>, unknown]>([
    ['spawn', { seconds: 2.5 }, { metric: 'spawn', outcome: 'success', seconds: 2.5 }],
    ['spawn-failed', { reason: 'exited', seconds: 1 }, { metric: 'spawn', outcome: 'failure', seconds: 1 }],
    ['spawn-failed', { reason: 'start-timeout', seconds: 120 }, { metric: 'spawn', outcome: 'timeout', seconds: 120 }],
    ['spawn-failed', { reason: 'http-timeout', seconds: 30 }, { metric: 'spawn', outcome: 'timeout', seconds: 30 }],
    ['spawn-failed', { reason: 'cancelled', seconds: 0.2 }, { metric: 'spawn', outcome: 'cancelled', seconds: 0.2 }],
    ['spawn-failed', { reason: 'cancelled' }, { metric: 'spawn', outcome: 'cancelled', seconds: null }],
    ['spawn', { seconds: -1 }, { metric: 'spawn', outcome: 'success', seconds: null }],
    ['cull', { reason: 'idle' }, { metric: 'cull', reason: 'idle' }],
    ['refusal', { reason: 'budget' }, { metric: 'refusal', reason: 'budget' }],
    ['refusal', {}, { metric: 'refusal', reason: 'other' }],
    ['stop', { reason: 'x' }, null],
    ['login', {}, null],
  ])('%s %j → %j', (kind, data, expected) => {
    expect(metricOfEvent(kind, data)).toEqual(expected);
  });

  it('keeps label values short identifiers', () => {
    expect(reasonLabel('Memory-Limit')).toBe('memory-limit');
    expect(reasonLabel('max-age')).toBe('max-age');
    expect(reasonLabel('a reason with spaces')).toBe('other');
    expect(reasonLabel('x'.repeat(41))).toBe('other');
    expect(reasonLabel(42)).toBe('other');
    expect(spawnOutcome(undefined)).toBe('failure');
  });
});

describe('createHubMetrics', () => {
  it('exposes valid text with the hub metrics, their types, and the process metrics', async () => {
    const m = createHubMetrics(fakeStore([{ state: 'running' }, { state: 'running' }, { state: 'pending' }, { state: 'stopped' }]));
    m.observeEvent('spawn', { seconds: 3 });
    m.observeEvent('spawn', { seconds: 70 });
    m.observeEvent('spawn-failed', { reason: 'start-timeout', seconds: 120 });
    m.observeEvent('cull', { reason: 'idle' });
    m.observeEvent('cull', { reason: 'max-age' });
    m.observeEvent('cull', { reason: 'idle' });
    m.observeEvent('refusal', { reason: 'budget' });
    m.countRefusal('servers-per-user');
    m.countRefusal('not a label!');
    const { contentType, body } = await m.exposition();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8$/);
    const e = parseExposition(body);

    expect(e.types.get('sciencehub_running_servers')).toBe('gauge');
    expect(family(e, 'sciencehub_running_servers')).toEqual([{ name: 'sciencehub_running_servers', labels: {}, value: 2 }]);
    expect(family(e, 'sciencehub_pending_servers')[0]?.value).toBe(1);

    expect(e.types.get('sciencehub_culls_total')).toBe('counter');
    expect(family(e, 'sciencehub_culls_total')).toEqual([
      { name: 'sciencehub_culls_total', labels: { reason: 'idle' }, value: 2 },
      { name: 'sciencehub_culls_total', labels: { reason: 'max-age' }, value: 1 },
    ]);
    expect(family(e, 'sciencehub_spawn_refusals_total').map((s) => [s.labels.reason, s.value])).toEqual([['budget', 1], ['servers-per-user', 1], ['other', 1]]);

    expect(e.types.get('sciencehub_server_spawn_duration_seconds')).toBe('histogram');
    const spawn = family(e, 'sciencehub_server_spawn_duration_seconds');
    const count = (outcome: string) => spawn.find((s) => s.name.endsWith('_count') && s.labels.outcome === outcome)?.value;
    expect([count('success'), count('timeout'), count('failure'), count('cancelled')]).toEqual([2, 1, 0, 0]);
    expect(spawn.find((s) => s.name.endsWith('_sum') && s.labels.outcome === 'success')?.value).toBe(73);
    const buckets = spawn.filter((s) => s.name.endsWith('_bucket') && s.labels.outcome === 'success');
    expect(buckets.map((b) => b.value)).toEqual([...buckets.map((b) => b.value)].sort((a, b) => a - b)); // cumulative
    expect(buckets.find((b) => b.labels.le === '5')?.value).toBe(1);
    expect(buckets.find((b) => b.labels.le === '+Inf')?.value).toBe(2);

    expect(e.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(e.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    for (const name of e.types.keys()) expect(e.help.get(name)).toBeTruthy();
  });

  it('sums this month\'s usage (in the configured zone) from the usage collection', async () => {
    const usage = [
      { user: 'a', month: '2025-03', gbHours: 10.5, cpuHours: 2, cost: 1.25 },
      { user: 'b', month: '2025-03', gbHours: 4, cpuHours: 1.5, cost: 0.5 },
      { user: 'a', month: '2025-02', gbHours: 1000, cpuHours: 1000, cost: 1000 },
    ];
    const store = { servers: { list: async () => [] }, usage: { list: async () => usage } } as unknown as Store;
    // 2025-03-31T23:30Z is already April in Berlin, still March in UTC.
    const at = Date.parse('2025-03-31T23:30:00Z');
    const utc = parseExposition((await createHubMetrics(store, { currency: 'EUR', timeZone: 'UTC', now: () => at }).exposition()).body);
    expect(family(utc, 'sciencehub_usage_gb_hours')).toEqual([{ name: 'sciencehub_usage_gb_hours', labels: { month: '2025-03' }, value: 14.5 }]);
    expect(family(utc, 'sciencehub_usage_cpu_hours')[0]?.value).toBe(3.5);
    expect(family(utc, 'sciencehub_usage_cost')).toEqual([{ name: 'sciencehub_usage_cost', labels: { month: '2025-03', currency: 'EUR' }, value: 1.75 }]);
    const berlin = parseExposition((await createHubMetrics(store, { currency: 'EUR', timeZone: 'Europe/Berlin', now: () => at }).exposition()).body);
    expect(family(berlin, 'sciencehub_usage_gb_hours')).toEqual([{ name: 'sciencehub_usage_gb_hours', labels: { month: '2025-04' }, value: 0 }]);
    expect(utc.types.get('sciencehub_usage_cost')).toBe('gauge');
  });

  it('keeps each hub its own registry (several hubs in one process)', async () => {
    const a = createHubMetrics(fakeStore([]));
    const b = createHubMetrics(fakeStore([]));
    a.observeEvent('cull', { reason: 'idle' });
    const inB = parseExposition((await b.exposition()).body);
    expect(family(inB, 'sciencehub_culls_total').find((s) => s.labels.reason === 'idle')?.value).toBe(0);
    const inA = parseExposition((await a.exposition()).body);
    expect(family(inA, 'sciencehub_culls_total').find((s) => s.labels.reason === 'idle')?.value).toBe(1);
  });

  it('times API requests by method, route pattern (never the raw path) and status', async () => {
    const m = createHubMetrics(fakeStore([]));
    const app = express();
    const hub = express.Router();
    const api = express.Router();
    api.get('/users/:name', (req, res) => { res.json({ name: req.params.name }); });
    api.delete('/users/:name/server', () => { throw Object.assign(new Error('nope'), { status: 403 }); });
    hub.use('/api', m.apiTimer());
    hub.use('/api', api);
    app.use('/hub', hub);
    app.use(((err, _req, res, _next) => { res.status((err as { status?: number }).status ?? 500).end(); }) as express.ErrorRequestHandler);
    const server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const name of ['alice', 'bob', 'carol%2Fx']) await (await fetch(`${base}/hub/api/users/${name}`)).text();
      await (await fetch(`${base}/hub/api/users/alice/server`, { method: 'DELETE' })).text();
      await (await fetch(`${base}/hub/api/no/such/thing`)).text();
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    const e = parseExposition((await m.exposition()).body);
    const counts = family(e, 'sciencehub_api_request_duration_seconds').filter((s) => s.name.endsWith('_count'));
    expect(counts.map((s) => [s.labels.method, s.labels.route, s.labels.status, s.value])).toEqual([
      ['GET', '/hub/api/users/:name', '200', 3],
      ['DELETE', '/hub/api/users/:name/server', '403', 1],
      ['GET', 'unmatched', '404', 1],
    ]);
    expect(body(e)).not.toMatch(/alice|bob|carol/);
  });
});

function body(e: Exposition): string {
  return JSON.stringify(e.samples);
}

describe('the no-op metrics and the recording wrapper', () => {
  it('the no-op variant accepts everything and passes requests on', async () => {
    noopMetrics.observeEvent('cull', { reason: 'idle' });
    noopMetrics.countRefusal('x');
    const next = jest.fn();
    noopMetrics.apiTimer()({} as never, {} as never, next);
    expect(next).toHaveBeenCalledTimes(1);
    expect(noopMetrics.enabled).toBe(false);
  });

  it('feeds each recorded event to the metrics and still records it', async () => {
    const seen: unknown[] = [];
    const observed: unknown[] = [];
    const record = recordingMetrics(async (...args) => { seen.push(args); }, { ...noopMetrics, observeEvent: (k, d) => observed.push([k, d]) });
    await record('cull', 'alice', '', 'it was idle', { reason: 'idle' });
    await record('login', 'alice', null, 'signed in');
    expect(seen).toEqual([['cull', 'alice', '', 'it was idle', { reason: 'idle' }], ['login', 'alice', null, 'signed in', undefined]]);
    expect(observed).toEqual([['cull', { reason: 'idle' }], ['login', {}]]);
  });
});
