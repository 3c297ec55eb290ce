// Debian's SimpleSAMLphp 1.19 as a real SAML identity provider for tests: its whole config in a
// temp dir (SIMPLESAMLPHP_CONFIG_DIR), served by `php -S` on a free loopback port, with test
// users from the exampleauth module. The service provider's metadata is handed over as XML (the
// hub's own /hub/saml/metadata), so our metadata endpoint is tested end to end.
// Also: a non-browser sign-in through its forms, for integration tests.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, stopChild } from './ports';
import type { WebClient, WebResponse } from './web-client';

export const SIMPLESAMLPHP_WWW = '/usr/share/simplesamlphp/www';

export interface IdpUser {
  username: string;
  password: string;
  /** Attribute name → values (SimpleSAMLphp sends one value as a string, several as a list). */
  attributes: Record<string, string[]>;
}

export interface SimpleSamlPhp {
  /** http://127.0.0.1:port */
  origin: string;
  entityId: string;
  /** The IdP's own metadata (what auth.saml.idpMetadata points at). */
  metadataUrl: string;
  ssoUrl: string;
  sloUrl: string;
  /** PEM of the IdP's signing certificate and key. */
  certPem: string;
  keyPem: string;
  certFile: string;
  dir: string;
  /** Trust this service provider: its SAML metadata XML (re-read on every request). */
  setServiceProvider(metadataXml: string): void;
  /** Replace the users (and their attributes). */
  setUsers(users: IdpUser[]): void;
  /** stderr of php so far (for failing tests). */
  output(): string;
  stop(): Promise<void>;
}

/** PHP literal of a JSON-like value (strings, numbers, booleans, arrays, plain objects). */
export function phpValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(phpValue).join(', ')}]`;
  return `[${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${phpValue(k)} => ${phpValue(v)}`).join(', ')}]`;
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

const EMPTY_SP_METADATA = '<?xml version="1.0"?>\n<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata"/>\n';

export async function startSimpleSamlPhp(options: { users: IdpUser[]; spMetadataXml?: string }): Promise<SimpleSamlPhp> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sciencehub-idp-'));
  for (const sub of ['config/metadata', 'cert', 'htdocs', 'tmp', 'data', 'log']) mkdirSync(path.join(dir, sub), { recursive: true });
  symlinkSync(SIMPLESAMLPHP_WWW, path.join(dir, 'htdocs', 'simplesaml'));
  const keyFile = path.join(dir, 'cert', 'idp.key');
  const certFile = path.join(dir, 'cert', 'idp.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3650', '-subj', '/CN=test-idp',
    '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  const spFile = path.join(dir, 'config', 'sp-metadata.xml');
  const setServiceProvider = (xml: string) => writeAtomic(spFile, xml);
  setServiceProvider(options.spMetadataXml ?? EMPTY_SP_METADATA);
  const setUsers = (users: IdpUser[]) => {
    const entries: Record<string, unknown> = { admin: ['core:AdminPassword'] };
    const userpass: Record<string, unknown> = {};
    for (const u of users) userpass[`${u.username}:${u.password}`] = u.attributes;
    const source = `['exampleauth:UserPass', ${Object.entries(userpass).map(([k, v]) => `${phpValue(k)} => ${phpValue(v)}`).join(', ')}]`;
    writeAtomic(path.join(dir, 'config', 'authsources.php'),
      `<?php\n$config = [\n  'admin' => ${phpValue(entries.admin)},\n  'example-userpass' => ${source},\n];\n`);
  };
  setUsers(options.users);
  writeFileSync(path.join(dir, 'config', 'metadata', 'saml20-idp-hosted.php'), `<?php
$metadata['__DYNAMIC:1__'] = [
  'host' => '__DEFAULT__', 'privatekey' => 'idp.key', 'certificate' => 'idp.crt', 'auth' => 'example-userpass',
  'saml20.sign.assertion' => true, 'saml20.sign.response' => true, 'sign.logout' => true,
  'attributes.NameFormat' => 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
  'NameIDFormat' => 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  'authproc' => [10 => ['class' => 'saml:AttributeNameID', 'attribute' => 'uid',
                        'Format' => 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent']],
];
`);

  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    writeFileSync(path.join(dir, 'config', 'config.php'), `<?php
$config = [
  'baseurlpath' => ${phpValue(`${origin}/simplesaml/`)},
  'certdir' => ${phpValue(`${dir}/cert/`)}, 'loggingdir' => ${phpValue(`${dir}/log/`)}, 'datadir' => ${phpValue(`${dir}/data/`)},
  'tempdir' => ${phpValue(`${dir}/tmp/`)}, 'metadatadir' => ${phpValue(`${dir}/config/metadata/`)},
  'technicalcontact_name' => 'Test', 'technicalcontact_email' => 'test@example.org',
  'secretsalt' => ${phpValue(randomBytes(16).toString('hex'))}, 'auth.adminpassword' => ${phpValue(randomBytes(16).toString('hex'))},
  'admin.protectindexpage' => false, 'admin.protectmetadata' => false, 'timezone' => 'UTC',
  'logging.level' => SimpleSAML\\Logger::WARNING, 'logging.handler' => 'stderr',
  'enable.saml20-idp' => true,
  'module.enable' => ['exampleauth' => true, 'core' => true, 'saml' => true],
  'session.cookie.secure' => false,
  'session.phpsession.savepath' => ${phpValue(`${dir}/tmp`)}, 'store.type' => 'phpsession',
  'metadata.sources' => [['type' => 'flatfile'], ['type' => 'xml', 'file' => ${phpValue(spFile)}]],
];
`);
    // opcache would serve authsources.php from its cache for a while after setUsers() rewrites it.
    const child = spawn('php', ['-d', 'opcache.enable=0', '-S', `127.0.0.1:${port}`, '-t', path.join(dir, 'htdocs')], {
      env: { ...process.env, SIMPLESAMLPHP_CONFIG_DIR: path.join(dir, 'config') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-20_000); };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const metadataUrl = `${origin}/simplesaml/saml2/idp/metadata.php`;
    try {
      await waitForMetadata(metadataUrl, child, 15_000);
      return {
        origin,
        entityId: metadataUrl,
        metadataUrl,
        ssoUrl: `${origin}/simplesaml/saml2/idp/SSOService.php`,
        sloUrl: `${origin}/simplesaml/saml2/idp/SingleLogoutService.php`,
        certPem: readFileSync(certFile, 'utf8'),
        keyPem: readFileSync(keyFile, 'utf8'),
        certFile,
        dir,
        setServiceProvider,
        setUsers,
        output: () => output,
        stop: async () => {
          await stopChild(child, exited);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      lastError = new Error(`SimpleSAMLphp on port ${port} did not start: ${(err as Error).message}\n${output}`);
      await stopChild(child, exited);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError ?? new Error('SimpleSAMLphp did not start');
}

async function waitForMetadata(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (child.exitCode !== null) throw new Error(`php exited with code ${child.exitCode}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      const text = await res.text();
      if (res.status === 200 && text.includes('IDPSSODescriptor')) return;
      last = `HTTP ${res.status}: ${text.slice(0, 300)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`no IdP metadata at ${url} after ${timeoutMs} ms (${last})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}


/** The first form of a page: its action (absolute) and every named input's value. */
export function formOf(page: WebResponse): { action: string; fields: Record<string, string> } {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(page.text);
  if (!form) throw new Error(`no form on ${page.url} (status ${page.status}): ${page.text.slice(0, 500)}`);
  const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#0?39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const action = decode(/\baction="([^"]*)"/i.exec(form[1] ?? '')?.[1] ?? '');
  const fields: Record<string, string> = {};
  for (const input of (form[2] ?? '').matchAll(/<input\b[^>]*>/gi)) {
    const name = /\bname="([^"]*)"/i.exec(input[0])?.[1];
    if (name) fields[decode(name)] = decode(/\bvalue="([^"]*)"/i.exec(input[0])?.[1] ?? '');
  }
  return { action: new URL(action || page.url, page.url).toString(), fields };
}

/**
 * Signs in at the IdP without a browser: from the IdP URL the hub redirected to, through the
 * login form, to the auto-submit form carrying the SAML response. Returns that form (action =
 * our ACS, fields SAMLResponse and RelayState), not yet posted.
 */
export async function signInAtIdp(idp: WebClient, authorizeUrl: string, username: string, password: string): Promise<{ action: string; fields: Record<string, string> }> {
  const loginPage = await idp.get(authorizeUrl);
  if (loginPage.status !== 200) throw new Error(`IdP login page answered ${loginPage.status}: ${loginPage.text.slice(0, 500)}`);
  const login = formOf(loginPage);
  const posted = await idp.request('POST', login.action, { form: { ...login.fields, username, password } });
  if (!posted.text.includes('SAMLResponse')) {
    throw new Error(`IdP did not answer with a SAML response for ${username} (status ${posted.status}): ${posted.text.slice(0, 800)}`);
  }
  return formOf(posted);
}
