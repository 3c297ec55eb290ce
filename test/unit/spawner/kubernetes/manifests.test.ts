// The manifest builders, table-driven: every object, for every config variant, is what the client
// would put on the wire, accepted by the official schema with no unknown field, and lossless
// through the client's serializer. Then the properties that protect users, one by one.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { KubernetesSpawnerConfigSchema, type KubernetesSpawnerConfigInput } from '../../../../spawner/kubernetes/config';
import { ANNOTATION, LABEL } from '../../../../spawner/kubernetes/labels';
import { ManifestError, resourceRequirements } from '../../../../spawner/kubernetes/manifests/pod';
import { planServerObjects, type ServerObjects } from '../../../../spawner/kubernetes/server-objects';
import { NO_RESOURCES, type SpawnRequest } from '../../../../spawner/types';
import { validationCauses } from '../../../helpers/kube-api-server/validation';
import { serializesLosslessly, toWire } from '../../../helpers/kube-api-server/wire';

const TOKEN = 'hub-issued-token-7f3a9c';

function request(overrides: Partial<SpawnRequest> = {}): SpawnRequest {
  const user = overrides.user ?? 'alice';
  return {
    user,
    serverName: '',
    state: null,
    image: 'quay.io/jupyter/scipy-notebook:2025-01-13',
    resources: NO_RESOURCES,
    prefix: `/user/${encodeURIComponent(user)}/`,
    env: { JUPYTERHUB_API_TOKEN: TOKEN, JPY_API_TOKEN: TOKEN, JUPYTERHUB_USER: user, JUPYTERHUB_CLIENT_ID: `jupyterhub-user-${user}` },
    ...overrides,
  };
}

function plan(config: KubernetesSpawnerConfigInput = {}, req: SpawnRequest = request()): ServerObjects {
  return planServerObjects(KubernetesSpawnerConfigSchema.parse(config), 'users', req, 'start-0001');
}

const GiB = 2 ** 30;

const VARIANTS: Array<[string, KubernetesSpawnerConfigInput, SpawnRequest]> = [
  ['defaults', {}, request()],
  ['no storage', { storage: null }, request()],
  ['per-server storage with a class', { storage: { scope: 'server', storageClass: 'fast-ssd', size: '50Gi', accessMode: 'ReadWriteMany' } }, request({ serverName: 'gpu' })],
  ['full resources', {}, request({ resources: { memLimit: 4 * GiB, memGuarantee: GiB, cpuLimit: 2, cpuGuarantee: 0.5 } })],
  ['resources from config defaults', { defaultResources: { memLimit: '2Gi', cpuGuarantee: 0.25 } }, request()],
  ['placement', {
    nodeSelector: { 'sciencehub.io/pool': 'users' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'users', effect: 'NoSchedule' }, { operator: 'Exists' }],
    affinity: {
      nodeRequired: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1a'] }],
      nodePreferred: [{ weight: 50, matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }],
    },
  }, request()],
  ['extra volumes of every kind', {
    extraVolumes: [
      { name: 'shared-data', mountPath: '/data', source: { kind: 'persistentVolumeClaim', claimName: 'jwst-reference-files' } },
      { name: 'motd', mountPath: '/etc/motd.d', readOnly: true, source: { kind: 'configMap', name: 'motd' } },
      { name: 'creds', mountPath: '/etc/creds', source: { kind: 'secret', secretName: 'archive-creds' } },
      { name: 'archive', mountPath: '/archive', subPath: 'public', readOnly: false, source: { kind: 'nfs', server: 'nfs.example.org', path: '/export' } },
    ],
  }, request()],
  ['command, pull secrets, labels, env', {
    cmd: ['start-singleuser.sh'], args: ['--debug'], imagePullSecrets: ['registry-creds'], extraLabels: { team: 'astro' },
    extraEnv: { CRDS_SERVER_URL: 'https://jwst-crds.stsci.edu', ARCHIVE_PASSWORD: 'hunter2' },
  }, request()],
  ['network policy', { networkPolicy: { enabled: true } }, request()],
  ['awkward names', { networkPolicy: { enabled: true } }, request({ user: 'Zoë.Ünter_Name@example.org$(HOME)', serverName: 'My GPU run #2' })],
  ['200-character user name', {}, request({ user: 'u'.repeat(200) })],
  ['no image in the request', { defaultImage: 'registry.example.org/base:1.0' }, request({ image: null })],
];

describe.each(VARIANTS)('%s', (_label, config, req) => {
  const objects = plan(config, req);
  const all: Array<[string, unknown, string]> = [
    ['pod', objects.pod, 'V1Pod'],
    ['secret', objects.secret, 'V1Secret'],
    ...(objects.claim ? [['claim', objects.claim, 'V1PersistentVolumeClaim'] as [string, unknown, string]] : []),
    ...(objects.networkPolicy ? [['network policy', objects.networkPolicy, 'V1NetworkPolicy'] as [string, unknown, string]] : []),
  ];

  test.each(all)('the %s passes the official schema, with no unknown field and no semantic error', (_what, obj, type) => {
    expect(validationCauses(toWire(obj, type))).toEqual([]);
  });

  test.each(all)('the %s loses nothing in the client serializer', (_what, obj, type) => {
    expect(serializesLosslessly(obj, type)).toBe(true);
  });

  test('no credential appears in the pod spec; the Secret holds them and the pod refers to it', () => {
    const pod = JSON.stringify(toWire(objects.pod, 'V1Pod'));
    expect(pod).not.toContain(TOKEN);
    expect(pod).not.toContain('hunter2');
    const env = container(objects.pod).env ?? [];
    const token = env.find((e) => e.name === 'JUPYTERHUB_API_TOKEN');
    expect(token).toEqual({ name: 'JUPYTERHUB_API_TOKEN', valueFrom: { secretKeyRef: { name: objects.name, key: 'JUPYTERHUB_API_TOKEN' } } });
    expect(Buffer.from(objects.secret.data?.JUPYTERHUB_API_TOKEN ?? '', 'base64').toString()).toBe(TOKEN);
    expect(objects.secret.metadata?.name).toBe(objects.name);
  });

  test('the pod runs as non-root, without privilege escalation or capabilities, with seccomp and no token', () => {
    const spec = objects.pod.spec;
    const c = container(objects.pod);
    expect(spec?.automountServiceAccountToken).toBe(false);
    expect(spec?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 1000, runAsGroup: 100, allowPrivilegeEscalation: false, privileged: false,
      capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(spec?.restartPolicy).toBe('Never');
    expect(spec?.enableServiceLinks).toBe(false);
  });

  test('labels say who owns it and that we manage it; annotations keep the exact names', () => {
    for (const [, obj] of all) {
      const meta = (obj as { metadata: { labels: Record<string, string>; annotations: Record<string, string> } }).metadata;
      expect(meta.labels[LABEL.managedBy]).toBe('sciencehub');
      expect(meta.labels[LABEL.instance]).toBe('sciencehub');
      expect(meta.labels[LABEL.user]).toBeDefined();
      expect(meta.annotations[ANNOTATION.user]).toBe(req.user);
    }
    expect(objects.pod.metadata?.labels?.[LABEL.component]).toBe('singleuser-server');
    expect(objects.pod.metadata?.annotations?.[ANNOTATION.server]).toBe(req.serverName);
  });

  test('the server listens on every interface of the pod, under its prefix', () => {
    const env = container(objects.pod).env ?? [];
    expect(env.find((e) => e.name === 'JUPYTERHUB_SERVICE_URL')?.value).toBe(`http://0.0.0.0:8888${req.prefix}`);
    expect(container(objects.pod).ports).toEqual([{ name: 'http', containerPort: 8888, protocol: 'TCP' }]);
  });
});

function container(pod: V1Pod): V1Container {
  const c = pod.spec?.containers[0];
  if (!c) throw new Error('no container');
  return c;
}

describe('resources', () => {
  test('limits and guarantees of the request become limits and requests, as exact quantities', () => {
    const c = container(plan({}, request({ resources: { memLimit: 4 * GiB, memGuarantee: 1536 * 2 ** 20, cpuLimit: 2, cpuGuarantee: 0.5 } })).pod);
    expect(c.resources).toEqual({ limits: { memory: '4Gi', cpu: '2' }, requests: { memory: '1536Mi', cpu: '500m' } });
  });

  test('the request wins over config defaults, which fill what it leaves unset', () => {
    const c = container(plan({ defaultResources: { memLimit: '2Gi', cpuLimit: 1 } }, request({ resources: { ...NO_RESOURCES, memLimit: 8 * GiB } })).pod);
    expect(c.resources).toEqual({ limits: { memory: '8Gi', cpu: '1' } });
  });

  test('no resources means no resources section entries', () => {
    expect(container(plan().pod).resources).toEqual({});
  });

  test('a guarantee above its limit is refused before anything is sent', () => {
    expect(() => resourceRequirements({ memLimit: GiB, memGuarantee: 2 * GiB, cpuLimit: null, cpuGuarantee: null })).toThrow(ManifestError);
    expect(() => plan({}, request({ resources: { memLimit: null, memGuarantee: null, cpuLimit: 1, cpuGuarantee: 2 } }))).toThrow(/CPU guarantee/);
  });
});

describe('environment', () => {
  test('values are escaped against $(VAR) expansion; secret-looking names go to the Secret', () => {
    const objects = plan({ extraEnv: { GREETING: 'costs $5', ARCHIVE_PASSWORD: 'hunter2' } }, request({ user: '$(HOME)' }));
    const env = container(objects.pod).env ?? [];
    expect(env.find((e) => e.name === 'JUPYTERHUB_USER')?.value).toBe('$$(HOME)');
    expect(env.find((e) => e.name === 'GREETING')?.value).toBe('costs $$5');
    expect(env.find((e) => e.name === 'ARCHIVE_PASSWORD')?.valueFrom?.secretKeyRef?.key).toBe('ARCHIVE_PASSWORD');
    expect(Object.keys(objects.secret.data ?? {}).sort()).toEqual(['ARCHIVE_PASSWORD', 'JPY_API_TOKEN', 'JUPYTERHUB_API_TOKEN']);
  });

  test('the request env wins over config env, and the service URL over both', () => {
    const objects = plan({ extraEnv: { JUPYTERHUB_USER: 'mallory', JUPYTERHUB_SERVICE_URL: 'http://evil/' } }, request());
    const env = container(objects.pod).env ?? [];
    expect(env.find((e) => e.name === 'JUPYTERHUB_USER')?.value).toBe('alice');
    expect(env.find((e) => e.name === 'JUPYTERHUB_SERVICE_URL')?.value).toBe('http://0.0.0.0:8888/user/alice/');
  });

  test('variables are sorted by name, so the spec is the same for the same request', () => {
    const names = (container(plan().pod).env ?? []).map((e) => e.name);
    expect(names).toEqual([...names].sort());
  });
});

describe('volumes', () => {
  test('the home claim is mounted at the configured path and per user by default', () => {
    const a = plan({ storage: { mountPath: '/home/astro' } }, request({ serverName: '' }));
    const b = plan({}, request({ serverName: 'gpu' }));
    expect(container(a.pod).volumeMounts).toEqual([{ name: 'home', mountPath: '/home/astro' }]);
    expect(a.claim?.metadata?.name).toBe(b.claim?.metadata?.name);
    expect(a.pod.spec?.volumes).toEqual([{ name: 'home', persistentVolumeClaim: { claimName: a.claim?.metadata?.name } }]);
    expect(a.claim?.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } });
  });

  test('extra volumes are read-only unless configured otherwise', () => {
    const objects = plan({ extraVolumes: [{ name: 'refs', mountPath: '/refs', source: { kind: 'persistentVolumeClaim', claimName: 'crds-cache' } }] });
    expect(container(objects.pod).volumeMounts).toContainEqual({ name: 'refs', mountPath: '/refs', readOnly: true });
    expect(objects.pod.spec?.volumes).toContainEqual({ name: 'refs', persistentVolumeClaim: { claimName: 'crds-cache', readOnly: true } });
  });
});

describe('network policy', () => {
  test('only the proxy and hub may connect; DNS, the hub and the internet but not metadata or private ranges are reachable', () => {
    const objects = plan({ networkPolicy: { enabled: true } });
    const wire = toWire(objects.networkPolicy, 'V1NetworkPolicy') as { spec: Record<string, unknown> };
    expect(wire.spec.podSelector).toEqual({ matchLabels: expect.objectContaining({ [LABEL.user]: expect.any(String), [LABEL.server]: '' }) });
    expect(wire.spec.ingress).toEqual([{
      from: [
        { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'sciencehub', 'app.kubernetes.io/component': 'proxy' } } },
        { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'sciencehub', 'app.kubernetes.io/component': 'hub' } } },
      ],
      ports: [{ protocol: 'TCP', port: 8888 }],
    }]);
    expect(wire.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }] });
    expect(wire.spec.policyTypes).toEqual(['Ingress', 'Egress']);
  });

  test('none when disabled', () => {
    expect(plan().networkPolicy).toBeNull();
  });
});

describe('the validator used by the test API server has teeth', () => {
  const wirePod = () => toWire(plan().pod, 'V1Pod') as { spec: { containers: Array<Record<string, unknown>> }; metadata: Record<string, unknown> };

  test('an unknown field anywhere is refused, with its path', () => {
    const pod = wirePod();
    (pod.spec.containers[0]?.securityContext as Record<string, unknown>).runAsNonroot = true;
    expect(validationCauses(pod)).toContainEqual(expect.objectContaining({ field: 'spec.containers[0].securityContext.runAsNonroot', message: 'unknown field "runAsNonroot"' }));
  });

  test('a wrong type, a bad quantity and a bad label value are refused', () => {
    const pod = wirePod();
    pod.spec.containers[0] = { ...pod.spec.containers[0], resources: { limits: { memory: 'lots' } } };
    (pod.metadata.labels as Record<string, string>)[LABEL.user] = 'x'.repeat(64);
    pod.metadata.name = 'Not_A_DNS_Name';
    const fields = validationCauses(pod).map((c) => c.field);
    expect(fields).toEqual(expect.arrayContaining(['spec.containers[0].resources.limits.memory', 'metadata.labels', 'metadata.name']));
  });

  test('requests above limits and mounts of missing volumes are refused', () => {
    const pod = wirePod();
    pod.spec.containers[0] = { ...pod.spec.containers[0], resources: { limits: { cpu: '1' }, requests: { cpu: '1500m' } }, volumeMounts: [{ name: 'nope', mountPath: '/x' }] };
    const fields = validationCauses(pod).map((c) => c.field);
    expect(fields).toEqual(expect.arrayContaining(['spec.containers[0].resources.requests', 'spec.containers[0].volumeMounts[0].name']));
  });
});
