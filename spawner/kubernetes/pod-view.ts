// Compact, plain views of pods and pod events (pure). The cache keeps these instead of whole
// objects: a few hundred bytes per pod, and one shape whether the object came from a list
// (client models with Date fields) or a watch (raw JSON with strings).
import { ANNOTATION } from './labels';
import { CONTAINER_NAME } from './manifests/pod';

export interface ContainerStateView {
  reason: string | null;
  message: string | null;
}

export interface TerminatedView extends ContainerStateView {
  exitCode: number | null;
}

export interface ContainerView {
  ready: boolean;
  restartCount: number;
  running: boolean;
  waiting: ContainerStateView | null;
  terminated: TerminatedView | null;
  lastTerminated: TerminatedView | null;
}

export interface ConditionView {
  status: string;
  reason: string | null;
  message: string | null;
}

export interface PodView {
  name: string;
  uid: string;
  resourceVersion: string;
  user: string | null;
  serverName: string | null;
  startId: string | null;
  image: string | null;
  port: number | null;
  phase: string;
  podIP: string | null;
  nodeName: string | null;
  deleting: boolean;
  statusReason: string | null;
  statusMessage: string | null;
  scheduled: ConditionView | null;
  /** The DisruptionTarget condition: why Kubernetes is taking the pod away (eviction, node lost, preemption). */
  disruption: ConditionView | null;
  container: ContainerView | null;
}

export interface EventView {
  name: string;
  podName: string;
  podUid: string | null;
  reason: string;
  message: string;
  type: string;
  count: number;
  /** When it last happened (ms since epoch), for ordering. */
  at: number;
  resourceVersion: string;
}

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Milliseconds of a timestamp that may be a Date (client models) or an RFC 3339 string (watch JSON). */
export function timeOf(v: unknown): number | null {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

export function podViewOf(raw: unknown): PodView | null {
  const pod = obj(raw);
  const meta = obj(pod.metadata);
  const name = str(meta.name);
  const uid = str(meta.uid);
  if (!name || !uid) return null;
  const annotations = obj(meta.annotations);
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  const specContainer = arr(spec.containers).map(obj).find((c) => c.name === CONTAINER_NAME) ?? obj(arr(spec.containers)[0]);
  const httpPort = arr(specContainer.ports).map(obj).find((p) => p.name === 'http') ?? obj(arr(specContainer.ports)[0]);
  const conditions = arr(status.conditions).map(obj);
  const statuses = arr(status.containerStatuses).map(obj);
  const ours = statuses.find((c) => c.name === CONTAINER_NAME) ?? statuses[0];
  return {
    name,
    uid,
    resourceVersion: str(meta.resourceVersion) ?? '',
    user: typeof annotations[ANNOTATION.user] === 'string' ? (annotations[ANNOTATION.user] as string) : null,
    serverName: typeof annotations[ANNOTATION.server] === 'string' ? (annotations[ANNOTATION.server] as string) : null,
    startId: str(annotations[ANNOTATION.startId]),
    image: str(specContainer.image),
    port: num(httpPort.containerPort),
    phase: str(status.phase) ?? 'Pending',
    podIP: str(status.podIP),
    nodeName: str(spec.nodeName),
    deleting: meta.deletionTimestamp !== undefined && meta.deletionTimestamp !== null,
    statusReason: str(status.reason),
    statusMessage: str(status.message),
    scheduled: conditionOf(conditions, 'PodScheduled'),
    disruption: conditionOf(conditions, 'DisruptionTarget'),
    container: ours ? containerViewOf(ours) : null,
  };
}

export function eventViewOf(raw: unknown): EventView | null {
  const ev = obj(raw);
  const meta = obj(ev.metadata);
  const involved = obj(ev.involvedObject);
  const name = str(meta.name);
  const podName = str(involved.name);
  if (!name || !podName || (involved.kind !== undefined && involved.kind !== 'Pod')) return null;
  return {
    name,
    podName,
    podUid: str(involved.uid),
    reason: str(ev.reason) ?? '',
    message: typeof ev.message === 'string' ? ev.message : '',
    type: str(ev.type) ?? 'Normal',
    count: num(ev.count) ?? 1,
    at: timeOf(ev.lastTimestamp) ?? timeOf(ev.eventTime) ?? timeOf(ev.firstTimestamp) ?? timeOf(meta.creationTimestamp) ?? 0,
    resourceVersion: str(meta.resourceVersion) ?? '',
  };
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function conditionOf(conditions: Obj[], type: string): ConditionView | null {
  const c = conditions.find((x) => x.type === type);
  if (!c) return null;
  return { status: str(c.status) ?? 'Unknown', reason: str(c.reason), message: str(c.message) };
}

function containerViewOf(c: Obj): ContainerView {
  const state = obj(c.state);
  const last = obj(c.lastState);
  return {
    ready: c.ready === true,
    restartCount: num(c.restartCount) ?? 0,
    running: state.running !== undefined && state.running !== null,
    waiting: state.waiting ? stateOf(obj(state.waiting)) : null,
    terminated: state.terminated ? terminatedOf(obj(state.terminated)) : null,
    lastTerminated: last.terminated ? terminatedOf(obj(last.terminated)) : null,
  };
}

function stateOf(s: Obj): ContainerStateView {
  return { reason: str(s.reason), message: str(s.message) };
}

function terminatedOf(s: Obj): TerminatedView {
  return { ...stateOf(s), exitCode: num(s.exitCode) };
}
