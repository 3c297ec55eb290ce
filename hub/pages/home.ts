// Home page: the signed-in user's servers with start/open/stop actions, times relative to `now`.
// Pure: data in, HTML out. Start/Stop are POST forms with the CSRF field; nothing changes on GET.
import { html, SafeHtml } from './html';
import { hubUrl, PageContext, postButton, renderLayout } from './layout';
import { timeElement } from './relative-time';

export type ServerState = 'pending' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface HomeServer {
  /** '' for the default server. */
  name: string;
  state: ServerState;
  /** Public URL of the server, e.g. '/user/alice/'. */
  url: string;
  started: string | null;
  lastActivity: string | null;
  stopReason: string | null;
  progressPageUrl: string;
  stopUrl: string;
  startUrl: string;
}

export interface HomePageInput {
  ctx: PageContext;
  /** Include the default server ('' name) even when stopped, so it gets its Start button. */
  servers: readonly HomeServer[];
  namedServersAllowed: boolean;
  now: Date;
  /** GET target of the "new named server" form (field `server_name`); default `${baseUrl}hub/spawn`. */
  newServerUrl?: string;
}

const STATE_LABELS: Record<ServerState, string> = {
  pending: 'Starting…',
  running: 'Running',
  stopping: 'Stopping…',
  stopped: 'Stopped',
  failed: 'Failed',
};

function displayName(server: HomeServer): string {
  return server.name === '' ? 'Default server' : server.name;
}

function stopReasonText(server: HomeServer): string {
  const who = server.name === '' ? 'Your server' : `Server “${server.name}”`;
  return `${who} stopped: ${server.stopReason ?? ''}`;
}

function actions(ctx: PageContext, server: HomeServer): SafeHtml {
  const isDefault = server.name === '';
  const big = isDefault ? ' button-large' : '';
  const label = isDefault ? '' : ` ${server.name}`;
  switch (server.state) {
    case 'running':
      return html`<div class="actions"><a class="button button-primary${big}" href="${server.url}">Open${label}</a>${postButton(ctx, server.stopUrl, `Stop${label}`, { className: `button button-danger${big}` })}</div>`;
    case 'pending':
      return html`<div class="actions"><a class="button${big}" href="${server.progressPageUrl}">View progress${isDefault ? null : html`<span class="visually-hidden"> of ${server.name}</span>`}</a></div>`;
    case 'stopping':
      return html`<div class="actions"><span class="muted">Stopping — <a href="">reload</a> to see when it is done.</span></div>`;
    case 'stopped':
    case 'failed':
      return html`<div class="actions">${postButton(ctx, server.startUrl, `Start${label}`, { className: `button button-primary${big}` })}</div>`;
  }
}

function row(ctx: PageContext, server: HomeServer, now: Date): SafeHtml {
  const reason = server.stopReason
    ? html`<p class="stop-reason">${stopReasonText(server)}</p>`
    : null;
  return html`<tr class="server-row server-${server.state}">
<th scope="row" data-label="Server">${displayName(server)}</th>
<td data-label="Status"><span class="state state-${server.state}">${STATE_LABELS[server.state]}</span>${reason}</td>
<td data-label="Started">${timeElement(server.started, now)}</td>
<td data-label="Last activity">${timeElement(server.lastActivity, now)}</td>
<td data-label="Actions">${actions(ctx, server)}</td>
</tr>`;
}

function newServerForm(action: string): SafeHtml {
  return html`<section class="card" aria-labelledby="new-server-heading">
<h2 id="new-server-heading">Start another server</h2>
<form method="get" action="${action}" class="inline-fields">
<label for="server_name">Server name</label>
<input id="server_name" name="server_name" type="text" required autocapitalize="none" spellcheck="false">
<button type="submit" class="button">Continue</button>
</form>
</section>`;
}

export function renderHome(input: HomePageInput): string {
  const { ctx, now } = input;
  // The default server first, then named ones by name, so the main action is always on top.
  const servers = [...input.servers].sort((a, b) =>
    a.name === b.name ? 0 : a.name === '' ? -1 : b.name === '' ? 1 : a.name.localeCompare(b.name),
  );
  const table = servers.length === 0
    ? html`<p>You have no servers yet.</p>`
    : html`<div class="table-wrap"><table class="servers">
<caption class="visually-hidden">Your servers</caption>
<thead><tr><th scope="col">Server</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Last activity</th><th scope="col">Actions</th></tr></thead>
<tbody>
${servers.map((s) => row(ctx, s, now))}
</tbody>
</table></div>`;
  const body = html`<h1>Your servers</h1>
${table}
${input.namedServersAllowed ? newServerForm(input.newServerUrl ?? hubUrl(ctx, 'spawn')) : null}`;
  return renderLayout({ ctx, title: 'Home', body });
}
