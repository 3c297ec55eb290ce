// What a starting pod is doing, from its status and events, in words a user understands (pure):
// a progress step, ready (with its address), or a failure with a clear message.
import { describeTermination } from './pod-status';
import type { EventView, PodView } from './pod-view';

export type StartStep =
  | { kind: 'progress'; progress: number; message: string; unschedulable: boolean }
  | { kind: 'ready'; podIP: string }
  | { kind: 'failed'; reason: string; message: string; wantsLog: boolean };

export interface StartObservation {
  /** null until the cache has seen the pod we created. */
  pod: PodView | null;
  /** This pod's events (matching its uid), oldest first. */
  events: readonly EventView[];
  image: string;
  now: number;
  /** When the pod was first seen unschedulable in this start (null: not so far). */
  unschedulableSince: number | null;
  unschedulableTimeoutMs: number;
}

/** Image errors that retrying will not fix; ErrImagePull alone is retried by the kubelet. */
const IMAGE_FATAL = new Set(['ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const CONFIG_FATAL = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

/** Events that move a start forward, with the progress they stand for. */
const EVENT_STEPS: Record<string, { progress: number; message: (image: string) => string }> = {
  Scheduled: { progress: 40, message: () => 'Your server was given a node; preparing it' },
  SuccessfulAttachVolume: { progress: 45, message: () => 'Your home volume is attached' },
  Pulling: { progress: 50, message: (image) => `Pulling image ${image} (the first start on a node takes a while)` },
  Pulled: { progress: 70, message: (image) => `Image ${image} is ready` },
  Created: { progress: 80, message: () => 'Starting your server' },
  Started: { progress: 85, message: () => 'Your server is starting up' },
};

const progress = (p: number, message: string, unschedulable = false): StartStep => ({ kind: 'progress', progress: p, message, unschedulable });

export function describeStart(o: StartObservation): StartStep {
  const { pod } = o;
  if (!pod) return progress(30, 'Creating your server');
  if (pod.deleting) {
    return { kind: 'failed', reason: 'deleted', message: "Your server's pod was deleted while it was starting.", wantsLog: false };
  }
  if (pod.statusReason === 'Evicted') {
    return { kind: 'failed', reason: 'evicted', message: `Your server's pod was evicted while it was starting: ${pod.statusMessage ?? 'no reason given'}`, wantsLog: false };
  }
  const c = pod.container;
  const ended = c?.terminated ?? (c?.waiting?.reason === 'CrashLoopBackOff' ? c.lastTerminated : null);
  if (ended || c?.waiting?.reason === 'CrashLoopBackOff') {
    const how = ended ? describeTermination(ended) : 'it keeps crashing';
    return { kind: 'failed', reason: ended?.reason === 'OOMKilled' ? 'out-of-memory' : 'crashed', message: `Your server crashed while starting: ${how}.`, wantsLog: true };
  }
  if (pod.phase === 'Failed' || pod.phase === 'Succeeded') {
    return { kind: 'failed', reason: 'pod-failed', message: `Your server's pod ${pod.phase === 'Failed' ? 'failed' : 'ended'}: ${pod.statusMessage ?? pod.statusReason ?? 'no reason given'}`, wantsLog: true };
  }
  const waiting = c?.waiting ?? null;
  if (waiting?.reason && IMAGE_FATAL.has(waiting.reason)) {
    return { kind: 'failed', reason: 'image-pull', message: `The image ${o.image} cannot be pulled (${waiting.reason}): ${waiting.message ?? 'no detail given'}`, wantsLog: false };
  }
  if (waiting?.reason && CONFIG_FATAL.has(waiting.reason)) {
    return { kind: 'failed', reason: 'container-config', message: `Your server's container could not be created: ${waiting.message ?? waiting.reason}`, wantsLog: false };
  }
  if (pod.phase === 'Running' && pod.podIP && c?.running) return { kind: 'ready', podIP: pod.podIP };
  if (waiting?.reason === 'ErrImagePull') {
    return progress(50, `Pulling image ${o.image} failed; trying again (${waiting.message ?? 'no detail given'})`);
  }
  return schedulingOrEvents(o, pod);
}

function schedulingOrEvents(o: StartObservation, pod: PodView): StartStep {
  const unschedulable = pod.scheduled?.status === 'False' && pod.scheduled.reason === 'Unschedulable';
  if (unschedulable) {
    const why = pod.scheduled?.message ?? lastEvent(o.events, ['FailedScheduling'])?.message ?? 'no reason given';
    if (lastEvent(o.events, ['TriggeredScaleUp'])) return progress(35, `The cluster is adding a node for your server (${why})`, true);
    const since = o.unschedulableSince ?? o.now;
    if (o.now - since >= o.unschedulableTimeoutMs) {
      return { kind: 'failed', reason: 'unschedulable', message: `No node has room for your server: ${why}`, wantsLog: false };
    }
    return progress(35, `Waiting for a node with room for your server (${why})`, true);
  }
  // The furthest step any event reached: events of one second may arrive in any order.
  let furthest: { progress: number; message: string } | null = null;
  for (const e of o.events) {
    const step = EVENT_STEPS[e.reason];
    if (step && (!furthest || step.progress >= furthest.progress)) furthest = { progress: step.progress, message: step.message(o.image) };
  }
  if (furthest) return progress(furthest.progress, furthest.message);
  if (pod.phase === 'Running') return progress(85, 'Your server is starting up');
  if (pod.nodeName || pod.scheduled?.status === 'True') return progress(40, 'Your server was given a node; preparing it');
  return progress(35, 'Waiting for a node to run your server');
}

function lastEvent(events: readonly EventView[], reasons: readonly string[]): EventView | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e && reasons.includes(e.reason)) return e;
  }
  return undefined;
}
