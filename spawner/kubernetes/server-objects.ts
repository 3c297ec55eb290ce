// Everything one server needs in Kubernetes, from the config and a SpawnRequest (pure): names,
// the pod, its Secret, the home claim and the NetworkPolicy. Lifecycle code only sends these.
import type { V1NetworkPolicy, V1PersistentVolumeClaim, V1Pod, V1Secret } from '@kubernetes/client-node';
import type { Resources, SpawnRequest } from '../types';
import type { KubernetesSpawnerConfig } from './config';
import type { OwnerNames } from './labels';
import { buildServerNetworkPolicy } from './manifests/network-policy';
import { buildPod } from './manifests/pod';
import { buildHomeClaim } from './manifests/pvc';
import { buildServerSecret } from './manifests/secret';
import { homeClaimName, serverObjectName } from './names';
import { parseMemoryQuantity } from './quantities';
import { buildServerEnv } from './server-env';

export interface ServerObjects {
  /** Name of the pod, its Secret and its NetworkPolicy. */
  name: string;
  image: string;
  pod: V1Pod;
  secret: V1Secret;
  claim: V1PersistentVolumeClaim | null;
  networkPolicy: V1NetworkPolicy | null;
}

export function serverName(config: Pick<KubernetesSpawnerConfig, 'namePrefix'>, user: string, server: string): string {
  return serverObjectName(config.namePrefix, user, server);
}

/** The request's resources, with the config's defaults where the request leaves one unset. */
export function effectiveResources(requested: Resources, defaults: KubernetesSpawnerConfig['defaultResources']): Resources {
  const mem = (q: string | null) => (q === null ? null : parseMemoryQuantity(q));
  return {
    memLimit: requested.memLimit ?? mem(defaults.memLimit),
    memGuarantee: requested.memGuarantee ?? mem(defaults.memGuarantee),
    cpuLimit: requested.cpuLimit ?? defaults.cpuLimit,
    cpuGuarantee: requested.cpuGuarantee ?? defaults.cpuGuarantee,
  };
}

/** Throws ManifestError for a request Kubernetes would refuse (e.g. a guarantee above its limit). */
export function planServerObjects(config: KubernetesSpawnerConfig, namespace: string, request: SpawnRequest, startId: string): ServerObjects {
  const name = serverName(config, request.user, request.serverName);
  const owner = { instance: config.instance, user: request.user, serverName: request.serverName };
  const image = request.image ?? config.defaultImage;
  const env = buildServerEnv({ configEnv: config.extraEnv, requestEnv: request.env, port: config.port, prefix: request.prefix });
  const storage = config.storage;
  let claim: V1PersistentVolumeClaim | null = null;
  if (storage) {
    const perServer = storage.scope === 'server';
    const claimOwner: OwnerNames = perServer ? owner : { ...owner, serverName: null };
    claim = buildHomeClaim({
      name: homeClaimName(config.namePrefix, request.user, perServer ? request.serverName : null),
      namespace,
      owner: claimOwner,
      storage,
      extraLabels: config.extraLabels,
    });
  }
  const pod = buildPod({
    name,
    namespace,
    owner,
    startId,
    image,
    imagePullPolicy: config.imagePullPolicy,
    imagePullSecrets: config.imagePullSecrets,
    cmd: config.cmd,
    args: config.args,
    port: config.port,
    uid: config.uid,
    gid: config.gid,
    fsGid: config.fsGid,
    resources: effectiveResources(request.resources, config.defaultResources),
    env,
    secretName: name,
    home: claim && storage ? { claimName: claim.metadata?.name ?? '', mountPath: storage.mountPath } : null,
    extraVolumes: config.extraVolumes,
    nodeSelector: config.nodeSelector,
    tolerations: config.tolerations,
    affinity: config.affinity,
    stopGraceSeconds: config.stopGraceSeconds,
    extraLabels: config.extraLabels,
  });
  const secret = buildServerSecret({ name, namespace, owner, values: env.secret, extraLabels: config.extraLabels });
  const networkPolicy = config.networkPolicy.enabled
    ? buildServerNetworkPolicy({ name, namespace, owner, port: config.port, policy: config.networkPolicy, extraLabels: config.extraLabels })
    : null;
  return { name, image, pod, secret, claim, networkPolicy };
}
