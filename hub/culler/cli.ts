// `sciencehub culler`: the idle culler as its own process. Token from JUPYTERHUB_API_TOKEN (never
// a flag: flags show in `ps`), hub API from --url or JUPYTERHUB_API_URL, policy from the hub's
// config file (--config, its `culler` section) with flags on top.
import { Command, InvalidArgumentError } from 'commander';
import type { LevelWithSilent, Logger } from 'pino';
import { ConfigError, loadConfig, formatIssues } from '../config/load';
import { createLogger } from '../logging';
import { CullerConfigSchema, type CullerConfig } from './config';
import { CullerApi, HubApiError, missingScopes, runRemotePass } from './remote';

interface Flags {
  url?: string;
  config?: string;
  timeout?: number;
  maxAge?: number;
  cullEvery?: number;
  concurrency?: number;
  pageSize: number;
  once?: boolean;
  logLevel: string;
}

function wholeSeconds(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`${flag} expects a whole number of seconds, got "${value}".`);
    return n;
  };
}

function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} expects a whole number of at least 1, got "${value}".`);
    return n;
  };
}

function positive(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} expects a positive number, got "${value}".`);
    return n;
  };
}

/** The culler section from the config file (or the defaults), with the flags on top; validated. */
export function cullerConfigFrom(flags: Flags, env: NodeJS.ProcessEnv): CullerConfig {
  const base = flags.config ? loadConfig({ path: flags.config, env }).culler : CullerConfigSchema.parse({});
  const merged = {
    ...base,
    ...(flags.timeout !== undefined ? { timeoutSeconds: flags.timeout } : {}),
    ...(flags.maxAge !== undefined ? { maxAgeSeconds: flags.maxAge } : {}),
    ...(flags.cullEvery !== undefined ? { intervalSeconds: flags.cullEvery } : {}),
    ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
  };
  const parsed = CullerConfigSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError('culler flags', formatIssues(parsed.error.issues, merged).map((l) => `culler.${l}`));
  return parsed.data;
}

function fail(message: string, code = 2): never {
  process.stderr.write(`sciencehub culler: ${message}\n`);
  process.exit(code);
}

async function preflight(api: CullerApi, config: CullerConfig, logger: Logger): Promise<void> {
  let scopes: string[];
  try {
    scopes = await api.scopes();
  } catch (err) {
    fail(err instanceof HubApiError ? err.message : String(err), err instanceof HubApiError && err.status === 0 ? 1 : 2);
  }
  const missing = missingScopes(scopes, config);
  if (missing.length > 0) {
    fail(`the token lacks scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (a culler needs list:users, read:servers and delete:servers${missing.includes('read:users:groups') ? ', and read:users:groups because culler.overrides.groups is set' : ''}).`);
  }
  logger.debug({ scopes: scopes.length }, 'token scopes checked');
}

export async function runCullerCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const program = new Command('sciencehub culler')
    .description('Stop idle servers through the hub REST API (the hub can also do this itself: culler.runInHub).')
    .option('--url <url>', 'hub API URL (default: env JUPYTERHUB_API_URL or http://127.0.0.1:8081/hub/api)')
    .option('-c, --config <file>', "the hub's config file: its `culler` section is the policy (overrides included)")
    .option('--timeout <seconds>', 'idle time after which a server is stopped (0 = never)', wholeSeconds('--timeout'))
    .option('--max-age <seconds>', 'age after which a server is stopped even if active (0 = no limit)', wholeSeconds('--max-age'))
    .option('--cull-every <seconds>', 'seconds between passes', positive('--cull-every'))
    .option('--concurrency <n>', 'servers stopped at once', positiveInt('--concurrency'))
    .option('--page-size <n>', 'users per API page', positiveInt('--page-size'), 200)
    .option('--once', 'run one pass and exit (status 1 if a cull failed)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug', 'info')
    .addHelpText('after', '\nThe API token comes from env JUPYTERHUB_API_TOKEN; it needs the scopes list:users, read:servers\nand delete:servers (plus read:users:groups when culler.overrides.groups is set).\n')
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    // --help and --version exit 0; every usage error exits 2.
    process.exit((err as { exitCode?: number }).exitCode === 0 ? 0 : 2);
  }
  const flags = program.opts<Flags>();
  const token = env.JUPYTERHUB_API_TOKEN;
  if (!token) fail('set JUPYTERHUB_API_TOKEN to an API token with the culler scopes.');
  const url = flags.url ?? env.JUPYTERHUB_API_URL ?? 'http://127.0.0.1:8081/hub/api';
  if (!/^https?:\/\//.test(url)) fail(`--url must be an http:// or https:// URL, got "${url}".`);
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(flags.logLevel)) fail(`--log-level must be one of fatal, error, warn, info, debug, trace, silent; got "${flags.logLevel}".`);
  let config: CullerConfig;
  try {
    config = cullerConfigFrom(flags, env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  if (!config.enabled) fail('culler.enabled is false in the config; nothing to do.');
  const logger = createLogger(flags.logLevel as LevelWithSilent).child({ component: 'culler' });
  if (flags.config && config.runInHub) logger.warn('culler.runInHub is true: the hub culls too (harmless: each cull happens once), set it false to leave culling to this process');
  const api = new CullerApi(url, token);
  await preflight(api, config, logger);
  logger.info({ url, timeoutSeconds: config.timeoutSeconds, maxAgeSeconds: config.maxAgeSeconds, intervalSeconds: config.intervalSeconds }, 'culler started');

  const pass = async (): Promise<boolean> => {
    try {
      const report = await runRemotePass(api, config, Date.now(), logger, flags.pageSize);
      return report.failed === 0;
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'cull pass failed; retrying at the next interval');
      return false;
    }
  };
  if (flags.once) process.exit((await pass()) ? 0 : 1);

  let stopping = false;
  let running: Promise<unknown> | null = null;
  const tick = () => {
    if (running || stopping) return;
    running = pass().finally(() => { running = null; });
  };
  tick();
  const timer = setInterval(tick, config.intervalSeconds * 1000);
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    logger.info({ signal }, 'culler stopping');
    void Promise.resolve(running).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
