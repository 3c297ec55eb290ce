// The chart's values.schema.json is generated from the zod schema, and values.yaml satisfies it.
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ChartValuesSchema } from '../../../helm/values-schema';
import { renderValuesSchema, VALUES_SCHEMA_PATH } from '../../../helm/generate-values-schema';

const ROOT = path.resolve(__dirname, '../../..');
const chartValues = () => parseYaml(fs.readFileSync(path.join(ROOT, 'helm/sciencehub/values.yaml'), 'utf8')) as unknown;

describe('chart values schema', () => {
  it('is up to date with the zod schema (npm run helm:schema)', () => {
    expect(fs.readFileSync(path.join(ROOT, VALUES_SCHEMA_PATH), 'utf8')).toBe(renderValuesSchema());
  });

  it('accepts the chart defaults', () => {
    const parsed = ChartValuesSchema.safeParse(chartValues());
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  });

  it('names the path of a bad value', () => {
    const values = chartValues() as { proxy: Record<string, unknown>; hub: { config: unknown } };
    values.proxy.replicas = 0;
    values.hub.config = { hub: { port: 'http' } };
    const parsed = ChartValuesSchema.safeParse(values);
    expect(parsed.success).toBe(false);
    const paths = parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['proxy.replicas', 'hub.config.hub.port']));
  });

  it('refuses unknown keys, as helm will', () => {
    const values = chartValues() as Record<string, unknown>;
    values.proxyy = {};
    const parsed = ChartValuesSchema.safeParse(values);
    expect(parsed.success ? [] : parsed.error.issues.map((i) => i.code)).toContain('unrecognized_keys');
  });

  it('describes every value, so the schema documents the chart', () => {
    const missing: string[] = [];
    const walk = (node: Record<string, unknown>, at: string) => {
      const props = node.properties as Record<string, Record<string, unknown>> | undefined;
      for (const [key, child] of Object.entries(props ?? {})) {
        if (at === '' || !at.startsWith('hub.config')) {
          if (!child.description && !(child.type === 'object' && child.properties)) missing.push(`${at}${key}`);
        }
        if (!`${at}${key}`.startsWith('hub.config')) walk(child, `${at}${key}.`);
      }
    };
    walk(JSON.parse(renderValuesSchema()) as Record<string, unknown>, '');
    expect(missing).toEqual([]);
  });
});
