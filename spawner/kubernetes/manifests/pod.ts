// Pure builder of a single-user server's pod: non-root, no privilege escalation, no capabilities,
// seccomp RuntimeDefault, no service account token, resources from the request, secrets by reference.
// No I/O, clock, randomness or config reads: everything comes in through PodInput.
import type {
  V1Affinity, V1Container, V1EnvVar, V1Pod, V1ResourceRequirements, V1Toleration, V1Volume, V1VolumeMount,
} from '@kubernetes/client-node';
import type { Resources } from '../../types';
import type { ExtraVolume, KubernetesSpawnerConfig, Toleration } from '../config';
import { ANNOTATION, COMPONENT, objectLabels, ownerAnnotations, type OwnerNames } from '../labels';
import { bytesToQuantity, coresToQuantity } from '../quantities';
import { escapeEnvValue, type ServerEnv } from '../server-env';

export const CONTAINER_NAME = 'notebook';
export const HOME_VOLUME = 'home';

export interface PodInput {
  name: string;
  namespace: string;
  owner: OwnerNames & { serverName: string };
  /** Unique per start; tells a create we retried from a stale pod of the same name. */
  startId: string;
  image: string;
  imagePullPolicy: KubernetesSpawnerConfig['imagePullPolicy'];
  imagePullSecrets: readonly string[];
  cmd: readonly string[] | null;
  args: readonly string[];
  port: number;
  uid: number;
  gid: number;
  fsGid: number | null;
  resources: Resources;
  env: ServerEnv;
  /** Secret holding env.secret's values under their own names. */
  secretName: string;
  home: { claimName: string; mountPath: string } | null;
  extraVolumes: readonly ExtraVolume[];
  nodeSelector: Readonly<Record<string, string>>;
  tolerations: readonly Toleration[];
  affinity: KubernetesSpawnerConfig['affinity'];
  stopGraceSeconds: number;
  extraLabels: Readonly<Record<string, string>>;
}

/** A request Kubernetes would refuse, caught before we send it. */
export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

export function buildPod(input: PodInput): V1Pod {
  const seccompProfile = { type: 'RuntimeDefault' };
  const container: V1Container = {
    name: CONTAINER_NAME,
    image: input.image,
    imagePullPolicy: input.imagePullPolicy,
    ...(input.cmd ? { command: [...input.cmd] } : {}),
    ...(input.args.length ? { args: [...input.args] } : {}),
    ports: [{ name: 'http', containerPort: input.port, protocol: 'TCP' }],
    env: containerEnv(input.env, input.secretName),
    resources: resourceRequirements(input.resources),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: input.uid,
      runAsGroup: input.gid,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile,
    },
    volumeMounts: volumeMounts(input),
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: objectLabels(input.owner, COMPONENT.server, input.extraLabels),
      annotations: { ...ownerAnnotations(input.owner), [ANNOTATION.startId]: input.startId },
    },
    spec: {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: input.stopGraceSeconds,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: input.uid,
        runAsGroup: input.gid,
        ...(input.fsGid !== null ? { fsGroup: input.fsGid } : {}),
        seccompProfile,
      },
      ...(Object.keys(input.nodeSelector).length ? { nodeSelector: { ...input.nodeSelector } } : {}),
      ...(input.tolerations.length ? { tolerations: input.tolerations.map(toleration) } : {}),
      ...affinityOf(input.affinity),
      ...(input.imagePullSecrets.length ? { imagePullSecrets: input.imagePullSecrets.map((name) => ({ name })) } : {}),
      containers: [container],
      volumes: volumes(input),
    },
  };
}

/** Plain values escaped against $(VAR) expansion, sorted by name; secrets as secretKeyRef. */
export function containerEnv(env: ServerEnv, secretName: string): V1EnvVar[] {
  const plain = Object.entries(env.plain).map(([name, value]): V1EnvVar => ({ name, value: escapeEnvValue(value) }));
  const secret = Object.keys(env.secret).map((name): V1EnvVar => ({ name, valueFrom: { secretKeyRef: { name: secretName, key: name } } }));
  return [...plain, ...secret].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Limits and requests from bytes and cores; a guarantee above its limit is refused here. */
export function resourceRequirements(r: Resources): V1ResourceRequirements {
  if (r.memLimit !== null && r.memGuarantee !== null && r.memGuarantee > r.memLimit) {
    throw new ManifestError(`the memory guarantee (${bytesToQuantity(r.memGuarantee)}) is above the limit (${bytesToQuantity(r.memLimit)})`);
  }
  if (r.cpuLimit !== null && r.cpuGuarantee !== null && r.cpuGuarantee > r.cpuLimit) {
    throw new ManifestError(`the CPU guarantee (${r.cpuGuarantee}) is above the limit (${r.cpuLimit})`);
  }
  const limits: Record<string, string> = {};
  const requests: Record<string, string> = {};
  if (r.memLimit !== null) limits.memory = bytesToQuantity(r.memLimit);
  if (r.cpuLimit !== null) limits.cpu = coresToQuantity(r.cpuLimit);
  if (r.memGuarantee !== null) requests.memory = bytesToQuantity(r.memGuarantee);
  if (r.cpuGuarantee !== null) requests.cpu = coresToQuantity(r.cpuGuarantee);
  return {
    ...(Object.keys(limits).length ? { limits } : {}),
    ...(Object.keys(requests).length ? { requests } : {}),
  };
}

function toleration(t: Toleration): V1Toleration {
  return {
    ...(t.key !== null ? { key: t.key } : {}),
    operator: t.operator,
    ...(t.value !== null ? { value: t.value } : {}),
    ...(t.effect !== null ? { effect: t.effect } : {}),
    ...(t.tolerationSeconds !== null ? { tolerationSeconds: t.tolerationSeconds } : {}),
  };
}

function affinityOf(a: KubernetesSpawnerConfig['affinity']): { affinity?: V1Affinity } {
  if (a.nodeRequired.length === 0 && a.nodePreferred.length === 0) return {};
  return {
    affinity: {
      nodeAffinity: {
        ...(a.nodeRequired.length
          ? { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: a.nodeRequired.map(matchExpression) }] } }
          : {}),
        ...(a.nodePreferred.length
          ? {
              preferredDuringSchedulingIgnoredDuringExecution: a.nodePreferred.map((p) => ({
                weight: p.weight,
                preference: { matchExpressions: p.matchExpressions.map(matchExpression) },
              })),
            }
          : {}),
      },
    },
  };
}

function matchExpression(e: { key: string; operator: string; values: string[] }) {
  return { key: e.key, operator: e.operator, ...(e.values.length ? { values: [...e.values] } : {}) };
}

function volumes(input: PodInput): V1Volume[] {
  const out: V1Volume[] = [];
  if (input.home) out.push({ name: HOME_VOLUME, persistentVolumeClaim: { claimName: input.home.claimName } });
  for (const v of input.extraVolumes) out.push({ name: v.name, ...volumeSource(v) });
  return out;
}

function volumeSource(v: ExtraVolume): Omit<V1Volume, 'name'> {
  const s = v.source;
  switch (s.kind) {
    case 'persistentVolumeClaim':
      return { persistentVolumeClaim: { claimName: s.claimName, ...(v.readOnly ? { readOnly: true } : {}) } };
    case 'configMap':
      return { configMap: { name: s.name } };
    case 'secret':
      return { secret: { secretName: s.secretName } };
    case 'nfs':
      return { nfs: { server: s.server, path: s.path, ...(v.readOnly ? { readOnly: true } : {}) } };
  }
}

function volumeMounts(input: PodInput): V1VolumeMount[] {
  const out: V1VolumeMount[] = [];
  if (input.home) out.push({ name: HOME_VOLUME, mountPath: input.home.mountPath });
  for (const v of input.extraVolumes) {
    out.push({ name: v.name, mountPath: v.mountPath, ...(v.subPath !== null ? { subPath: v.subPath } : {}), ...(v.readOnly ? { readOnly: true } : {}) });
  }
  return out;
}
