/**
 * The audit trail (SPEC §5): events of an org, or of a company (its own and its orgs'), newest first.
 */

import type { Page, PageRequest } from '../model/page.ts';
import type { ScopeContext } from '../model/writes.ts';
import { type Ctx, eventView, pageOf } from './context.ts';
import type { EventView } from './schemas.ts';

export const listEvents = async (
  ctx: Ctx,
  scope: ScopeContext,
  page: PageRequest,
): Promise<Page<EventView>> => pageOf(await ctx.deps.store.listEvents(scope.ref, page), eventView);
