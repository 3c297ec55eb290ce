// The live suite: runs against a real Kubernetes cluster when KUBECONFIG is set, and is
// reported as skipped (not passed) otherwise. The Kubernetes spawner's issue adds the spawn
// checks; today it checks the kubeconfig names a cluster.
import { existsSync, readFileSync } from 'node:fs';

const kubeconfig = process.env.KUBECONFIG;
const live = kubeconfig ? describe : describe.skip;
if (!kubeconfig) process.stdout.write('kubernetes live suite skipped: KUBECONFIG is not set\n');

live('kubernetes live suite', () => {
  it('reads the kubeconfig named by KUBECONFIG', () => {
    expect(existsSync(kubeconfig as string)).toBe(true);
    expect(readFileSync(kubeconfig as string, 'utf8')).toMatch(/clusters:/);
  });
});
