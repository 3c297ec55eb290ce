// Config sections `quotas`, `pricing` and `usage`: defaults and per-group/user quotas, the
// price list, and how usage is accounted (time zone of the month, warning threshold, interval).
import { z } from 'zod';
import { QuotaLimitsSchema } from '../store/store';

const Limit = (base: z.ZodNumber, description: string) => base.nullable().default(null).describe(`${description}; null = unlimited`);

/** The default quota: every field set (null = unlimited). */
export const DefaultQuotaSchema = z
  .object({
    memoryPerServerGb: Limit(z.number().positive(), 'memory limit of one server, in GB (2^30 bytes)'),
    cpuPerServer: Limit(z.number().positive(), 'CPU limit of one server, in cores'),
    maxServers: Limit(z.number().int().min(0), 'servers running (or starting) at once per user'),
    monthlyBudget: Limit(z.number().min(0), 'money a user may spend per month, in pricing.currency'),
    monthlyGbHours: Limit(z.number().min(0), 'memory a user may use per month, in GB-hours'),
    monthlyCpuHours: Limit(z.number().min(0), 'CPU a user may use per month, in CPU-hours'),
  })
  .strict();
export type FullQuota = z.infer<typeof DefaultQuotaSchema>;

export const QuotasSectionSchema = z
  .object({
    defaults: DefaultQuotaSchema.prefault({}).describe('quota of users that neither their groups nor an override set'),
    groups: z.record(z.string().min(1), QuotaLimitsSchema).default({})
      .describe('group name → quota fields for its members (the API and admin page may set more; theirs win per field)'),
    users: z.record(z.string().min(1), QuotaLimitsSchema).default({})
      .describe('user name → quota fields overriding their groups and the defaults (the API may set more; its win per field)'),
    unsizedServer: z
      .object({
        memoryGb: z.number().min(0).default(1).describe('GB charged for a server with no memory limit and no per-server quota'),
        cpu: z.number().min(0).default(1).describe('cores charged for a server with no CPU limit and no per-server quota'),
      })
      .strict()
      .prefault({})
      .describe('what a server is charged as when neither its request nor the quota limits its size'),
  })
  .strict();

export const PriceClassSchema = z
  .object({
    images: z.array(z.string().min(1)).min(1)
      .describe('image names of this class; "*" matches any characters (e.g. "*gpu*")'),
    multiplier: z.number().min(0).default(1).describe('factor on the memory and CPU prices for servers of this class'),
    perServerHour: z.number().min(0).default(0).describe('extra price per hour a server of this class runs (e.g. a GPU)'),
  })
  .strict();

export const PricingSectionSchema = z
  .object({
    currency: z.string().regex(/^[A-Z]{3}$/, { error: 'an ISO 4217 code such as EUR or USD' }).default('EUR')
      .describe('currency of prices and money budgets (ISO 4217)'),
    perGbHour: z.number().min(0).default(0).describe('price of one GB of memory limit for one hour'),
    perCpuHour: z.number().min(0).default(0).describe('price of one core of CPU limit for one hour'),
    classes: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, { error: 'lowercase letters, digits, "-" and "_"' }), PriceClassSchema)
      .default({})
      .describe('price classes of dearer images, e.g. gpu; the first class whose pattern matches the image applies'),
  })
  .strict();

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const UsageSectionSchema = z
  .object({
    timeZone: z.string().refine(isTimeZone, { error: 'an IANA time zone name such as UTC or Europe/Berlin' }).default('UTC')
      .describe('time zone in which months (and so monthly budgets) roll over'),
    warnAt: z.number().gt(0).max(1).default(0.8).describe('share of a monthly budget at which users are warned on every page'),
    accrualIntervalSeconds: z.number().min(0.05).max(3600).default(60)
      .describe('how often running servers are charged and budgets enforced (servers may overrun a budget by this much)'),
  })
  .strict();

export type QuotasConfig = z.infer<typeof QuotasSectionSchema>;
export type PricingConfig = z.infer<typeof PricingSectionSchema>;
export type UsageConfig = z.infer<typeof UsageSectionSchema>;
