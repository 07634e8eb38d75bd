/**
 * The person summary and the org-owner entries are copies (`person-changes.ts`): every writer
 * keeps them with the items in one transaction, and the sign-in repairs a person whose summary
 * it finds wrong. This finds, and with `repair` fixes, any that drifted, a bounded number of
 * people per run, resumable from where a run stopped (`npm run check:consistency`).
 */
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { countsAsOwner } from '../../rules/owners.ts';
import { attr, keys, PERSON_SUMMARY_SK, prefix } from '../../table/schema.ts';
import { dynamo } from './errors.ts';
import { orgOwnerItem, readPerson } from './items.ts';
import { PersonChanges, readSummary } from './person-changes.ts';
import { decodeStartKey, encodeStartKey, queryPartition } from './query.ts';
import { type TransactItem, TransactionRefused, transactWrite } from './transact.ts';

/** How one person's copies differ from their items. */
export interface PersonDrift {
  email: string;
  /** The summary does not mirror the items (what the sign-in decides on). */
  summary: boolean;
  /** Orgs the person owns without an owner entry, and owner entries without ownership. */
  ownerEntriesMissing: string[];
  ownerEntriesExtra: string[];
}

/** What the sign-in decides on of a person, in a stable order, for comparing. */
function comparable(items: Record<string, unknown>[]): string {
  const p = readPerson(items);
  const sorted = <T>(list: T[]) => list.map((x) => JSON.stringify(x)).sort();
  const companies = items
    .filter((i) => String(i[attr.sk]).startsWith(prefix.companyOwner))
    .map((i) => `${String(i.companyId)}:${String(i.companyName)}`)
    .sort();
  return JSON.stringify([
    companies,
    p.account ?? null,
    sorted(p.memberships),
    sorted(p.teamMemberships),
    sorted(p.invitations),
    sorted(p.notices),
  ]);
}

/** The drift of one person, from every item of their partition; undefined when none. */
export function personDrift(
  email: string,
  partition: Record<string, unknown>[],
): PersonDrift | undefined {
  const summary = partition.find((i) => i[attr.sk] === PERSON_SUMMARY_SK);
  const items = partition.filter((i) => i !== summary);
  const summaryDrift = comparable(items) !== comparable(readSummary(summary));
  const owned = readPerson(items)
    .memberships.filter(countsAsOwner)
    .map((m) => m.orgId);
  const entries = items
    .map((i) => String(i[attr.sk]))
    .filter((sk) => sk.startsWith(prefix.orgOwner))
    .map((sk) => sk.slice(prefix.orgOwner.length));
  const missing = owned.filter((o) => !entries.includes(o)).sort();
  const extra = entries.filter((o) => !owned.includes(o)).sort();
  if (!summaryDrift && !missing.length && !extra.length) return undefined;
  return { email, summary: summaryDrift, ownerEntriesMissing: missing, ownerEntriesExtra: extra };
}

/** The writes that make a person's copies equal their items again. */
function repairItems(
  tableName: string,
  partition: Record<string, unknown>[],
  drift: PersonDrift,
): TransactItem[] {
  const changes = new PersonChanges();
  // Rewritten on the revision read: a writer meanwhile fails this repair, never loses its write.
  changes.rebuild({ items: partition });
  const summary = changes.items(tableName);
  const owners = [
    ...drift.ownerEntriesMissing.map(
      (orgId): TransactItem => ({
        Put: { TableName: tableName, Item: orgOwnerItem(orgId, drift.email) },
      }),
    ),
    ...drift.ownerEntriesExtra.map((orgId): TransactItem => {
      const k = keys.orgOwner(orgId, drift.email);
      return { Delete: { TableName: tableName, Key: { pk: k.pk, sk: k.sk } } };
    }),
  ];
  return [...(drift.summary ? summary : []), ...owners];
}

export interface ConsistencyOptions {
  /** Fix what drifted; otherwise only report it. */
  repair?: boolean;
  /** People checked in this run at most. @default 1000 */
  maxPeople?: number;
  /** Where an earlier run stopped (its `next`). */
  from?: string | undefined;
  /** Called with each person that drifted, as found (and repaired, when `repair`). */
  onDrift?: (drift: PersonDrift, repaired: boolean | 'conflict') => void;
}

export interface ConsistencyReport {
  checked: number;
  drifted: number;
  repaired: number;
  /** Repairs refused because the person changed meanwhile: run again to retry them. */
  conflicts: number;
  /** Where the next run starts; undefined when the whole table was read. */
  next: string | undefined;
}

/**
 * Finds the people's partitions a Scan page at a time, checks each person, and repairs when
 * asked. Stops after `maxPeople`, with the cursor the next run starts from (a person whose
 * items straddle two runs is checked by both, which changes nothing).
 */
export async function checkConsistency(
  db: DynamoDBDocumentClient,
  tableName: string,
  options: ConsistencyOptions = {},
): Promise<ConsistencyReport> {
  const maxPeople = options.maxPeople ?? 1000;
  const report: ConsistencyReport = {
    checked: 0,
    drifted: 0,
    repaired: 0,
    conflicts: 0,
    next: undefined,
  };
  let start = decodeStartKey(options.from);
  const seen = new Set<string>();
  do {
    const page = await dynamo(() =>
      db.send(
        new ScanCommand({
          TableName: tableName,
          // Any item of a person's partition: an account, a summary or a membership alone may be
          // all there is of a person whose copies drifted. Each partition is checked once a run.
          FilterExpression: 'begins_with(#pk, :person)',
          ExpressionAttributeNames: { '#pk': attr.pk },
          ExpressionAttributeValues: { ':person': keys.person('') },
          ProjectionExpression: '#pk',
          Limit: Math.max(1, Math.min(100, maxPeople - report.checked)),
          ExclusiveStartKey: start,
        }),
      ),
    );
    for (const item of page.Items ?? []) {
      const pk = String(item[attr.pk]);
      if (seen.has(pk)) continue;
      seen.add(pk);
      const email = pk.slice(keys.person('').length);
      const partition = await queryPartition(db, tableName, pk);
      report.checked++;
      const drift = personDrift(email, partition);
      if (!drift) continue;
      report.drifted++;
      if (!options.repair) {
        options.onDrift?.(drift, false);
        continue;
      }
      try {
        const items = repairItems(tableName, partition, drift).map((item) => ({
          item,
          guard: 'changed meanwhile',
        }));
        await transactWrite(db, items, {
          tooLarge: (n) => new Error(`The repair of ${drift.email} needs ${n} writes`),
        });
        report.repaired++;
        options.onDrift?.(drift, true);
      } catch (error) {
        if (!(error instanceof TransactionRefused)) throw error;
        report.conflicts++;
        options.onDrift?.(drift, 'conflict');
      }
    }
    start = page.LastEvaluatedKey;
  } while (start && report.checked < maxPeople);
  report.next = encodeStartKey(start);
  return report;
}
