/**
 * The counters the table keeps next to the items they count, checked against those items: what
 * the load script and the fault and load tests assert after concurrency or a crash. A partial
 * write (a member without its seat, a seat without its member) shows up here, and so does a
 * person summary that no longer mirrors the person's items.
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { personDrift } from '../shared/adapters/dynamodb/consistency.ts';
import { queryAll, queryPartition, scanAll } from '../shared/adapters/dynamodb/query.ts';
import { GSI1, keys, prefix } from '../shared/table/schema.ts';

/** One org's counters and the items they count. */
export interface OrgAudit {
  orgId: string;
  name: string;
  seatLimit: number | null;
  seatsUsed: number;
  members: number;
  /** Invitations holding a seat (pending, or past expiry before the scheduled run). */
  invitations: number;
  ownerCount: number;
  owners: number;
  /** Owner members and owner index entries, by email, sorted. */
  ownerEmails: string[];
  ownerEntries: string[];
  /** Team name → [memberCount, team member items]. */
  teams: Record<string, [number, number]>;
  /** The people with a membership, team membership or invitation in the org. */
  emails: string[];
}

export interface AuditReport {
  orgs: OrgAudit[];
  /** Every broken invariant, in words; empty when all hold. */
  problems: string[];
}

/** The ids of every org in the table (a Scan: for a table only this caller writes to). */
export async function allOrgIds(db: DynamoDBDocumentClient, tableName: string): Promise<string[]> {
  const orgs = await scanAll(db, {
    TableName: tableName,
    FilterExpression: 'entity = :org',
    ExpressionAttributeValues: { ':org': 'org' },
    ConsistentRead: true,
  });
  return orgs.map((item) => String(item.id));
}

/** Reads one org's counters and counts the items behind them. */
export async function auditOrg(
  db: DynamoDBDocumentClient,
  tableName: string,
  orgId: string,
): Promise<OrgAudit> {
  const [org, indexed, teams] = await Promise.all([
    db.send(new GetCommand({ TableName: tableName, Key: keys.org(orgId), ConsistentRead: true })),
    queryAll(db, {
      TableName: tableName,
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `ORG#${orgId}` },
    }),
    queryAll(db, {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :team)',
      ExpressionAttributeValues: { ':pk': `ORG#${orgId}`, ':team': prefix.team },
      ConsistentRead: true,
    }),
  ]);
  const item = org.Item ?? {};
  const audit: OrgAudit = {
    orgId,
    name: String(item.name),
    seatLimit: typeof item.seatLimit === 'number' ? item.seatLimit : null,
    seatsUsed: typeof item.seatsUsed === 'number' ? item.seatsUsed : 0,
    members: 0,
    invitations: 0,
    ownerCount: typeof item.ownerCount === 'number' ? item.ownerCount : 0,
    owners: 0,
    ownerEmails: [],
    ownerEntries: [],
    teams: {},
    emails: [],
  };
  for (const team of teams) {
    audit.teams[String(team.name)] = [Number(team.memberCount ?? 0), 0];
  }
  audit.emails = [
    ...new Set(indexed.flatMap((i) => (typeof i.email === 'string' ? [i.email] : []))),
  ];
  for (const i of indexed) {
    if (i.entity === 'member') {
      audit.members++;
      // A suspended owner counts as no owner (SPEC §10).
      if (i.role === 'owner' && i.suspended !== true) {
        audit.owners++;
        audit.ownerEmails.push(String(i.email));
      }
    } else if (i.entity === 'orgOwner') audit.ownerEntries.push(String(i.email));
    // SPEC §13: an invitation the scheduled run expired holds no seat. (A bulk run in progress
    // holds seats no item shows yet: audit between runs.)
    else if (i.entity === 'invitation' && i.expiredAt === undefined) audit.invitations++;
    else if (i.entity === 'teamMember') {
      const team = String(i.team);
      audit.teams[team] ??= [0, 0];
      audit.teams[team][1]++;
    }
  }
  audit.ownerEmails.sort();
  audit.ownerEntries.sort();
  return audit;
}

/** What is wrong with one org's counters, in words. */
export function orgProblems(a: OrgAudit): string[] {
  const problems: string[] = [];
  const name = `${a.name} (${a.orgId})`;
  if (a.seatsUsed !== a.members + a.invitations)
    problems.push(
      `${name}: seatsUsed ${a.seatsUsed} ≠ ${a.members} members + ${a.invitations} invitations`,
    );
  if (a.seatLimit !== null && a.seatsUsed > a.seatLimit)
    problems.push(`${name}: seatsUsed ${a.seatsUsed} > seatLimit ${a.seatLimit}`);
  if (a.ownerCount !== a.owners)
    problems.push(`${name}: ownerCount ${a.ownerCount} ≠ ${a.owners} owner members`);
  if (a.ownerEmails.join() !== a.ownerEntries.join())
    problems.push(
      `${name}: owner entries [${a.ownerEntries.join(', ')}] ≠ owner members [${a.ownerEmails.join(', ')}]`,
    );
  for (const [team, [count, items]] of Object.entries(a.teams)) {
    if (count !== items)
      problems.push(`${name}: team ${team} memberCount ${count} ≠ ${items} team members`);
  }
  return problems;
}

/** Whether a person's summary mirrors the items of their partition, in words when not. */
export async function summaryProblems(
  db: DynamoDBDocumentClient,
  tableName: string,
  email: string,
): Promise<string[]> {
  const drift = personDrift(email, await queryPartition(db, tableName, keys.person(email)));
  return drift?.summary
    ? [`${email}: person summary does not mirror the items (${JSON.stringify(drift)})`]
    : [];
}

/** Audits the given orgs (default: every org in the table) and their people's summaries. */
export async function auditSeats(
  db: DynamoDBDocumentClient,
  tableName: string,
  orgIds?: readonly string[],
): Promise<AuditReport> {
  const ids = orgIds ?? (await allOrgIds(db, tableName));
  const orgs: OrgAudit[] = [];
  // A few at a time: DynamoDB Local shares two cores with everything else.
  for (let i = 0; i < ids.length; i += 8) {
    orgs.push(...(await Promise.all(ids.slice(i, i + 8).map((id) => auditOrg(db, tableName, id)))));
  }
  const emails = [...new Set(orgs.flatMap((o) => o.emails))];
  const people: string[] = [];
  for (let i = 0; i < emails.length; i += 8) {
    const batch = emails.slice(i, i + 8);
    for (const p of await Promise.all(batch.map((e) => summaryProblems(db, tableName, e))))
      people.push(...p);
  }
  return { orgs, problems: [...orgs.flatMap(orgProblems), ...people] };
}
