/**
 * The one translator from the core's writes (`Write`, shared/model/writes.ts) to DynamoDB
 * transaction items, split by entity. The sign-in store and the admin store (and through it
 * SCIM and the domain checker) both write through `transactionOf`: every condition that guards an
 * invariant (seats, the last owner, one verifier per domain, unique names, versions) is written
 * in one place, and every item of a person's partition keeps their summary and owner entries
 * (person-changes.ts).
 */
import type { Write } from '../../../model/writes.ts';
import { PersonChanges } from '../person-changes.ts';
import type { Guarded, TransactItem } from '../transact.ts';
import * as audit from './audit.ts';
import * as company from './company.ts';
import * as connection from './connection.ts';
import type { WriteContext } from './context.ts';
import * as domain from './domain.ts';
import * as invitation from './invitation.ts';
import * as membership from './membership.ts';
import * as org from './org.ts';
import * as person from './person.ts';
import * as scim from './scim.ts';
import * as team from './team.ts';
import * as webhook from './webhook.ts';

type Translators = {
  [K in Write['kind']]: (cx: WriteContext, w: Extract<Write, { kind: K }>) => TransactItem[];
};

const TRANSLATORS: Translators = {
  ...org,
  ...membership,
  ...team,
  ...invitation,
  ...company,
  ...domain,
  ...connection,
  ...scim,
  ...person,
  ...audit,
  ...webhook,
};

/** One write's items (recording person items in `cx.summary`). */
export function itemsOf(cx: WriteContext, w: Write): TransactItem[] {
  const translate = TRANSLATORS[w.kind] as (cx: WriteContext, w: Write) => TransactItem[];
  return translate(cx, w);
}

/** The items of a change, each guarded by the index of its write; then the person changes. */
export interface Transaction {
  items: Guarded<number>[];
}

/**
 * A change's items in order, each guarded by the index of the write it came from, followed by
 * the person summaries and owner entries its person items call for (guarded `undefined`: they
 * carry no condition that can fail, except a repair's, guarded `'summary'`). `repair` rebuilds
 * the summary of a person whose items were read whole (a drifted summary).
 */
export function transactionOf(
  tableName: string,
  writes: readonly Write[],
  options: { repair?: readonly Record<string, unknown>[] | undefined } = {},
): Guarded<number | 'summary'>[] {
  const summary = new PersonChanges();
  if (options.repair) summary.rebuild({ items: [...options.repair] });
  const cx: WriteContext = { tableName, summary };
  const items: Guarded<number | 'summary'>[] = [];
  writes.forEach((w, i) => {
    for (const item of itemsOf(cx, w)) items.push({ item, guard: i });
  });
  for (const item of summary.items(tableName)) {
    // A repair's summary is written on the revision it read: another writer meanwhile is stale.
    items.push({ item, guard: options.repair && item.Put ? 'summary' : undefined });
  }
  return items;
}
