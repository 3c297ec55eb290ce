// Pod status and events -> progress words, readiness or a clear failure; and why a pod that is
// no longer serving stopped. Table-driven over the states the kubelet and scheduler report.
import { goneReason, stoppedReason } from '../../../../spawner/kubernetes/pod-status';
import type { ContainerView, EventView, PodView } from '../../../../spawner/kubernetes/pod-view';
import { describeStart, type StartObservation } from '../../../../spawner/kubernetes/progress';

const IMAGE = 'quay.io/jupyter/base-notebook:2025-01-13';

function pod(overrides: Partial<PodView> = {}, container: Partial<ContainerView> | null = null): PodView {
  return {
    name: 'jupyter-alice-0123456789', uid: 'uid-1', resourceVersion: '7', user: 'alice', serverName: '', startId: 's',
    image: IMAGE, port: 8888, phase: 'Pending', podIP: null, nodeName: null, deleting: false, statusReason: null,
    statusMessage: null, scheduled: null, disruption: null,
    container: container ? { ready: false, restartCount: 0, running: false, waiting: null, terminated: null, lastTerminated: null, ...container } : null,
    ...overrides,
  };
}

function event(reason: string, message = '', type = 'Normal'): EventView {
  return { name: `e-${reason}`, podName: 'jupyter-alice-0123456789', podUid: 'uid-1', reason, message, type, count: 1, at: 0, resourceVersion: '1' };
}

function observe(p: PodView | null, events: EventView[] = [], extra: Partial<StartObservation> = {}): ReturnType<typeof describeStart> {
  return describeStart({ pod: p, events, image: IMAGE, now: 10_000, unschedulableSince: null, unschedulableTimeoutMs: 60_000, ...extra });
}

const UNSCHEDULABLE = { status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient memory.' };

describe('describeStart: progress', () => {
  it.each<[string, PodView | null, EventView[], number, RegExp]>([
    ['not seen yet', null, [], 30, /^Creating your server$/],
    ['pending, no news', pod(), [], 35, /Waiting for a node to run your server/],
    ['unschedulable', pod({ scheduled: UNSCHEDULABLE }), [event('FailedScheduling', UNSCHEDULABLE.message, 'Warning')], 35, /Waiting for a node with room for your server \(0\/3 nodes are available: 3 Insufficient memory\.\)/],
    ['scale-up on its way', pod({ scheduled: UNSCHEDULABLE }), [event('FailedScheduling'), event('TriggeredScaleUp')], 35, /The cluster is adding a node for your server/],
    ['scheduled', pod({ nodeName: 'n1' }), [event('Scheduled')], 40, /given a node/],
    ['pulling', pod({ nodeName: 'n1' }, { waiting: { reason: 'ContainerCreating', message: null } }), [event('Scheduled'), event('Pulling')], 50, new RegExp(`Pulling image ${IMAGE.replace(/[.]/g, '\\.')}`)],
    ['pulled', pod({ nodeName: 'n1' }), [event('Scheduled'), event('Pulling'), event('Pulled')], 70, /is ready/],
    ['events out of order', pod({ nodeName: 'n1' }), [event('Pulled'), event('Pulling'), event('Scheduled')], 70, /is ready/],
    ['created', pod({ nodeName: 'n1' }), [event('Pulled'), event('Created')], 80, /Starting your server/],
    ['pull failed once, retrying', pod({ nodeName: 'n1' }, { waiting: { reason: 'ErrImagePull', message: 'i/o timeout' } }), [], 50, /failed; trying again \(i\/o timeout\)/],
    ['running without an IP yet', pod({ phase: 'Running' }, { running: false }), [], 85, /starting up/],
  ])('%s', (_label, p, events, progress, message) => {
    const step = observe(p, events);
    expect(step).toMatchObject({ kind: 'progress', progress });
    if (step.kind === 'progress') expect(step.message).toMatch(message);
  });

  it('flags unschedulable so the caller can time it', () => {
    expect(observe(pod({ scheduled: UNSCHEDULABLE }))).toMatchObject({ unschedulable: true });
    expect(observe(pod())).toMatchObject({ unschedulable: false });
  });
});

describe('describeStart: ready and failures', () => {
  it('is ready once running with an IP and a running container', () => {
    expect(observe(pod({ phase: 'Running', podIP: '10.1.2.3' }, { running: true, ready: true }))).toEqual({ kind: 'ready', podIP: '10.1.2.3' });
  });

  it.each<[string, PodView, Partial<StartObservation>, string, RegExp, boolean]>([
    ['image pull back-off', pod({}, { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image: not found' } }), {}, 'image-pull', new RegExp(`The image ${IMAGE.replace(/[.]/g, '\\.')} cannot be pulled \\(ImagePullBackOff\\): Back-off pulling image: not found`), false],
    ['invalid image name', pod({}, { waiting: { reason: 'InvalidImageName', message: 'bad' } }), {}, 'image-pull', /cannot be pulled/, false],
    ['unschedulable too long', pod({ scheduled: UNSCHEDULABLE }), { unschedulableSince: 0, unschedulableTimeoutMs: 5_000 }, 'unschedulable', /^No node has room for your server: 0\/3 nodes are available: 3 Insufficient memory\.$/, false],
    ['crashed', pod({ phase: 'Failed' }, { terminated: { exitCode: 1, reason: 'Error', message: null } }), {}, 'crashed', /^Your server crashed while starting: it exited with code 1\.$/, true],
    ['killed for memory', pod({ phase: 'Failed' }, { terminated: { exitCode: 137, reason: 'OOMKilled', message: null } }), {}, 'out-of-memory', /ran out of memory \(OOMKilled\)/, true],
    ['crash loop', pod({}, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' }, lastTerminated: { exitCode: 2, reason: 'Error', message: null } }), {}, 'crashed', /exited with code 2/, true],
    ['bad container config', pod({}, { waiting: { reason: 'CreateContainerConfigError', message: 'secret "x" not found' } }), {}, 'container-config', /secret "x" not found/, false],
    ['deleted while starting', pod({ deleting: true }), {}, 'deleted', /deleted while it was starting/, false],
    ['evicted while starting', pod({ phase: 'Failed', statusReason: 'Evicted', statusMessage: 'The node was low on resource: memory.' }), {}, 'evicted', /evicted while it was starting: The node was low/, false],
  ])('%s', (_label, p, extra, reason, message, wantsLog) => {
    const step = observe(p, [], extra);
    expect(step).toMatchObject({ kind: 'failed', reason, wantsLog });
    if (step.kind === 'failed') expect(step.message).toMatch(message);
  });

  it('waits out an unschedulable pod while the cluster scales up, even past the limit', () => {
    const step = observe(pod({ scheduled: UNSCHEDULABLE }), [event('TriggeredScaleUp')], { unschedulableSince: 0, unschedulableTimeoutMs: 1 });
    expect(step).toMatchObject({ kind: 'progress', unschedulable: true });
  });
});

describe('stoppedReason and goneReason', () => {
  it.each<[string, PodView, string | null]>([
    ['pending', pod(), null],
    ['running', pod({ phase: 'Running', podIP: '10.0.0.1' }, { running: true }), null],
    ['evicted', pod({ phase: 'Failed', statusReason: 'Evicted', statusMessage: 'The node was low on resource: memory.' }), 'its pod was evicted: The node was low on resource: memory.'],
    ['exited', pod({ phase: 'Failed' }, { terminated: { exitCode: 3, reason: 'Error', message: null } }), 'it exited with code 3'],
    ['oom', pod({ phase: 'Failed' }, { terminated: { exitCode: 137, reason: 'OOMKilled', message: null } }), 'it ran out of memory (OOMKilled)'],
    ['finished', pod({ phase: 'Succeeded' }, { terminated: { exitCode: 0, reason: 'Completed', message: null } }), 'it exited with code 0'],
    ['drained', pod({ deleting: true, disruption: { status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' } }), 'its pod was evicted (its node is being drained, or the cluster made room): Eviction API: evicting'],
    ['being deleted', pod({ deleting: true }), 'its pod is being deleted'],
  ])('%s', (_label, p, reason) => {
    expect(stoppedReason(p)).toBe(reason);
  });

  it('explains a pod deleted behind our back from how it looked last', () => {
    expect(goneReason(pod({ phase: 'Running' }, { running: true }))).toMatch(/deleted outside the hub/);
    expect(goneReason(pod({ disruption: { status: 'True', reason: 'DeletionByTaintManager', message: null } }))).toBe('the node it ran on became unavailable');
    expect(goneReason(pod({ phase: 'Failed', statusReason: 'Evicted', statusMessage: 'low memory' }))).toBe('its pod was evicted: low memory, and its pod was then deleted');
  });
});
