// Admission: may this spawn start? Checks the server's size against the per-server limits, the
// number of servers the user runs, and the monthly budgets; a refusal says which limit, the
// usage and what is left. Also fills a request without limits with the quota's. Pure.
import type { Resources } from '../../spawner/types';
import { budgetMessage, type BudgetStatus } from './budget';
import type { FullQuota } from './config';
import { BYTES_PER_GB, type QuotaField } from './fields';
import { formatValue } from './format';
import { describeSource, type EffectiveQuota } from './resolve';

export interface AdmissionInput {
  quota: EffectiveQuota;
  /** The resources the server would run with (after spawnResources). */
  resources: Resources;
  /** The owner's other active servers (pending, running, stopping). */
  otherActiveServers: number;
  budget: BudgetStatus;
  month: string;
  currency: string;
}

export type AdmissionVerdict = { ok: true } | { ok: false; field: QuotaField; message: string };

/** A request's limits, with each missing one filled from the quota's per-server limit. */
export function spawnResources(requested: Resources, limits: FullQuota): Resources {
  return {
    ...requested,
    memLimit: requested.memLimit ?? (limits.memoryPerServerGb === null ? null : Math.round(limits.memoryPerServerGb * BYTES_PER_GB)),
    cpuLimit: requested.cpuLimit ?? limits.cpuPerServer,
  };
}

/** Does a server of this size fit the per-server limits? (The spawn form offers only sizes that do.) */
export function sizeFits(resources: Resources, limits: FullQuota): boolean {
  return sizeProblem(resources, limits) === null;
}

function sizeProblem(resources: Resources, limits: FullQuota): { field: QuotaField; asked: number } | null {
  const mem = limits.memoryPerServerGb;
  if (mem !== null && (resources.memLimit === null || resources.memLimit > Math.round(mem * BYTES_PER_GB))) {
    return { field: 'memoryPerServerGb', asked: resources.memLimit === null ? Number.POSITIVE_INFINITY : resources.memLimit / BYTES_PER_GB };
  }
  const cpu = limits.cpuPerServer;
  if (cpu !== null && (resources.cpuLimit === null || resources.cpuLimit > cpu + 1e-9)) {
    return { field: 'cpuPerServer', asked: resources.cpuLimit ?? Number.POSITIVE_INFINITY };
  }
  return null;
}

export function admit(input: AdmissionInput): AdmissionVerdict {
  const { quota, currency } = input;
  const limits = quota.limits;
  const from = (field: QuotaField) => `(set by ${describeSource(quota.sources[field])})`;

  const size = sizeProblem(input.resources, limits);
  if (size) {
    const limit = limits[size.field];
    const asked = Number.isFinite(size.asked) ? formatValue(size.field, size.asked, currency) : 'no limit';
    const what = size.field === 'memoryPerServerGb' ? 'Memory per server' : 'CPU per server';
    return {
      ok: false, field: size.field,
      message: `${what} is limited to ${formatValue(size.field, limit, currency)} ${from(size.field)}; this server asks for ${asked}. ` +
        `Choose a size of at most ${formatValue(size.field, limit, currency)}.`,
    };
  }

  const max = limits.maxServers;
  if (max !== null && input.otherActiveServers + 1 > max) {
    const left = Math.max(0, max - input.otherActiveServers);
    return {
      ok: false, field: 'maxServers',
      message: `Servers at once are limited to ${max} ${from('maxServers')}; you run ${input.otherActiveServers} (${left} left). ` +
        'Stop a server first.',
    };
  }

  if (input.budget.level === 'exceeded' && input.budget.worst) {
    return {
      ok: false, field: input.budget.worst.field,
      message: `${budgetMessage(input.budget, input.month, currency) ?? ''} ${from(input.budget.worst.field)}`.trim(),
    };
  }
  return { ok: true };
}
