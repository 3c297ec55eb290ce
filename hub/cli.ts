#!/usr/bin/env node
// The `sciencehub` command: `sciencehub hub [...]` or `sciencehub proxy [CHP flags]`.
import { runHubCli } from './main';
import { runProxyCli } from '../proxy/main';

const [command, ...rest] = process.argv.slice(2);
const usage = 'usage: sciencehub hub [--config FILE] [--trial] | sciencehub proxy [configurable-http-proxy flags]  (--help for each)\n';

if (command === 'hub') {
  void runHubCli(rest);
} else if (command === 'proxy') {
  void runProxyCli(rest);
} else {
  process.stderr.write(command === undefined || command === '--help' || command === '-h' ? usage : `unknown command "${command}"\n${usage}`);
  process.exit(command === undefined || command === '--help' || command === '-h' ? 0 : 2);
}
