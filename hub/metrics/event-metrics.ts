// Pure: what a hub event means for the metrics. Spawns, culls and refusals are counted from the
// events the hub records anyway (hub/events.ts), so no code path needs a second hook.

export type SpawnOutcome = 'success' | 'failure' | 'timeout' | 'cancelled';

export type EventMetric =
  | { metric: 'spawn'; outcome: SpawnOutcome; seconds: number | null }
  | { metric: 'cull'; reason: string }
  | { metric: 'refusal'; reason: string };

/** The orchestrator's failure reasons (spawn-failed events) as a histogram outcome. */
export function spawnOutcome(reason: unknown): SpawnOutcome {
  if (reason === 'cancelled') return 'cancelled';
  if (reason === 'start-timeout' || reason === 'http-timeout') return 'timeout';
  return 'failure';
}

/** A label value from event data: short identifiers only, so a label cannot explode in cardinality. */
export function reasonLabel(value: unknown): string {
  return typeof value === 'string' && /^[a-z0-9][a-z0-9_.-]{0,39}$/i.test(value) ? value.toLowerCase() : 'other';
}

function seconds(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

export function metricOfEvent(kind: string, data: Readonly<Record<string, unknown>>): EventMetric | null {
  switch (kind) {
    case 'spawn':
      return { metric: 'spawn', outcome: 'success', seconds: seconds(data.seconds) };
    case 'spawn-failed':
      return { metric: 'spawn', outcome: spawnOutcome(data.reason), seconds: seconds(data.seconds) };
    case 'cull':
      return { metric: 'cull', reason: reasonLabel(data.reason) };
    case 'refusal':
      return { metric: 'refusal', reason: reasonLabel(data.reason) };
    default:
      return null;
  }
}
