// Writes helm/sciencehub/values.schema.json from the zod schema of the chart's values.
// `npm run helm:schema`; a unit test fails when the committed file is out of date.
import fs from 'node:fs';
import path from 'node:path';
import { chartValuesJsonSchema } from './values-schema';

export const VALUES_SCHEMA_PATH = path.join('helm', 'sciencehub', 'values.schema.json');

export function renderValuesSchema(): string {
  return `${JSON.stringify(chartValuesJsonSchema(), null, 2)}\n`;
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..');
  const target = path.join(root, VALUES_SCHEMA_PATH);
  fs.writeFileSync(target, renderValuesSchema());
  process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
}
