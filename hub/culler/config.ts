// The `culler` config section: idle timeout, maximum age, timer, concurrency, warning window and
// per-user/image/group overrides. The precedence rule lives in policy.ts (and hub/README.md).
import { z } from 'zod';

const Seconds = z.number().int().min(0);

export const CullOverrideSchema = z
  .object({
    timeoutSeconds: Seconds.optional().describe('idle time before the server is stopped (0 = never for idleness)'),
    maxAgeSeconds: Seconds.optional().describe('age at which the server is stopped however active (0 = no limit)'),
  })
  .strict()
  .refine((o) => o.timeoutSeconds !== undefined || o.maxAgeSeconds !== undefined, {
    error: 'set timeoutSeconds or maxAgeSeconds (or both)',
  });
export type CullOverride = z.infer<typeof CullOverrideSchema>;

export const CullOverridesSchema = z
  .object({
    users: z.record(z.string().min(1), CullOverrideSchema).default({})
      .describe('user name → {timeoutSeconds, maxAgeSeconds} (either or both); wins over everything else'),
    images: z.record(z.string().min(1), CullOverrideSchema).default({})
      .describe('image → {timeoutSeconds, maxAgeSeconds}; the key is a catalog id (astro), an image reference, or a reference without its ":tag"/"@digest"; wins over groups'),
    groups: z.record(z.string().min(1), CullOverrideSchema).default({})
      .describe('group name → {timeoutSeconds, maxAgeSeconds}; of several groups the most generous wins (0 = never beats any number)'),
  })
  .strict();

export const CullerConfigSchema = z
  .object({
    enabled: z.boolean().default(true).describe('stop idle servers (and warn users first)'),
    runInHub: z.boolean().default(true)
      .describe("the hub runs the culler on a timer; set false when `sciencehub culler` runs as its own process"),
    timeoutSeconds: Seconds.default(3600).describe('idle time after which a server is stopped (0 = never for idleness)'),
    maxAgeSeconds: Seconds.default(0).describe('age after which a server is stopped even if active (0 = no limit)'),
    intervalSeconds: z.number().positive().default(300).describe('how often the culler checks the servers'),
    concurrency: z.number().int().positive().default(10).describe('servers stopped at once'),
    warnBeforeSeconds: Seconds.default(900).describe('how long before the cull the hub pages warn the user (0 = no warning)'),
    overrides: CullOverridesSchema.prefault({}).describe('per user, image and group timeouts (precedence: user, image, group, default)'),
  })
  .strict();

export type CullerConfig = z.infer<typeof CullerConfigSchema>;
export type CullerConfigInput = z.input<typeof CullerConfigSchema>;
