/**
 * The audit trail (SPEC §5, §11): events of an org, or of a company (its own and its orgs'),
 * newest first by default; oldest first, from a number on (`after`), or of some types only.
 */

import { ValidationError } from '../errors.ts';
import { EVENT_TYPES, type EventType } from '../model/events.ts';
import type { Page, PageRequest } from '../model/page.ts';
import type { EventQuery, ScopeContext } from '../model/writes.ts';
import { MAX_EVENT_SEQ } from '../table/schema.ts';
import { type Ctx, eventView } from './context.ts';
import type { EventView } from './schemas.ts';

const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);

/**
 * Reads `order`, `after` and `types` from the query string; 400 naming the field for a bad one.
 * `after` counts numbered events, so it needs `order=asc` (a newest-first list has no "after").
 */
export function parseEventQuery(query: Readonly<Record<string, string | undefined>>): EventQuery {
  const { order, after, types } = query;
  if (order !== undefined && order !== 'asc' && order !== 'desc') {
    throw new ValidationError('order', 'must be asc or desc');
  }
  let afterSeq: number | undefined;
  if (after !== undefined) {
    if (!/^\d{1,12}$/.test(after) || Number(after) > MAX_EVENT_SEQ) {
      throw new ValidationError('after', 'must be an event number: an integer of 0 or more');
    }
    if (order !== 'asc') {
      throw new ValidationError(
        'after',
        'needs order=asc: events after a number are read oldest first',
      );
    }
    afterSeq = Number(after);
  }
  let typeList: EventType[] | undefined;
  if (types !== undefined) {
    const names = types.split(',').map((t) => t.trim());
    const unknown = names.find((t) => !KNOWN_TYPES.has(t));
    if (unknown !== undefined) {
      throw new ValidationError(
        'types',
        unknown === ''
          ? 'must be a comma-separated list of event types'
          : `has an unknown event type: ${JSON.stringify(unknown.slice(0, 64))}`,
      );
    }
    typeList = [...new Set(names)] as EventType[];
  }
  return {
    ...(order ? { order } : {}),
    ...(afterSeq !== undefined ? { after: afterSeq } : {}),
    ...(typeList ? { types: typeList } : {}),
  };
}

/** A page of a scope's events as the API answers it. */
export async function listEvents(
  ctx: Ctx,
  scope: ScopeContext,
  page: PageRequest,
  query: EventQuery = {},
): Promise<Page<EventView>> {
  const out = await ctx.deps.store.listEvents(scope.ref, page, query);
  return { items: out.items.map(eventView), nextCursor: out.nextCursor };
}
