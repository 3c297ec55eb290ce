// planRouteChanges: the pure diff behind route reconciliation; routeActivity: activity from routes.
import { planRouteChanges, routeActivity, type DesiredRoute } from '../../../../hub/proxy-sync/plan';
import type { ProxyRoute } from '../../../../hub/proxy-sync/proxy-client';

const hub: DesiredRoute = { key: '/', target: 'http://127.0.0.1:8081', data: { hub: true, sciencehub: true } };
const userRoute = (user: string, server: string, target: string): DesiredRoute => ({
  key: server ? `/user/${user}/${server}` : `/user/${user}`, target, data: { user, server_name: server, sciencehub: true },
});
const alice = userRoute('alice', '', 'http://127.0.0.1:34707');
const aliceGpu = userRoute('alice', 'gpu', 'http://127.0.0.1:34708');
/** A route as the proxy reports it: the data we posted plus last_activity. */
const asActual = (d: DesiredRoute, extra: Record<string, unknown> = {}): ProxyRoute => ({
  ...d.data, target: d.target, last_activity: '2024-05-01T12:00:00.000Z', ...extra,
});

describe('planRouteChanges', () => {
  it('nothing to do when the proxy has exactly the desired routes (extra keys ignored)', () => {
    const actual = { '/': asActual(hub), '/user/alice': asActual(alice, { jupyterhub: true }) };
    expect(planRouteChanges([hub, alice], actual)).toEqual({ add: [], remove: [] });
  });

  it('adds missing routes', () => {
    expect(planRouteChanges([hub, alice, aliceGpu], { '/': asActual(hub) })).toEqual({ add: [alice, aliceGpu], remove: [] });
    expect(planRouteChanges([hub], {})).toEqual({ add: [hub], remove: [] });
  });

  it('re-adds a route with the wrong target', () => {
    const actual = { '/': asActual(hub), '/user/alice': asActual({ ...alice, target: 'http://127.0.0.1:1' }) };
    expect(planRouteChanges([hub, alice], actual)).toEqual({ add: [alice], remove: [] });
  });

  it('re-adds a route whose data differs or is missing', () => {
    const wrongUser = { '/user/alice': { ...asActual(alice), user: 'bob' } };
    expect(planRouteChanges([alice], wrongUser).add).toEqual([alice]);
    const noFlag: Record<string, ProxyRoute> = { '/user/alice': { target: alice.target, user: 'alice', server_name: '' } };
    expect(planRouteChanges([alice], noFlag).add).toEqual([alice]);
  });

  it('takes over a foreign route at a key it wants (e.g. JupyterHub\'s hub route)', () => {
    const actual = { '/': { target: 'http://127.0.0.1:9999', hub: true, jupyterhub: true } };
    expect(planRouteChanges([hub], actual)).toEqual({ add: [hub], remove: [] });
  });

  it('deletes stale sciencehub routes', () => {
    const bob = userRoute('bob', '', 'http://127.0.0.1:40000');
    const actual = { '/': asActual(hub), '/user/bob': asActual(bob), '/user/alice/gpu': asActual(aliceGpu) };
    expect(planRouteChanges([hub], actual)).toEqual({ add: [], remove: ['/user/bob', '/user/alice/gpu'] });
  });

  it('leaves foreign routes alone', () => {
    const actual: Record<string, ProxyRoute> = {
      '/': asActual(hub),
      '/user/carol': { target: 'http://10.0.0.3:8888', user: 'carol', server_name: '', jupyterhub: true },
      '/services/grafana': { target: 'http://10.0.0.9:3000' },
      '/odd': { target: 'http://x', sciencehub: 'true' },
    };
    expect(planRouteChanges([hub], actual)).toEqual({ add: [], remove: [] });
  });

  it('leaves routes of pending servers alone: neither added nor deleted', () => {
    const bob = userRoute('bob', '', 'http://127.0.0.1:40000');
    const actual = { '/': asActual(hub), '/user/bob': asActual(bob) };
    const pending = new Set(['/user/bob', '/user/alice']);
    expect(planRouteChanges([hub, alice], actual, pending)).toEqual({ add: [], remove: [] });
  });

  it('a pending key does not shield other keys', () => {
    const bob = userRoute('bob', '', 'http://127.0.0.1:40000');
    const actual = { '/user/bob': asActual(bob) };
    expect(planRouteChanges([hub, alice], actual, new Set(['/user/alice/gpu']))).toEqual({ add: [hub, alice], remove: ['/user/bob'] });
  });

  it('an empty proxy and nothing desired plans nothing', () => {
    expect(planRouteChanges([], {})).toEqual({ add: [], remove: [] });
  });

  it('does not modify its inputs', () => {
    const desired = [hub, alice];
    const actual = { '/user/bob': asActual(userRoute('bob', '', 'http://x')) };
    const before = JSON.stringify([desired, actual]);
    planRouteChanges(desired, actual, new Set());
    expect(JSON.stringify([desired, actual])).toBe(before);
  });
});

describe('routeActivity', () => {
  it('collects last_activity of every user-server route (ours and JupyterHub\'s), skipping others', () => {
    const actual: Record<string, ProxyRoute> = {
      '/': asActual(hub, { last_activity: '2024-05-01T12:00:05.000Z' }),
      '/user/alice': asActual(alice, { last_activity: '2024-05-01T12:00:01.000Z' }),
      '/user/alice/gpu': asActual(aliceGpu, { last_activity: '2024-05-01T12:00:02.000Z' }),
      '/user/carol': { target: 'http://x', user: 'carol', server_name: '', jupyterhub: true, last_activity: '2024-05-01T12:00:03.000Z' },
      '/user/dave': { target: 'http://x', user: 'dave', server_name: '' },
      '/user/erin': { target: 'http://x', user: 'erin', last_activity: '2024-05-01T12:00:04.000Z' },
      '/user/frank': { target: 'http://x', user: 7, server_name: '', last_activity: '2024-05-01T12:00:04.000Z' },
    };
    expect(routeActivity(actual)).toEqual(expect.arrayContaining([
      { user: 'alice', server: '', lastActivity: '2024-05-01T12:00:01.000Z' },
      { user: 'alice', server: 'gpu', lastActivity: '2024-05-01T12:00:02.000Z' },
      { user: 'carol', server: '', lastActivity: '2024-05-01T12:00:03.000Z' },
    ]));
    expect(routeActivity(actual)).toHaveLength(3);
  });

  it('no routes, no activity', () => {
    expect(routeActivity({})).toEqual([]);
  });
});
