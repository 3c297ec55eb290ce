// A small image catalog for hub tests (written to a temp file) and a spawner wrapper that
// records every start it is asked for, so tests can prove that nothing was started.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Spawner } from '../../../../spawner/types';

export const TEST_CATALOG = `
defaultImage: base
images:
  - id: base
    displayName: Base notebook
    description: The plain one.
    version: 1.0.0
    image: ghcr.io/test/base:1.0.0
    source: { external: test image for the hub tests }
    sizes:
      - { name: small, displayName: Small, memory: 1G, cpuLimit: 1 }
      - { name: medium, displayName: Medium, memory: 4G, cpuLimit: 2 }
      - { name: large, displayName: Large, memory: 16G, cpuLimit: 4 }
    defaultSize: small
    allowInLinks: true
  - id: astro
    displayName: Astronomy
    description: JWST and HST tools.
    version: 2.0.0
    image: ghcr.io/test/astro:2.0.0
    source: { external: test image for the hub tests }
    sizes:
      - { name: small, displayName: Small, memory: 2G, cpuLimit: 1 }
      - { name: big, displayName: Big, memory: 16G, cpuLimit: 4 }
    defaultSize: small
    tags: [JWST, HST]
    allowInLinks: true
  - id: team
    displayName: Team only
    description: For the JWST team.
    version: 1.0.0
    image: ghcr.io/test/team:1.0.0
    source: { external: test image for the hub tests }
    sizes: [{ name: small, memory: 1G, cpuLimit: 1 }]
    defaultSize: small
    visibleTo: [jwst-team]
    allowInLinks: true
  - id: nolinks
    displayName: Not from links
    description: Only from the form.
    version: 1.0.0
    image: ghcr.io/test/nolinks:1.0.0
    source: { external: test image for the hub tests }
    sizes: [{ name: small, memory: 1G, cpuLimit: 1 }]
    defaultSize: small
    allowInLinks: false
`;

/** Writes the test catalog into `dir`; returns the hub config fragment that uses it. */
export function testCatalogConfig(dir: string, quotaGb = 8): Record<string, unknown> {
  const file = path.join(dir, 'catalog.yaml');
  writeFileSync(file, TEST_CATALOG);
  return { images: { catalog: file }, quotas: { defaults: { memoryPerServerGb: quotaGb } } };
}

export interface RecordingSpawner extends Spawner {
  /** `user/server image` of every start asked for. */
  starts: string[];
}

export function recordingSpawner(inner: Spawner): RecordingSpawner {
  const starts: string[] = [];
  return {
    kind: inner.kind,
    starts,
    start(request, signal) {
      starts.push(`${request.user}/${request.serverName} ${request.image ?? ''}`);
      return inner.start(request, signal);
    },
    stop: (server, options) => inner.stop(server, options),
    poll: (server) => inner.poll(server),
    list: () => inner.list(),
    close: () => inner.close(),
  };
}
