// Config section of the `kubernetes` spawner: one pod (plus home volume) per single-user server.
// Schema and defaults live together so they cannot drift; types come from z.infer.
import { z } from 'zod';

const LabelKey = z
  .string()
  .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, {
    error: 'must be a label key: an optional DNS prefix and "/", then up to 63 letters, digits, "-", "_" or "."',
  });
const LabelValue = z
  .string()
  .regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, { error: 'must be a label value: up to 63 letters, digits, "-", "_" or ".", alphanumeric at both ends' });
const LabelMap = z.record(LabelKey, LabelValue);
const MEMORY_QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const MemoryQuantity = z.string().regex(MEMORY_QUANTITY, { error: 'expected a quantity such as 512Mi or 10Gi' });
const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name' });
const Dns1123Label = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: 'must be a DNS-1123 label: lower-case letters, digits and "-", at most 63' });

const CredentialsSchema = z
  .object({
    source: z
      .enum(['auto', 'in-cluster', 'kubeconfig'])
      .default('auto')
      .describe("Where API credentials come from: 'in-cluster' (the pod's service account), 'kubeconfig', or 'auto' (in-cluster when running in a pod, else kubeconfig)."),
    kubeconfigPath: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe('Kubeconfig file to read; null means $KUBECONFIG or ~/.kube/config.'),
    context: z.string().min(1).nullable().default(null).describe("Kubeconfig context to use; null means the file's current context."),
  })
  .strict();

const StorageSchema = z
  .object({
    size: MemoryQuantity.default('10Gi').describe('Requested size of each home volume (a Kubernetes quantity).'),
    storageClass: z.string().min(1).nullable().default(null).describe("Storage class of home volumes; null means the cluster's default class."),
    accessMode: z
      .enum(['ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteMany'])
      .default('ReadWriteOnce')
      .describe('Access mode of home volumes; a user with several servers on different nodes needs ReadWriteMany.'),
    mountPath: z.string().startsWith('/').default('/home/jovyan').describe('Where the home volume is mounted in the server container.'),
    scope: z
      .enum(['user', 'server'])
      .default('user')
      .describe("'user': one home volume per user, shared by their named servers; 'server': one per server."),
  })
  .strict();

const ResourcesDefaultsSchema = z
  .object({
    memLimit: MemoryQuantity.nullable().default(null).describe('Memory limit when the request has none (e.g. 2Gi); null for none.'),
    memGuarantee: MemoryQuantity.nullable().default(null).describe('Memory guarantee when the request has none; null for none.'),
    cpuLimit: z.number().positive().nullable().default(null).describe('CPU limit in cores when the request has none; null for none.'),
    cpuGuarantee: z.number().positive().nullable().default(null).describe('CPU guarantee in cores when the request has none; null for none.'),
  })
  .strict();

const TolerationSchema = z
  .object({
    key: z.string().min(1).nullable().default(null).describe('Taint key the toleration matches; null matches every key (with operator Exists).'),
    operator: z.enum(['Exists', 'Equal']).default('Equal').describe('Exists matches any value, Equal matches `value`.'),
    value: z.string().nullable().default(null).describe('Taint value to match with operator Equal.'),
    effect: z
      .enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'])
      .nullable()
      .default(null)
      .describe('Taint effect to match; null matches every effect.'),
    tolerationSeconds: z.number().int().nonnegative().nullable().default(null).describe('For NoExecute: how long the pod stays after the taint appears.'),
  })
  .strict()
  .refine((t) => t.key !== null || t.operator === 'Exists', { error: 'a toleration without a key needs operator Exists', path: ['operator'] })
  .refine((t) => t.operator !== 'Exists' || t.value === null, { error: 'operator Exists takes no value', path: ['value'] });

const MatchExpressionSchema = z
  .object({
    key: z.string().min(1).describe('Node label key.'),
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']).describe('How the label is compared with `values`.'),
    values: z.array(z.string()).default([]).describe('Values for In/NotIn (one integer for Gt/Lt; none for Exists/DoesNotExist).'),
  })
  .strict();

const AffinitySchema = z
  .object({
    nodeRequired: z
      .array(MatchExpressionSchema)
      .default([])
      .describe('Node label rules a node must meet to run a server (all must hold).'),
    nodePreferred: z
      .array(
        z
          .object({
            weight: z.number().int().min(1).max(100).describe('Preference weight, 1-100.'),
            matchExpressions: z.array(MatchExpressionSchema).min(1).describe('Node label rules of this preference (all must hold).'),
          })
          .strict(),
      )
      .default([])
      .describe('Node label rules the scheduler prefers, with weights.'),
  })
  .strict();

const VolumeSourceSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('persistentVolumeClaim').describe('An existing PersistentVolumeClaim.'),
      claimName: z.string().min(1).describe('Name of the claim.'),
    }).strict(),
    z.object({
      kind: z.literal('configMap').describe('A ConfigMap as files.'),
      name: z.string().min(1).describe('Name of the ConfigMap.'),
    }).strict(),
    z.object({
      kind: z.literal('secret').describe('A Secret as files.'),
      secretName: z.string().min(1).describe('Name of the Secret.'),
    }).strict(),
    z.object({
      kind: z.literal('nfs').describe('An NFS export.'),
      server: z.string().min(1).describe('NFS server host.'),
      path: z.string().startsWith('/').describe('Exported path.'),
    }).strict(),
  ])
  .describe('Where the volume comes from.');

const ExtraVolumeSchema = z
  .object({
    name: Dns1123Label.describe('Volume name inside the pod (a DNS-1123 label, not "home").'),
    mountPath: z.string().startsWith('/').describe('Where it is mounted in the server container.'),
    subPath: z.string().min(1).nullable().default(null).describe('Sub-directory of the volume to mount; null for all of it.'),
    readOnly: z.boolean().default(true).describe('Mount read-only (the default: shared data must not be changed by one user).'),
    source: VolumeSourceSchema,
  })
  .strict()
  .refine((v) => v.name !== 'home', { error: '"home" is the home volume\'s name', path: ['name'] });

const NetworkPolicySchema = z
  .object({
    enabled: z.boolean().default(false).describe('Create a NetworkPolicy per server that limits who may reach it and what it may reach.'),
    ingressFromPods: z
      .array(LabelMap)
      .default([{ 'app.kubernetes.io/name': 'sciencehub', 'app.kubernetes.io/component': 'proxy' }, { 'app.kubernetes.io/name': 'sciencehub', 'app.kubernetes.io/component': 'hub' }])
      .describe('Label sets of pods (in the same namespace) allowed to connect to a server: the proxy and the hub.'),
    egressToPods: z
      .array(LabelMap)
      .default([{ 'app.kubernetes.io/name': 'sciencehub', 'app.kubernetes.io/component': 'hub' }])
      .describe('Label sets of pods (in the same namespace) a server may connect to: the hub API.'),
    egressBlockedCidrs: z
      .array(z.string().regex(/^[0-9a-fA-F:.]+\/[0-9]{1,3}$/, { error: 'expected a CIDR such as 10.0.0.0/8' }))
      .default(['169.254.169.254/32', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'])
      .describe('Address ranges a server may not reach: the cloud metadata address and the private ranges other pods live in.'),
    allowDns: z.boolean().default(true).describe('Allow DNS (port 53) to any address, so names resolve.'),
  })
  .strict();

const ApiSchema = z
  .object({
    maxConcurrentRequests: z.number().int().positive().default(10).describe('API requests in flight at once (watches not counted).'),
    maxConcurrentStarts: z
      .number()
      .int()
      .positive()
      .default(20)
      .describe('Starts creating their objects at once; later ones wait in line and see their place in the progress messages.'),
    maxRetries: z.number().int().nonnegative().default(6).describe('Retries of a request answered 429 or 5xx (or not answered).'),
    retryBaseMs: z.number().int().positive().default(250).describe('First retry delay; doubles each retry, with jitter, unless the server sends Retry-After.'),
    retryMaxMs: z.number().int().positive().default(30_000).describe('Longest delay between two retries.'),
    watchTimeoutSeconds: z.number().int().positive().default(300).describe('How long one watch request lasts before it is renewed from its resourceVersion.'),
  })
  .strict();

export const KubernetesSpawnerConfigSchema = z
  .object({
    namespace: Dns1123Label.nullable()
      .default(null)
      .describe("Namespace of the servers' pods; null means the hub's own namespace in-cluster, else the kubeconfig context's, else 'default'."),
    credentials: CredentialsSchema.prefault({}).describe('How the hub authenticates to the Kubernetes API.'),
    instance: Dns1123Label.default('sciencehub').describe('Label value that tells this hub\'s pods from another hub\'s in the same namespace.'),
    namePrefix: Dns1123Label.refine((s) => s.length <= 20, { error: 'at most 20 characters' })
      .default('jupyter')
      .describe('First part of every pod, secret and policy name.'),
    defaultImage: z.string().min(1).default('quay.io/jupyter/base-notebook:latest').describe('Image used when a request names none.'),
    imagePullPolicy: z.enum(['IfNotPresent', 'Always', 'Never']).default('IfNotPresent').describe('When the node pulls the image.'),
    imagePullSecrets: z.array(z.string().min(1)).default([]).describe('Names of Secrets with registry credentials.'),
    cmd: z
      .array(z.string().min(1))
      .min(1)
      .nullable()
      .default(null)
      .describe("Command of the server container; null keeps the image's entrypoint (which must end in jupyterhub-singleuser)."),
    args: z.array(z.string()).default([]).describe('Arguments of the server container.'),
    port: z.number().int().min(1).max(65535).default(8888).describe('Port the server listens on inside the pod.'),
    uid: z.number().int().min(1).default(1000).describe('User id the server runs as (never 0: pods run as non-root).'),
    gid: z.number().int().min(0).default(100).describe('Primary group id of the server process.'),
    fsGid: z.number().int().min(0).nullable().default(100).describe('Group that owns mounted volumes (fsGroup); null leaves volumes as they are.'),
    storage: StorageSchema.nullable()
      .prefault({})
      .describe('Home volume (a PersistentVolumeClaim kept across restarts); null for none (files are lost at stop).'),
    defaultResources: ResourcesDefaultsSchema.prefault({}).describe('Memory and CPU for requests that leave them unset.'),
    nodeSelector: LabelMap.default({}).describe('Node labels a node must have to run a server.'),
    tolerations: z.array(TolerationSchema).default([]).describe('Taints server pods tolerate (e.g. dedicated user nodes).'),
    affinity: AffinitySchema.prefault({}).describe('Node affinity of server pods.'),
    extraVolumes: z
      .array(ExtraVolumeSchema)
      .refine((vs) => new Set(vs.map((v) => v.name)).size === vs.length, { error: 'volume names must be unique' })
      .default([])
      .describe('Volumes mounted in every server, e.g. a read-only shared data or reference-file volume.'),
    extraEnv: z
      .record(EnvName, z.string())
      .default({})
      .describe('Extra environment variables for every server; the hub-built JUPYTERHUB_* values win over these.'),
    extraLabels: LabelMap.default({}).describe('Extra labels on every object the spawner creates.'),
    networkPolicy: NetworkPolicySchema.prefault({}).describe('Per-server NetworkPolicy.'),
    startTimeoutSeconds: z.number().positive().default(300).describe('How long a pod may take to be running (the smaller of this and hub.startTimeoutSeconds wins).'),
    unschedulableTimeoutSeconds: z
      .number()
      .nonnegative()
      .default(60)
      .describe('How long a pod may stay unschedulable (no node has room) before the start fails, unless the cluster is adding a node.'),
    stopGraceSeconds: z.number().int().nonnegative().default(30).describe('Grace period of a pod being stopped, between SIGTERM and SIGKILL.'),
    stopTimeoutSeconds: z.number().positive().default(60).describe('How long stop waits (beyond the grace period) for the pod to be gone before forcing it.'),
    logTailLines: z.number().int().nonnegative().default(20).describe('How many lines of a crashed server\'s log to report.'),
    api: ApiSchema.prefault({}).describe('Pressure the spawner puts on the API server.'),
  })
  .strict();

export type KubernetesSpawnerConfig = z.infer<typeof KubernetesSpawnerConfigSchema>;
export type KubernetesSpawnerConfigInput = z.input<typeof KubernetesSpawnerConfigSchema>;
export type ExtraVolume = KubernetesSpawnerConfig['extraVolumes'][number];
export type Toleration = KubernetesSpawnerConfig['tolerations'][number];
export type StorageConfig = NonNullable<KubernetesSpawnerConfig['storage']>;
export type NetworkPolicyConfig = KubernetesSpawnerConfig['networkPolicy'];
