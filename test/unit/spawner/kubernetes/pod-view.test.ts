// Pods and events from a list (client models, Date fields) and from a watch (raw JSON) give
// the same compact views.
import { V1Pod } from '@kubernetes/client-node';
import { eventViewOf, podViewOf, timeOf } from '../../../../spawner/kubernetes/pod-view';
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';

const RAW_POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'jupyter-alice-1', uid: 'u1', resourceVersion: '42', creationTimestamp: '2025-01-01T00:00:00Z', deletionTimestamp: '2025-01-01T00:01:00Z',
    annotations: { 'sciencehub.io/user-name': 'Alice', 'sciencehub.io/server-name': 'gpu', 'sciencehub.io/start-id': 's1' },
  },
  spec: { nodeName: 'n1', containers: [{ name: 'notebook', image: 'img:1', ports: [{ name: 'http', containerPort: 8888 }] }] },
  status: {
    phase: 'Running', podIP: '10.0.0.7',
    conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: 'preempted' }],
    containerStatuses: [{ name: 'notebook', image: 'img:1', imageID: '', ready: true, restartCount: 1, state: { running: { startedAt: '2025-01-01T00:00:05Z' } }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }],
  },
};

describe('podViewOf', () => {
  it('reads a raw watch object', () => {
    expect(podViewOf(RAW_POD)).toEqual({
      name: 'jupyter-alice-1', uid: 'u1', resourceVersion: '42', user: 'Alice', serverName: 'gpu', startId: 's1', image: 'img:1', port: 8888,
      phase: 'Running', podIP: '10.0.0.7', nodeName: 'n1', deleting: true, statusReason: null, statusMessage: null,
      scheduled: { status: 'True', reason: null, message: null },
      disruption: { status: 'True', reason: 'PreemptionByScheduler', message: 'preempted' },
      container: { ready: true, restartCount: 1, running: true, waiting: null, terminated: null, lastTerminated: { exitCode: 137, reason: 'OOMKilled', message: null } },
    });
  });

  it('gives the same view for the client model of the same pod (Date fields)', () => {
    const model = ObjectSerializer.deserialize(RAW_POD, 'V1Pod', '') as V1Pod;
    expect(model.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    expect(podViewOf(model)).toEqual(podViewOf(RAW_POD));
  });

  it('refuses objects without a name or uid', () => {
    expect(podViewOf({ metadata: { name: 'x' } })).toBeNull();
    expect(podViewOf(null)).toBeNull();
  });
});

describe('eventViewOf', () => {
  const raw = {
    metadata: { name: 'jupyter-alice-1.17a', resourceVersion: '9', creationTimestamp: '2025-01-01T00:00:00Z' },
    involvedObject: { kind: 'Pod', name: 'jupyter-alice-1', uid: 'u1' },
    reason: 'Pulling', message: 'Pulling image "img:1"', type: 'Normal', count: 2, lastTimestamp: '2025-01-01T00:00:03Z',
  };

  it('reads what it needs, from raw JSON or a client model alike', () => {
    const view = { name: 'jupyter-alice-1.17a', podName: 'jupyter-alice-1', podUid: 'u1', reason: 'Pulling', message: 'Pulling image "img:1"', type: 'Normal', count: 2, at: Date.parse('2025-01-01T00:00:03Z'), resourceVersion: '9' };
    expect(eventViewOf(raw)).toEqual(view);
    expect(eventViewOf(ObjectSerializer.deserialize(raw, 'CoreV1Event', ''))).toEqual(view);
  });

  it('ignores events about other kinds', () => {
    expect(eventViewOf({ ...raw, involvedObject: { kind: 'Node', name: 'n1' } })).toBeNull();
  });

  it('timeOf reads Dates and strings', () => {
    expect(timeOf(new Date(5))).toBe(5);
    expect(timeOf('1970-01-01T00:00:01Z')).toBe(1000);
    expect(timeOf('never')).toBeNull();
  });
});
