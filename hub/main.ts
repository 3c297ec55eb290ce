// `sciencehub hub`: parse flags, load the config, start the hub, and stop cleanly on signals.
import { Command } from 'commander';
import { loadConfig, ConfigError } from './config/load';
import { configReference } from './config/reference';
import { createLogger } from './logging';
import { startHub } from './app';

export async function runHubCli(argv: string[]): Promise<void> {
  const program = new Command('sciencehub hub')
    .description('Run the sciencehub hub (and, in managed proxy mode, its proxy).')
    .option('-c, --config <file>', 'YAML config file (see the reference below)')
    .option('--trial', 'embedded defaults for a local trial: open dev sign-in on 127.0.0.1')
    .addHelpText('after', `\nSecrets may come from the environment: SCIENCEHUB_COOKIE_SECRET, CONFIGPROXY_AUTH_TOKEN,\nSCIENCEHUB_REDIS_URL, SCIENCEHUB_SERVICE_TOKEN_<NAME>.\n\nConfiguration reference:${configReference()}\n`)
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    const code = (err as { exitCode?: number }).exitCode ?? 2;
    process.exit(code);
  }
  const opts = program.opts<{ config?: string; trial?: boolean }>();
  let config;
  try {
    config = loadConfig({ path: opts.config, trial: opts.trial });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`sciencehub: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.hub.logLevel);
  let hub;
  try {
    hub = await startHub(config, logger);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`sciencehub: ${err.message}\n`);
      process.exit(2);
    }
    logger.fatal({ err }, 'hub failed to start');
    process.exit(1);
  }
  const publicUrl = config.proxy.mode === 'managed' ? `http://${config.proxy.publicIp}:${config.proxy.publicPort}${config.hub.baseUrl}` : null;
  if (publicUrl) process.stdout.write(`\nsciencehub is running: open ${publicUrl}hub/login in your browser.\n\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, config.hub.stopServersOnShutdown ? 'stopping hub and servers' : 'stopping hub; servers and proxy keep running and are re-adopted at the next start');
    hub.close().then(() => process.exit(0), (err: unknown) => { logger.error({ err }, 'unclean shutdown'); process.exit(1); });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
