// Express middleware that puts the signed-in user's budget warning on every hub page: at
// usage.warnAt a warning, at 100 % an error notice (page-context.ts reads res.locals.pageNotices).
import type { RequestHandler } from 'express';
import type { HubContext } from '../context';
import type { PageNotice } from '../pages/layout';
import type { User } from '../store/store';
import { QuotaBook } from './quota-book';
import { usageView, type UsageView } from './usage-view';

export function budgetNotice(view: UsageView, homeUrl: string): PageNotice | null {
  if (view.message === null) return null;
  return {
    level: view.budget.level === 'exceeded' ? 'error' : 'warning',
    text: view.message,
    link: { href: `${homeUrl}#usage`, label: 'See your usage' },
  };
}

export function budgetNotices(ctx: HubContext): RequestHandler {
  const book = new QuotaBook(ctx.store, ctx.config.quotas);
  const homeUrl = `${ctx.hubPrefix}home`;
  return (req, res, next) => {
    const user = req.user as User | undefined;
    // Pages only: the API reports budgets in its own responses.
    if (!user || req.method !== 'GET' || req.path.startsWith('/api/') || req.path.startsWith('/static/')) return next();
    usageView({ store: ctx.store, book, settings: ctx.config }, user, ctx.clock.now())
      .then((view) => {
        const notice = budgetNotice(view, homeUrl);
        // Other middleware (the culler's warning) adds its notices to the same list.
        if (notice) res.locals.pageNotices = [...((res.locals.pageNotices as PageNotice[] | undefined) ?? []), notice];
        next();
      })
      .catch((err: unknown) => {
        // A page without its notice beats no page: log and carry on.
        ctx.logger.warn({ err, user: user.name }, 'could not read the budget for the page notice');
        next();
      });
  };
}
