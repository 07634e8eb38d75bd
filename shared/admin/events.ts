/**
 * The audit trail (SPEC §5): events of an org, or of a company (its own and its orgs'), newest first.
 */

import type { ScopeContext } from '../model/writes.ts';
import { eventView, listOf } from './context.ts';

export const listEvents = listOf(
  (store, scope: ScopeContext, page) => store.listEvents(scope.ref, page),
  eventView,
);
