// The `metrics` config section: whether /hub/metrics exists and who may read it.
import { z } from 'zod';

export const MetricsConfigSchema = z
  .object({
    enabled: z.boolean().default(true).describe('serve Prometheus metrics at /hub/metrics'),
    public: z.boolean().default(false)
      .describe('anyone may read /hub/metrics; otherwise a token or session with the read:metrics scope is needed'),
  })
  .strict();

export type MetricsConfig = z.infer<typeof MetricsConfigSchema>;
