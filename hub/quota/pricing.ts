// The cost model: what size a server is charged as, its price class, and what a stretch of
// running time costs (GB-hours, CPU-hours, money). Pure.
import type { Resources } from '../../spawner/types';
import type { PricingConfig, QuotasConfig } from './config';
import { BYTES_PER_GB } from './fields';

/** The size a run is charged as: its limits, else the unsized-server charge. */
export interface ChargeRate {
  memGb: number;
  cpu: number;
  priceClass: string | null;
}

export interface UsageAmount {
  gbHours: number;
  cpuHours: number;
  cost: number;
}

export const ZERO_USAGE: UsageAmount = { gbHours: 0, cpuHours: 0, cost: 0 };

const MS_PER_HOUR = 3_600_000;

function globToRegExp(pattern: string): RegExp {
  const body = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`);
}

/** The first price class with a pattern matching the image, or null. */
export function priceClassOf(image: string | null, pricing: PricingConfig): string | null {
  if (image === null) return null;
  for (const [name, cls] of Object.entries(pricing.classes)) {
    if (cls.images.some((p) => globToRegExp(p).test(image))) return name;
  }
  return null;
}

export function chargeRate(resources: Resources, image: string | null, quotas: QuotasConfig, pricing: PricingConfig): ChargeRate {
  return {
    memGb: resources.memLimit !== null ? resources.memLimit / BYTES_PER_GB : quotas.unsizedServer.memoryGb,
    cpu: resources.cpuLimit !== null ? resources.cpuLimit : quotas.unsizedServer.cpu,
    priceClass: priceClassOf(image, pricing),
  };
}

/** What running at `rate` for `ms` milliseconds adds to a month's usage. */
export function chargeFor(rate: ChargeRate, ms: number, pricing: PricingConfig): UsageAmount {
  if (ms <= 0) return ZERO_USAGE;
  const hours = ms / MS_PER_HOUR;
  const gbHours = rate.memGb * hours;
  const cpuHours = rate.cpu * hours;
  const cls = rate.priceClass !== null ? pricing.classes[rate.priceClass] : undefined;
  const multiplier = cls?.multiplier ?? 1;
  const cost = (gbHours * pricing.perGbHour + cpuHours * pricing.perCpuHour) * multiplier + (cls?.perServerHour ?? 0) * hours;
  return { gbHours, cpuHours, cost };
}

export function addUsage(a: UsageAmount, b: UsageAmount): UsageAmount {
  return { gbHours: a.gbHours + b.gbHours, cpuHours: a.cpuHours + b.cpuHours, cost: a.cost + b.cost };
}
