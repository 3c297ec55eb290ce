// Home page: the signed-in user's servers with start/open/stop actions, times relative to `now`,
// and their usage this month against their quota (what is left).
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
  /** The user's usage this month and their quota; no section when absent. */
  usage?: HomeUsage | null;
}

/** Usage and quota as display strings (built by hub/quota/page-views.ts). */
export interface HomeUsage {
  /** 'May 2024'. */
  monthLabel: string;
  /** When usage was last charged (ISO), or null before the first charge. */
  asOf: string | null;
  /** One row per monthly budget. */
  budgets: ReadonlyArray<{ label: string; used: string; limit: string; left: string; percent: number | null }>;
  /** Per-server and count limits, with where each comes from ("group staff"). */
  limits: ReadonlyArray<{ label: string; value: string; source: string }>;
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

function usageSection(usage: HomeUsage, now: Date): SafeHtml {
  const asOf = usage.asOf === null ? html`Nothing charged yet this month.` : html`Charged up to ${timeElement(usage.asOf, now)}.`;
  const budgets = usage.budgets.map((b) => html`<tr>
<th scope="row">${b.label}</th><td>${b.used}</td><td>${b.limit}</td><td>${b.left}</td>
<td>${b.percent === null ? html`<span class="muted">—</span>` : html`<meter min="0" max="100" low="80" high="99" optimum="0" value="${Math.min(100, b.percent)}">${b.percent} %</meter> ${b.percent} %`}</td>
</tr>`);
  const limits = usage.limits.map((l) => html`<tr><th scope="row">${l.label}</th><td>${l.value}</td><td class="muted">${l.source}</td></tr>`);
  return html`<section class="card" id="usage" aria-labelledby="usage-heading">
<h2 id="usage-heading">Your usage in ${usage.monthLabel}</h2>
<p class="muted">${asOf}</p>
<div class="table-wrap"><table class="servers usage">
<caption class="visually-hidden">Usage this month against your budgets</caption>
<thead><tr><th scope="col">Budget</th><th scope="col">Used</th><th scope="col">Limit</th><th scope="col">Left</th><th scope="col">Share used</th></tr></thead>
<tbody>
${budgets}
</tbody>
</table></div>
<h3>Your quota</h3>
<div class="table-wrap"><table class="servers quota">
<caption class="visually-hidden">Your quota</caption>
<thead><tr><th scope="col">Limit</th><th scope="col">Value</th><th scope="col">Set by</th></tr></thead>
<tbody>
${limits}
</tbody>
</table></div>
</section>`;
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
${input.namedServersAllowed ? newServerForm(input.newServerUrl ?? hubUrl(ctx, 'spawn')) : null}
${input.usage ? usageSection(input.usage, now) : null}`;
  return renderLayout({ ctx, title: 'Home', body });
}
