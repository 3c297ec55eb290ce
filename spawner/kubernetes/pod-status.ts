// Why a pod is not (or no longer) serving, in words a user understands (pure). Used by poll()
// for servers that stopped behind the hub's back, and by the start for pods that failed.
import type { ConditionView, PodView, TerminatedView } from './pod-view';

/** DisruptionTarget reasons Kubernetes sets when it takes a pod away. */
const DISRUPTIONS: Record<string, string> = {
  EvictionByEvictionAPI: 'its pod was evicted (its node is being drained, or the cluster made room)',
  DeletionByTaintManager: 'the node it ran on became unavailable',
  PreemptionByScheduler: 'its pod was preempted to make room for more important work',
  TerminationByKubelet: 'its node stopped it',
  DeletionByPodGC: 'the node it ran on was lost',
};

/** How a container ended: "it ran out of memory (OOMKilled)", "it exited with code 1 (Error)". */
export function describeTermination(t: TerminatedView): string {
  if (t.reason === 'OOMKilled') return 'it ran out of memory (OOMKilled)';
  const code = t.exitCode === null ? 'an unknown code' : `code ${t.exitCode}`;
  const why = t.reason && t.reason !== 'Error' && t.reason !== 'Completed' ? ` (${t.reason}${t.message ? `: ${t.message}` : ''})` : '';
  return `it exited with ${code}${why}`;
}

function describeDisruption(d: ConditionView): string {
  const words = (d.reason && DISRUPTIONS[d.reason]) ?? 'its pod was taken away by Kubernetes';
  return d.message ? `${words}: ${d.message}` : words;
}

/** Reason a pod that still exists does not count as running, or null if it does (pending or running). */
export function stoppedReason(pod: PodView): string | null {
  if (pod.statusReason === 'Evicted') return `its pod was evicted${pod.statusMessage ? `: ${pod.statusMessage}` : ''}`;
  const terminated = pod.container?.terminated ?? null;
  if (pod.phase === 'Failed' || pod.phase === 'Succeeded') {
    if (terminated) return describeTermination(terminated);
    return `its pod ${pod.phase === 'Failed' ? 'failed' : 'ended'}${pod.statusMessage ? `: ${pod.statusMessage}` : ''}`;
  }
  if (terminated) return describeTermination(terminated);
  if (pod.deleting) return pod.disruption?.status === 'True' ? describeDisruption(pod.disruption) : 'its pod is being deleted';
  return null;
}

/**
 * Reason for a pod that was deleted behind our back, from the last state seen before it went.
 * (Pods the spawner deletes itself leave no such record.)
 */
export function goneReason(lastSeen: PodView): string {
  if (lastSeen.disruption?.status === 'True') return describeDisruption(lastSeen.disruption);
  const before = stoppedReason({ ...lastSeen, deleting: false });
  if (before) return `${before}, and its pod was then deleted`;
  return 'its pod was deleted outside the hub (by an administrator, or because its node was lost)';
}
