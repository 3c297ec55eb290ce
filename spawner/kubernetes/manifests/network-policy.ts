// Pure builder of a server's NetworkPolicy: only the proxy and hub may connect to it; it may reach
// DNS, the hub and the internet, but not the cloud metadata address or other pods' private ranges.
import type { V1NetworkPolicy, V1NetworkPolicyEgressRule, V1NetworkPolicyPeer } from '@kubernetes/client-node';
import type { NetworkPolicyConfig } from '../config';
import { COMPONENT, objectLabels, ownerAnnotations, serverSelector, type OwnerNames } from '../labels';

export interface ServerNetworkPolicyInput {
  name: string;
  namespace: string;
  owner: OwnerNames & { serverName: string };
  port: number;
  policy: Pick<NetworkPolicyConfig, 'ingressFromPods' | 'egressToPods' | 'egressBlockedCidrs' | 'allowDns'>;
  extraLabels: Readonly<Record<string, string>>;
}

export function buildServerNetworkPolicy(input: ServerNetworkPolicyInput): V1NetworkPolicy {
  const { policy } = input;
  const egress: V1NetworkPolicyEgressRule[] = [];
  if (policy.allowDns) egress.push({ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] });
  if (policy.egressToPods.length) egress.push({ to: policy.egressToPods.map(podPeer) });
  egress.push({ to: internetPeers(policy.egressBlockedCidrs) });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: objectLabels(input.owner, COMPONENT.server, input.extraLabels),
      annotations: ownerAnnotations(input.owner),
    },
    spec: {
      podSelector: { matchLabels: serverSelector(input.owner) },
      policyTypes: ['Ingress', 'Egress'],
      // No peers listed means nobody may connect; the client's model names this field `_from`.
      ingress: policy.ingressFromPods.length
        ? [{ _from: policy.ingressFromPods.map(podPeer), ports: [{ protocol: 'TCP', port: input.port }] }]
        : [],
      egress,
    },
  };
}

function podPeer(labels: Readonly<Record<string, string>>): V1NetworkPolicyPeer {
  return { podSelector: { matchLabels: { ...labels } } };
}

/** Everything except the blocked ranges, per address family that has blocked ranges (IPv4 always). */
function internetPeers(blocked: readonly string[]): V1NetworkPolicyPeer[] {
  const v4 = blocked.filter((c) => !c.includes(':'));
  const v6 = blocked.filter((c) => c.includes(':'));
  const peers: V1NetworkPolicyPeer[] = [{ ipBlock: { cidr: '0.0.0.0/0', ...(v4.length ? { except: v4 } : {}) } }];
  if (v6.length) peers.push({ ipBlock: { cidr: '::/0', except: v6 } });
  return peers;
}
