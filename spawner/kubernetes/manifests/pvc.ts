// Pure builder of a home volume claim: kept across server restarts, never deleted by stop().
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { StorageConfig } from '../config';
import { COMPONENT, objectLabels, ownerAnnotations, type OwnerNames } from '../labels';

export interface HomeClaimInput {
  name: string;
  namespace: string;
  /** serverName null: the claim belongs to the user (storage scope 'user'). */
  owner: OwnerNames;
  storage: Pick<StorageConfig, 'size' | 'storageClass' | 'accessMode'>;
  extraLabels: Readonly<Record<string, string>>;
}

export function buildHomeClaim(input: HomeClaimInput): V1PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: objectLabels(input.owner, COMPONENT.storage, input.extraLabels),
      annotations: ownerAnnotations(input.owner),
    },
    spec: {
      accessModes: [input.storage.accessMode],
      resources: { requests: { storage: input.storage.size } },
      ...(input.storage.storageClass !== null ? { storageClassName: input.storage.storageClass } : {}),
    },
  };
}
