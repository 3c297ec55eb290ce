#!/usr/bin/env node
// The `sciencehub` command: `sciencehub hub [...]`, `sciencehub proxy [CHP flags]` or
// `sciencehub culler [...]` (the idle culler as its own process). Each subcommand loads only its
// own modules: a proxy process never loads the hub (about 55 MiB of resident memory).
/* eslint-disable @typescript-eslint/no-require-imports -- lazy loading per subcommand */

const [command, ...rest] = process.argv.slice(2);
const usage = 'usage: sciencehub hub [--config FILE] [--trial] | sciencehub proxy [configurable-http-proxy flags] | sciencehub culler [--url URL] [--config FILE]  (--help for each)\n';

if (command === 'hub') {
  const { runHubCli } = require('./main') as typeof import('./main');
  void runHubCli(rest);
} else if (command === 'proxy') {
  const { runProxyCli } = require('../proxy/main') as typeof import('../proxy/main');
  void runProxyCli(rest);
} else if (command === 'culler') {
  const { runCullerCli } = require('./culler/cli') as typeof import('./culler/cli');
  void runCullerCli(rest);
} else {
  process.stderr.write(command === undefined || command === '--help' || command === '-h' ? usage : `unknown command "${command}"\n${usage}`);
  process.exit(command === undefined || command === '--help' || command === '-h' ? 0 : 2);
}
