// The quota fields in one table: key, label and unit for messages, forms and CSV, and which
// fields are per-server sizes, counts or monthly budgets. Pure.
import type { FullQuota } from './config';

export type QuotaField = keyof FullQuota;

export interface QuotaFieldInfo {
  key: QuotaField;
  label: string;
  /** Unit after a number; 'money' means pricing.currency. */
  unit: 'GB' | 'cores' | 'servers' | 'money' | 'GB-hours' | 'CPU-hours';
  integer: boolean;
  /** Which usage total a monthly budget field limits. */
  measures: 'cost' | 'gbHours' | 'cpuHours' | null;
}

export const QUOTA_FIELDS: readonly QuotaFieldInfo[] = [
  { key: 'memoryPerServerGb', label: 'Memory per server', unit: 'GB', integer: false, measures: null },
  { key: 'cpuPerServer', label: 'CPU per server', unit: 'cores', integer: false, measures: null },
  { key: 'maxServers', label: 'Servers at once', unit: 'servers', integer: true, measures: null },
  { key: 'monthlyBudget', label: 'Monthly budget', unit: 'money', integer: false, measures: 'cost' },
  { key: 'monthlyGbHours', label: 'Monthly memory budget', unit: 'GB-hours', integer: false, measures: 'gbHours' },
  { key: 'monthlyCpuHours', label: 'Monthly CPU budget', unit: 'CPU-hours', integer: false, measures: 'cpuHours' },
];

export const QUOTA_FIELD_KEYS: readonly QuotaField[] = QUOTA_FIELDS.map((f) => f.key);

export const BUDGET_FIELDS = QUOTA_FIELDS.filter((f) => f.measures !== null);

export function fieldInfo(key: QuotaField): QuotaFieldInfo {
  const info = QUOTA_FIELDS.find((f) => f.key === key);
  if (!info) throw new Error(`unknown quota field ${key}`);
  return info;
}

/** Bytes in one GB as quotas and prices count it (GiB, as Kubernetes' "Gi" and JupyterHub's "G"). */
export const BYTES_PER_GB = 1024 ** 3;
