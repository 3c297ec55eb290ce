// The state blob of a kubernetes server that the hub stores and hands back (zod, pure).
import { z } from 'zod';

export const KubeServerStateSchema = z.object({
  podName: z.string().min(1),
  namespace: z.string().min(1),
  uid: z.string().min(1),
  startId: z.string().min(1),
});
export type KubeServerState = z.infer<typeof KubeServerStateSchema>;
