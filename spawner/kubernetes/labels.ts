// Labels, annotations and selectors shared by every object the spawner creates (pure).
// Labels hold label-safe stand-ins for names; the exact names live in annotations.
import { labelValue } from './names';

export const LABEL = {
  managedBy: 'app.kubernetes.io/managed-by',
  component: 'app.kubernetes.io/component',
  instance: 'app.kubernetes.io/instance',
  name: 'app.kubernetes.io/name',
  user: 'sciencehub.io/user',
  server: 'sciencehub.io/server',
} as const;

export const ANNOTATION = {
  user: 'sciencehub.io/user-name',
  server: 'sciencehub.io/server-name',
  /** Tells our own pod (a create retried after a lost answer) from a stale one of the same name. */
  startId: 'sciencehub.io/start-id',
} as const;

export const MANAGED_BY = 'sciencehub';
export const COMPONENT = { server: 'singleuser-server', storage: 'singleuser-storage' } as const;

export interface OwnerNames {
  instance: string;
  user: string;
  /** '' for the default server; null for objects that belong to the user, not one server. */
  serverName: string | null;
}

export function objectLabels(owner: OwnerNames, component: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const labels: Record<string, string> = {
    ...extra,
    [LABEL.name]: 'sciencehub',
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.component]: component,
    [LABEL.instance]: owner.instance,
    [LABEL.user]: labelValue(owner.user),
  };
  if (owner.serverName !== null) labels[LABEL.server] = labelValue(owner.serverName);
  return labels;
}

export function ownerAnnotations(owner: OwnerNames): Record<string, string> {
  const annotations: Record<string, string> = { [ANNOTATION.user]: owner.user };
  if (owner.serverName !== null) annotations[ANNOTATION.server] = owner.serverName;
  return annotations;
}

/** Labels that pick out exactly one server's pod (used by its NetworkPolicy). */
export function serverSelector(owner: OwnerNames & { serverName: string }): Record<string, string> {
  return {
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.component]: COMPONENT.server,
    [LABEL.instance]: owner.instance,
    [LABEL.user]: labelValue(owner.user),
    [LABEL.server]: labelValue(owner.serverName),
  };
}

/** Label selector (query syntax) of every server pod this hub instance manages. */
export function managedServersSelector(instance: string): string {
  return `${LABEL.managedBy}=${MANAGED_BY},${LABEL.component}=${COMPONENT.server},${LABEL.instance}=${instance}`;
}
