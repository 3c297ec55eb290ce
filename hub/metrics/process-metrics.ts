// Process metrics (CPU, memory, event-loop lag, GC, handles) in a registry of their own, made once
// per process. They describe the process, not a hub; and prom-client's collectors (a GC observer,
// an event-loop monitor) cannot be stopped, so one set per hub would pile up in tests that start
// many hubs in one process. Each hub's /hub/metrics merges this registry with its own.
import { Registry, collectDefaultMetrics } from 'prom-client';

let shared: Registry | null = null;

export function processRegistry(): Registry {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}
