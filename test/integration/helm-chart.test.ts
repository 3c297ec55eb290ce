// The Helm chart rendered by a real helm: lint, schema validation of every object (unknown fields
// rejected), the security rules every pod must follow, NetworkPolicies, secrets kept out of
// ConfigMaps, the rendered hub config accepted by the hub's own loader, and bad values refused
// with their path.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../hub/config/load';
import { lintChart, renderChart, type K8sObject } from '../helpers/helm';
import { validateK8sObject } from '../helpers/k8s-schema';
import { planServerObjects } from '../../spawner/kubernetes/server-objects';

jest.setTimeout(120_000);

// Rendered YAML is read field by field in the assertions below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Yaml = any;

const VALUE_SETS: Record<string, Record<string, unknown>> = {
  default: {},
  'external Redis': { redis: { enabled: false, external: { url: 'redis://:pw@redis.example.org:6379/0' } } },
  '3 proxy replicas, workers, ingress, edge auth': {
    proxy: { replicas: 3, workers: 2, edgeAuth: { enabled: true }, service: { type: 'ClusterIP' } },
    ingress: { enabled: true, className: 'nginx', hosts: ['science.example.org'], tls: [{ secretName: 'science-tls', hosts: ['science.example.org'] }] },
  },
  // The deployment guide's SAML, quota and culler settings (helm/README.md), without home volumes.
  'SAML, quotas, culling, no storage': {
    hub: {
      samlSecret: 'hub-saml',
      config: {
        auth: {
          kind: 'saml', admins: [], adminGroups: ['hub-admins'], organiserGroups: ['workshop-leads'],
          saml: {
            institution: 'Example University', publicUrl: 'https://hub.example.org', idpMetadata: 'https://idp.example.org/idp/shibboleth',
            privateKeyFile: '/etc/sciencehub/saml/sp.key', certFile: '/etc/sciencehub/saml/sp.crt',
            username: { attribute: 'eppn', allowedScopes: ['example.org'] }, groupsAttribute: 'isMemberOf',
            allowedGroups: ['staff', 'students'], singleLogout: true,
          },
        },
        quotas: { defaults: { memoryPerServerGb: 8, cpuPerServer: 2, maxServers: 1, monthlyBudget: 50 }, groups: { 'jwst-team': { memoryPerServerGb: 32, cpuPerServer: 8, maxServers: 3, monthlyBudget: 500 } } },
        pricing: { currency: 'EUR', perGbHour: 0.005, perCpuHour: 0.03 },
        usage: { timeZone: 'Europe/Paris', warnAt: 0.8 },
        culler: { enabled: true, timeoutSeconds: 3600, maxAgeSeconds: 0, warnBeforeSeconds: 600 },
        spawner: { storage: null },
      },
    },
  },
  'user pods in their own namespace, pre-pulled extras': {
    singleuser: { namespace: 'science-users' },
    prePuller: { extraImages: ['quay.io/jupyter/base-notebook:2025-01-06'] },
    hub: { podDisruptionBudget: { enabled: true, minAvailable: 1 } },
  },
};

const rendered = new Map<string, K8sObject[]>();
beforeAll(async () => {
  for (const [name, values] of Object.entries(VALUE_SETS)) rendered.set(name, await renderChart([values]));
});

const podTemplates = (objs: K8sObject[]) =>
  objs
    .filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind))
    .map((o) => ({ name: `${o.kind}/${o.metadata.name}`, spec: (o as unknown as { spec: { template: { spec: Record<string, Yaml> } } }).spec.template.spec }));

const find = (objs: K8sObject[], kind: string, nameSuffix: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name.endsWith(nameSuffix));
  if (!o) throw new Error(`no ${kind} *${nameSuffix} among ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o as K8sObject & Record<string, Yaml>;
};

/** The hub container's environment as the kubelet would build it from the rendered Secrets. */
function hubEnv(objs: K8sObject[]): NodeJS.ProcessEnv {
  const secrets = new Map(objs.filter((o) => o.kind === 'Secret').map((s) => [s.metadata.name, (s as unknown as { stringData: Record<string, string> }).stringData]));
  const hub = find(objs, 'Deployment', '-hub').spec.template.spec.containers[0];
  const env: NodeJS.ProcessEnv = {};
  for (const e of hub.env as { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[]) {
    if (e.value !== undefined) env[e.name] = e.value;
    const ref = e.valueFrom?.secretKeyRef;
    if (ref) env[e.name] = secrets.get(ref.name)?.[ref.key] ?? `<secret ${ref.name}/${ref.key} from outside the chart>`;
  }
  return env;
}

describe.each(Object.keys(VALUE_SETS))('chart with %s values', (setName) => {
  const objs = () => rendered.get(setName)!;

  it('passes helm lint', async () => {
    const res = await lintChart([VALUE_SETS[setName]!]);
    expect({ code: res.code, out: res.stdout + res.stderr }).toMatchObject({ code: 0 });
  });

  it('renders only objects that validate against the Kubernetes schemas, unknown fields rejected', () => {
    expect(objs().length).toBeGreaterThan(10);
    const problems = objs().flatMap((o) => validateK8sObject(o).map((p) => `${o.kind}/${o.metadata.name}: ${p}`));
    expect(problems).toEqual([]);
  });

  it('runs every pod non-root, without privilege escalation or capabilities, with seccomp and resources', () => {
    const templates = podTemplates(objs());
    expect(templates.length).toBeGreaterThanOrEqual(2);
    for (const { name, spec } of templates) {
      expect({ name, nonRoot: spec.securityContext?.runAsNonRoot, seccomp: spec.securityContext?.seccompProfile?.type })
        .toEqual({ name, nonRoot: true, seccomp: 'RuntimeDefault' });
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        expect({ name, container: c.name, escalation: c.securityContext?.allowPrivilegeEscalation, drop: c.securityContext?.capabilities?.drop })
          .toEqual({ name, container: c.name, escalation: false, drop: ['ALL'] });
        expect(c.resources?.limits?.memory ?? c.resources?.limits?.cpu).toBeDefined();
        expect(c.image).not.toMatch(/:latest$|^[^:@]+$/);
      }
      // Only the hub talks to the Kubernetes API.
      expect({ name, token: spec.automountServiceAccountToken }).toEqual({ name, token: name.endsWith('-hub') });
    }
  });

  it('keeps secrets out of ConfigMaps and out of the pod specs', () => {
    const secretValues = objs()
      .filter((o) => o.kind === 'Secret')
      .flatMap((s) => Object.values((s as { stringData?: Record<string, string> }).stringData ?? {}));
    const configMaps = JSON.stringify(objs().filter((o) => o.kind === 'ConfigMap'));
    const workloads = JSON.stringify(podTemplates(objs()));
    for (const v of secretValues) {
      expect(configMaps.includes(v)).toBe(false);
      expect(workloads.includes(v)).toBe(false);
    }
  });

  it('renders a hub config that the hub itself accepts', () => {
    const cm = find(objs(), 'ConfigMap', '-hub-config');
    const raw = parseYaml(cm.data['config.yaml']) as Record<string, unknown>;
    const config = parseConfig(raw, hubEnv(objs()), 'rendered chart');
    expect(config.store.kind).toBe('redis');
    expect(config.spawner.kind).toBe('kubernetes');
    expect(config.proxy.mode).toBe('external');
    expect(config.proxy.authToken).toMatch(/^\S{16,}$/);
  });

  it('makes the hub create user pods that pass the schemas and security rules and match the NetworkPolicy', () => {
    const cm = find(objs(), 'ConfigMap', '-hub-config');
    const config = parseConfig(parseYaml(cm.data['config.yaml']) as Record<string, unknown>, hubEnv(objs()), 'rendered chart');
    if (config.spawner.kind !== 'kubernetes') throw new Error(`spawner is ${config.spawner.kind}`);
    const planned = planServerObjects(config.spawner, config.spawner.namespace ?? 'science', {
      user: 'Ünïcode.User', serverName: 'analysis', state: null, image: 'ghcr.io/sciencehub/astro:2025.01.0',
      resources: { memLimit: 4 * 2 ** 30, memGuarantee: 2 ** 30, cpuLimit: 2, cpuGuarantee: 0.5 }, prefix: '/user/%C3%9Cn%C3%AFcode.User/analysis/',
      env: { JUPYTERHUB_API_TOKEN: 'secret-token-value', JUPYTERHUB_USER: 'Ünïcode.User' },
    }, 'start-1');
    const sent = [planned.pod, planned.secret, planned.claim, planned.networkPolicy].filter((o) => o !== null) as unknown as K8sObject[];
    for (const o of sent) expect({ name: `${o.kind}/${o.metadata.name}`, problems: validateK8sObject(o) }).toEqual({ name: `${o.kind}/${o.metadata.name}`, problems: [] });
    const pod = planned.pod as unknown as { metadata: { labels: Record<string, string> }; spec: Record<string, Yaml> };
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    for (const c of pod.spec.containers) expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(JSON.stringify(pod)).not.toContain('secret-token-value');
    // The chart's NetworkPolicy for user pods selects the pods this hub creates.
    const np = find(objs(), 'NetworkPolicy', '-singleuser');
    expect(pod.metadata.labels).toMatchObject(np.spec.podSelector.matchLabels);
  });

  it('lets user pods be reached only by the proxy and the hub, and never reach the metadata address', () => {
    const np = find(objs(), 'NetworkPolicy', '-singleuser');
    const namespace = (VALUE_SETS[setName]!.singleuser as { namespace?: string } | undefined)?.namespace ?? 'science';
    expect(np.metadata.namespace).toBe(namespace);
    const peers = np.spec.ingress.flatMap((r: { from: { podSelector: { matchLabels: Record<string, string> } }[] }) => r.from.map((f) => f.podSelector.matchLabels['app.kubernetes.io/component']));
    expect(peers.sort()).toEqual(['hub', 'proxy']);
    const blocks = np.spec.egress.flatMap((r: { to?: { ipBlock?: { cidr: string; except?: string[] } }[] }) => (r.to ?? []).map((t) => t.ipBlock).filter(Boolean));
    for (const b of blocks) expect(b.except).toEqual(expect.arrayContaining(['169.254.169.254/32', '10.0.0.0/8']));
    // The Role that lets the hub manage pods lives where the pods are.
    expect(find(objs(), 'Role', '-hub').metadata.namespace).toBe(namespace);
  });
});

describe('chart values', () => {
  it('shares routes between proxy replicas through Redis and keeps two up during disruptions', () => {
    const objs = rendered.get('3 proxy replicas, workers, ingress, edge auth')!;
    const proxy = find(objs, 'Deployment', '-proxy');
    expect(proxy.spec.replicas).toBe(3);
    const env = proxy.spec.template.spec.containers[0].env.map((e: { name: string }) => e.name);
    expect(env).toEqual(expect.arrayContaining(['CONFIGPROXY_AUTH_TOKEN', 'SCIENCEHUB_REDIS_URL', 'SCIENCEHUB_EDGE_SECRET']));
    expect(find(objs, 'PodDisruptionBudget', '-proxy').spec.minAvailable).toBe(1);
  });

  it('mounts the SAML key Secret and renders a SAML hub config without home volumes', () => {
    const objs = rendered.get('SAML, quotas, culling, no storage')!;
    const spec = find(objs, 'Deployment', '-hub').spec.template.spec;
    expect(spec.volumes).toEqual(expect.arrayContaining([{ name: 'saml', secret: { secretName: 'hub-saml' } }]));
    const config = parseConfig(parseYaml(find(objs, 'ConfigMap', '-hub-config').data['config.yaml']) as Record<string, unknown>, hubEnv(objs), 'rendered chart');
    expect(config.auth.kind).toBe('saml');
    expect(config.spawner.kind === 'kubernetes' && config.spawner.storage).toBeNull();
  });

  it('uses the external Redis URL from a Secret and runs no Redis of its own', () => {
    const objs = rendered.get('external Redis')!;
    expect(objs.some((o) => o.kind === 'StatefulSet')).toBe(false);
    expect(hubEnv(objs).SCIENCEHUB_REDIS_URL).toBe('redis://:pw@redis.example.org:6379/0');
  });

  it('pre-pulls every catalog image marked prePull', () => {
    const catalog = parseYaml(readFileSync(join(__dirname, '../../images/catalog.yaml'), 'utf8')) as { images: { image: string; prePull?: boolean }[] };
    const wanted = catalog.images.filter((i) => i.prePull).map((i) => i.image);
    expect(wanted.length).toBeGreaterThan(0);
    const ds = find(rendered.get('default')!, 'DaemonSet', '-image-puller');
    expect(ds.spec.template.spec.initContainers.map((c: { image: string }) => c.image).sort()).toEqual([...new Set(wanted)].sort());
  });

  it('pre-pulls the extra images on every node', () => {
    const objs = rendered.get('user pods in their own namespace, pre-pulled extras')!;
    const ds = find(objs, 'DaemonSet', '-image-puller');
    expect(ds.spec.template.spec.initContainers.map((c: { image: string }) => c.image)).toContain('quay.io/jupyter/base-notebook:2025-01-06');
  });

  it.each([
    [{ proxy: { replicas: 'two' } }, 'proxy.replicas'],
    [{ proxy: { replica: 3 } }, 'replica'],
    [{ hub: { config: { hub: { port: 'http' } } } }, 'hub.config.hub.port'],
    [{ hub: { config: { spawner: { kind: 'docker' } } } }, 'hub.config.spawner.kind'],
    [{ hub: { config: { spawner: { storage: { size: 'ten gigs' } } } } }, 'hub.config.spawner.storage'],
    [{ redis: { enabled: false } }, 'redis.external.url'],
    [{ hub: { resources: { limits: { memory: '1 GB' } } } }, 'hub.resources.limits.memory'],
  ])('refuses %j naming %s', async (values, path) => {
    await expect(renderChart([values])).rejects.toThrow(path);
  });
});
