// The kubernetes spawner's config section: defaults, strictness, clear errors, and credentials.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadKubeConfig } from '../../../../spawner/kubernetes/client';
import { KubernetesSpawnerConfigSchema } from '../../../../spawner/kubernetes/config';
import { SpawnerConfigSchema } from '../../../../spawner/registry';

describe('KubernetesSpawnerConfigSchema', () => {
  it('has secure, working defaults', () => {
    const c = KubernetesSpawnerConfigSchema.parse({});
    expect(c).toMatchObject({
      namespace: null, instance: 'sciencehub', uid: 1000, gid: 100, fsGid: 100, port: 8888,
      storage: { size: '10Gi', accessMode: 'ReadWriteOnce', mountPath: '/home/jovyan', scope: 'user', storageClass: null },
      networkPolicy: { enabled: false }, credentials: { source: 'auto' },
      api: { maxConcurrentRequests: 10, maxConcurrentStarts: 20 },
    });
    expect(c.networkPolicy.egressBlockedCidrs).toContain('169.254.169.254/32');
  });

  it('turns storage off with null', () => {
    expect(KubernetesSpawnerConfigSchema.parse({ storage: null }).storage).toBeNull();
  });

  it.each<[unknown, (string | number)[]]>([
    [{ replicas: 2 }, []],
    [{ uid: 0 }, ['uid']],
    [{ namespace: 'Users' }, ['namespace']],
    [{ storage: { size: 'big' } }, ['storage', 'size']],
    [{ defaultResources: { memLimit: '2 GB' } }, ['defaultResources', 'memLimit']],
    [{ extraVolumes: [{ name: 'home', mountPath: '/x', source: { kind: 'configMap', name: 'c' } }] }, ['extraVolumes', 0, 'name']],
    [{ extraVolumes: [{ name: 'data', mountPath: '/x', source: { kind: 'hostPath', path: '/' } }] }, ['extraVolumes', 0, 'source', 'kind']],
    [{ extraEnv: { 'BAD-NAME': 'x' } }, ['extraEnv', 'BAD-NAME']],
    [{ networkPolicy: { egressBlockedCidrs: ['metadata'] } }, ['networkPolicy', 'egressBlockedCidrs', 0]],
    [{ tolerations: [{ operator: 'Maybe' }] }, ['tolerations', 0, 'operator']],
    [{ tolerations: [{ value: 'x' }] }, ['tolerations', 0, 'operator']],
    [{ tolerations: [{ key: 'k', operator: 'Exists', value: 'x' }] }, ['tolerations', 0, 'value']],
  ])('refuses %j at the right path', (input, where) => {
    const result = KubernetesSpawnerConfigSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(where);
  });

  it('is part of the hub config as spawner.kind: kubernetes', () => {
    const section = SpawnerConfigSchema.parse({ kind: 'kubernetes', namespace: 'users' });
    expect(section).toMatchObject({ kind: 'kubernetes', namespace: 'users', defaultImage: 'quay.io/jupyter/base-notebook:latest' });
    expect(SpawnerConfigSchema.safeParse({ kind: 'kubernetes', stateDir: '/tmp' }).error?.issues[0]).toMatchObject({ code: 'unrecognized_keys' });
  });
});

describe('loadKubeConfig', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sciencehub-kubeconfig-'));
  const file = path.join(dir, 'config');
  writeFileSync(file, [
    'apiVersion: v1', 'kind: Config',
    'clusters:', '- name: a\n  cluster:\n    server: https://a.example.org', '- name: b\n  cluster:\n    server: https://b.example.org',
    'users:', '- name: u\n  user:\n    token: t',
    'contexts:', '- name: ctx-a\n  context:\n    cluster: a\n    user: u\n    namespace: team-a', '- name: ctx-b\n  context:\n    cluster: b\n    user: u',
    'current-context: ctx-a', '',
  ].join('\n'));
  const base = KubernetesSpawnerConfigSchema.parse({});
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the file, its current context and its namespace', () => {
    const loaded = loadKubeConfig({ ...base, credentials: { source: 'kubeconfig', kubeconfigPath: file, context: null } }, {});
    expect(loaded.namespace).toBe('team-a');
    expect(loaded.kubeConfig.getCurrentCluster()?.server).toBe('https://a.example.org');
    expect(loaded.source).toBe(`kubeconfig ${file}, context ctx-a`);
  });

  it('switches context; the config namespace wins; default namespace otherwise', () => {
    const b = loadKubeConfig({ ...base, credentials: { source: 'kubeconfig', kubeconfigPath: file, context: 'ctx-b' } }, {});
    expect(b.kubeConfig.getCurrentCluster()?.server).toBe('https://b.example.org');
    expect(b.namespace).toBe('default');
    expect(loadKubeConfig({ ...base, namespace: 'users', credentials: { source: 'auto', kubeconfigPath: null, context: null } }, { KUBECONFIG: file }).namespace).toBe('users');
  });

  it('says what is missing', () => {
    expect(() => loadKubeConfig({ ...base, credentials: { source: 'kubeconfig', kubeconfigPath: file, context: 'nope' } }, {})).toThrow(/has no context 'nope'/);
    expect(() => loadKubeConfig({ ...base, credentials: { source: 'kubeconfig', kubeconfigPath: path.join(dir, 'missing'), context: null } }, {})).toThrow(/no kubeconfig file found/);
    expect(() => loadKubeConfig({ ...base, credentials: { source: 'in-cluster', kubeconfigPath: null, context: null } }, {})).toThrow(/KUBERNETES_SERVICE_HOST is not set/);
  });
});

describe('label maps', () => {
  it.each<[unknown, (string | number)[]]>([
    [{ extraLabels: { team: 'astro physics' } }, ['extraLabels', 'team']],
    [{ nodeSelector: { 'bad key!': 'x' } }, ['nodeSelector', 'bad key!']],
    [{ networkPolicy: { ingressFromPods: [{ app: '-proxy' }] } }, ['networkPolicy', 'ingressFromPods', 0, 'app']],
  ])('refuses %j where Kubernetes would', (input, where) => {
    const result = KubernetesSpawnerConfigSchema.safeParse(input);
    expect(result.error?.issues[0]?.path).toEqual(where);
  });

  it('accepts prefixed keys and empty values', () => {
    expect(KubernetesSpawnerConfigSchema.parse({ nodeSelector: { 'node.kubernetes.io/pool': 'users', empty: '' } }).nodeSelector).toEqual({ 'node.kubernetes.io/pool': 'users', empty: '' });
  });
});
