// Admin page: every user with their servers (state, image, size, started, last activity) and
// usage, start/stop buttons (POST + CSRF), groups with their quotas and usage, the CSV export,
// and the event log filtered by user and kind. Pure: data in, HTML out.
import { html, SafeHtml } from './html';
import { PageContext, postButton, renderLayout } from './layout';
import { timeElement } from './relative-time';
import type { ServerState } from './home';

export interface AdminServerRow {
  /** '' for the default server. */
  name: string;
  state: ServerState;
  image: string | null;
  /** "4 GB, 2 cores" or "no limit". */
  size: string;
  started: string | null;
  lastActivity: string | null;
  stopReason: string | null;
  /** POST targets; null when the action does not apply in this state. */
  startUrl: string | null;
  stopUrl: string | null;
}

export interface AdminUsage {
  cost: string;
  gbHours: string;
  cpuHours: string;
  /** Share of the tightest budget, or null when no budget is limited. */
  percent: number | null;
  level: 'ok' | 'warning' | 'exceeded';
}

export interface AdminUserRow {
  name: string;
  admin: boolean;
  groups: readonly string[];
  servers: readonly AdminServerRow[];
  usage: AdminUsage;
  quotaUrl: string;
}

export interface AdminGroupRow {
  name: string;
  members: number;
  /** "memory per server 4 GB, monthly budget €50.00", or "none". */
  quota: string;
  usage: Omit<AdminUsage, 'percent' | 'level'>;
  quotaUrl: string;
}

export interface AdminEventRow {
  time: string;
  kind: string;
  user: string | null;
  server: string | null;
  message: string;
}

export interface AdminPageInput {
  ctx: PageContext;
  now: Date;
  /** Where the filter and paging forms go (GET), e.g. '/hub/admin'. */
  pageUrl: string;
  monthLabel: string;
  users: readonly AdminUserRow[];
  userFilter: string;
  /** Paging of the user list. */
  paging: { from: number; to: number; total: number; prevUrl: string | null; nextUrl: string | null };
  groups: readonly AdminGroupRow[];
  events: readonly AdminEventRow[];
  eventFilter: { user: string; kind: string };
  eventKinds: readonly string[];
  csvUrl: string;
  /** One-line confirmation of the last action (e.g. "Quota of group staff saved."). */
  flash?: string | null;
}

const STATE_LABELS: Record<ServerState, string> = {
  pending: 'Starting', running: 'Running', stopping: 'Stopping', stopped: 'Stopped', failed: 'Failed',
};

function serverCell(ctx: PageContext, user: string, s: AdminServerRow, now: Date): SafeHtml {
  const label = s.name === '' ? 'default' : s.name;
  const action = s.stopUrl
    ? postButton(ctx, s.stopUrl, `Stop ${label}`, { className: 'button button-danger' })
    : s.startUrl ? postButton(ctx, s.startUrl, `Start ${label}`, { className: 'button' }) : null;
  return html`<li class="admin-server" data-user="${user}" data-server="${s.name}">
<strong>${label}</strong>: <span class="state state-${s.state}">${STATE_LABELS[s.state]}</span>
<span class="muted">· image ${s.image ?? 'default'} · ${s.size} · started ${timeElement(s.started, now)} · last activity ${timeElement(s.lastActivity, now)}</span>
${s.stopReason && (s.state === 'stopped' || s.state === 'failed') ? html`<br><span class="stop-reason">${s.stopReason}</span>` : null}
${action}
</li>`;
}

function usageCell(u: AdminUsage): SafeHtml {
  const share = u.percent === null ? null : html`<br><span class="${u.level === 'ok' ? 'muted' : 'stop-reason'}">${u.percent} % of budget</span>`;
  return html`${u.cost}<br><span class="muted">${u.gbHours} · ${u.cpuHours}</span>${share}`;
}

function usersSection(input: AdminPageInput): SafeHtml {
  const { ctx, now, paging } = input;
  const rows = input.users.map((u) => html`<tr>
<th scope="row">${u.name}${u.admin ? html` <span class="muted">(admin)</span>` : null}${u.groups.length ? html`<br><span class="muted">${u.groups.join(', ')}</span>` : null}</th>
<td><ul class="plain">${u.servers.map((s) => serverCell(ctx, u.name, s, now))}</ul></td>
<td>${usageCell(u.usage)}</td>
<td><a href="${u.quotaUrl}">Edit quota<span class="visually-hidden"> of ${u.name}</span></a></td>
</tr>`);
  const pager = html`<p class="muted">Users ${paging.total === 0 ? 0 : paging.from + 1}–${paging.to} of ${paging.total}.
${paging.prevUrl ? html`<a href="${paging.prevUrl}">Previous</a>` : null} ${paging.nextUrl ? html`<a href="${paging.nextUrl}">Next</a>` : null}</p>`;
  return html`<section class="card" aria-labelledby="admin-users-heading">
<h2 id="admin-users-heading">Users and servers</h2>
<form method="get" action="${input.pageUrl}" class="inline-fields">
<label for="q">Name contains</label>
<input id="q" name="q" type="text" value="${input.userFilter}" autocapitalize="none" spellcheck="false">
<button type="submit" class="button">Filter</button>
</form>
${pager}
<div class="table-wrap"><table class="servers admin-users">
<caption class="visually-hidden">Users, their servers and usage in ${input.monthLabel}</caption>
<thead><tr><th scope="col">User</th><th scope="col">Servers</th><th scope="col">Usage in ${input.monthLabel}</th><th scope="col">Quota</th></tr></thead>
<tbody>
${rows.length ? rows : html`<tr><td colspan="4">No users match.</td></tr>`}
</tbody>
</table></div>
</section>`;
}

function groupsSection(input: AdminPageInput): SafeHtml {
  const rows = input.groups.map((g) => html`<tr>
<th scope="row">${g.name}</th><td>${g.members}</td><td>${g.quota}</td>
<td>${g.usage.cost}<br><span class="muted">${g.usage.gbHours} · ${g.usage.cpuHours}</span></td>
<td><a href="${g.quotaUrl}">Edit quota<span class="visually-hidden"> of group ${g.name}</span></a></td>
</tr>`);
  return html`<section class="card" aria-labelledby="admin-groups-heading">
<h2 id="admin-groups-heading">Groups</h2>
<div class="table-wrap"><table class="servers admin-groups">
<caption class="visually-hidden">Groups, their quotas and usage in ${input.monthLabel}</caption>
<thead><tr><th scope="col">Group</th><th scope="col">Members</th><th scope="col">Quota</th><th scope="col">Usage in ${input.monthLabel}</th><th scope="col">Edit</th></tr></thead>
<tbody>
${rows.length ? rows : html`<tr><td colspan="5">No groups yet.</td></tr>`}
</tbody>
</table></div>
<p><a href="${input.csvUrl}">Download everyone’s usage in ${input.monthLabel} as CSV</a></p>
</section>`;
}

function eventsSection(input: AdminPageInput): SafeHtml {
  const { now, eventFilter } = input;
  const kinds = [...new Set(['', ...input.eventKinds, eventFilter.kind])];
  const options = kinds.map((k) => html`<option value="${k}"${k === eventFilter.kind ? html` selected` : null}>${k === '' ? 'all kinds' : k}</option>`);
  const rows = input.events.map((e) => html`<tr class="event event-${e.kind}">
<td>${timeElement(e.time, now)}</td><td>${e.kind}</td><td>${e.user ?? ''}</td><td>${e.server === null ? '' : e.server === '' ? 'default' : e.server}</td><td>${e.message}</td>
</tr>`);
  return html`<section class="card" aria-labelledby="admin-events-heading">
<h2 id="admin-events-heading">Event log</h2>
<form method="get" action="${input.pageUrl}" class="inline-fields">
<label for="event-user">User</label>
<input id="event-user" name="user" type="text" value="${eventFilter.user}" autocapitalize="none" spellcheck="false">
<label for="event-kind">Kind</label>
<select id="event-kind" name="kind">${options}</select>
<button type="submit" class="button">Show events</button>
</form>
<div class="table-wrap"><table class="servers admin-events">
<caption class="visually-hidden">Events, newest first</caption>
<thead><tr><th scope="col">When</th><th scope="col">Kind</th><th scope="col">User</th><th scope="col">Server</th><th scope="col">What happened</th></tr></thead>
<tbody>
${rows.length ? rows : html`<tr><td colspan="5">No events match.</td></tr>`}
</tbody>
</table></div>
</section>`;
}

export function renderAdmin(input: AdminPageInput): string {
  const flash = input.flash ? html`<div class="alert notice" role="status"><p>${input.flash}</p></div>` : null;
  const body = html`<h1>Admin</h1>
${flash}
${usersSection(input)}
${groupsSection(input)}
${eventsSection(input)}`;
  return renderLayout({ ctx: input.ctx, title: 'Admin', body });
}
