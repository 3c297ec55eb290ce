// Pure builder of a server's Secret: its API token and other credentials, referenced from the pod
// by secretKeyRef. Deleted with the pod (owner reference) and by stop().
import type { V1OwnerReference, V1Secret } from '@kubernetes/client-node';
import { COMPONENT, objectLabels, ownerAnnotations, type OwnerNames } from '../labels';

export interface ServerSecretInput {
  name: string;
  namespace: string;
  owner: OwnerNames & { serverName: string };
  /** Variable name -> value; each becomes one key of the Secret. */
  values: Readonly<Record<string, string>>;
  extraLabels: Readonly<Record<string, string>>;
}

export function buildServerSecret(input: ServerSecretInput): V1Secret {
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.values)) data[key] = Buffer.from(value, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: objectLabels(input.owner, COMPONENT.server, input.extraLabels),
      annotations: ownerAnnotations(input.owner),
    },
    data,
  };
}

/** Makes `pod` the owner of an object, so the garbage collector removes it with the pod. */
export function podOwnerReference(pod: { name: string; uid: string }): V1OwnerReference {
  return { apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid, blockOwnerDeletion: false };
}
