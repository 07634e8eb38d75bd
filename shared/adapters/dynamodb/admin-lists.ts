/**
 * The admin API's paged lists (SPEC §5): members, invitations, teams, domains, SSO connections
 * and events, each a Query of one partition of the table or of gsi1 behind an opaque cursor.
 * Events read in number order from any point, and filtered by type (SPEC §11).
 */
import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../../errors.ts';
import {
  type CursorKey,
  type CursorShape,
  decodeCursor,
  encodeCursor,
  type Page,
  type PageRequest,
} from '../../model/page.ts';
import type { SignInMethod } from '../../model/types.ts';
import type {
  AdminStore,
  DomainAuditCandidate,
  DomainAuditRecord,
  EventQuery,
  InvitationRecord,
  MemberRecord,
  TeamRecord,
} from '../../model/writes.ts';
import {
  attr,
  eventSeqSk,
  GSI1,
  keys,
  MAX_EVENT_SEQ,
  PERSON_SUMMARY_SK,
  prefix,
  type ScopeRef,
  scopeKey,
} from '../../table/schema.ts';
import { readConnectionRecord, readEvent, str, strOrNull } from './admin-records.ts';
import { dynamo } from './errors.ts';
import { readDomainClaim, readInvitation, readMembership } from './items.ts';
import { LAST_SIGN_IN_METHOD, LAST_SIGN_IN_ON } from './person-changes.ts';
import { batchGet, foundItem } from './query.ts';

/** The key attributes of a table item and of a gsi1 item, for cursors. */
const TABLE_KEY = [attr.pk, attr.sk] as const;
const GSI1_KEY = [attr.pk, attr.sk, attr.gsi1pk, attr.gsi1sk] as const;

/** A list query: a partition of the table or of gsi1, under a sort-key prefix. */
interface ListQuery {
  index: 'table' | 'gsi1';
  partition: string;
  prefix: string;
  /** Newest first (events). */
  backwards?: boolean;
  /** Only sort keys from `from` to `to` (both under `prefix`): events after a number. */
  range?: { from: string; to: string };
  /** Only items whose `type` is one of these (events). */
  types?: readonly string[];
}

/**
 * Query requests a filtered list makes for one page at most: a rare type among many events
 * ends the page early (shorter, with a cursor to go on) rather than reading the whole history.
 */
const MAX_FILTERED_READS = 10;

function cursorShape(q: ListQuery): CursorShape {
  return q.index === 'table'
    ? {
        attributes: TABLE_KEY,
        partition: { attribute: attr.pk, value: q.partition },
        sort: { attribute: attr.sk, prefix: q.prefix },
      }
    : {
        attributes: GSI1_KEY,
        partition: { attribute: attr.gsi1pk, value: q.partition },
        sort: { attribute: attr.gsi1sk, prefix: q.prefix },
      };
}

function keyOfItem(item: Record<string, unknown>, q: ListQuery): CursorKey {
  const names = q.index === 'table' ? TABLE_KEY : GSI1_KEY;
  return Object.fromEntries(names.map((n) => [n, str(item[n])]));
}

/** The admin store's paged lists. */
export type AdminLists = Pick<
  AdminStore,
  | 'listMembers'
  | 'listInvitations'
  | 'listTeams'
  | 'listClaims'
  | 'listConnections'
  | 'listEvents'
  | 'listDomainAudit'
>;

/** The account's sort key: the summary's mirror of it is named so. */
const ACCOUNT_SK = keys.account('').sk;

/**
 * Summaries a domain audit page examines at most before it answers (a shorter page with a
 * cursor): a domain whose accounts are nearly all members costs each request a bounded read.
 */
export const DOMAIN_AUDIT_READ_BUDGET = 2000;

const SIGN_IN_METHODS: readonly string[] = ['password', 'social', 'sso', 'hook'];

/** What a person summary listed by email domain says for the audit (SPEC §13). */
function auditCandidate(item: Record<string, unknown>): DomainAuditCandidate | undefined {
  const account = item[ACCOUNT_SK];
  if (!account || typeof account !== 'object') return undefined;
  const a = account as Record<string, unknown>;
  const memberOf: string[] = [];
  const invitations: DomainAuditCandidate['invitations'] = [];
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(prefix.member) && !name.includes(prefix.teamInfix)) {
      memberOf.push(name.slice(prefix.member.length));
    } else if (name.startsWith(prefix.invitation) && value && typeof value === 'object') {
      const v = value as Record<string, unknown>;
      // An invitation from before expiry existed expires 14 days after it was created, as
      // `readInvitation` reads it.
      const { expiresAt, expiredAt } = readInvitation(v);
      invitations.push({
        orgId: name.slice(prefix.invitation.length),
        expiresAt,
        ...(expiredAt === undefined ? {} : { expiredAt }),
      });
    }
  }
  const method = item[LAST_SIGN_IN_METHOD];
  return {
    email: str(item[attr.gsi1sk]),
    username: str(a.username),
    name: strOrNull(a.name),
    lastSignInOn: strOrNull(item[LAST_SIGN_IN_ON]),
    lastSignInMethod:
      typeof method === 'string' && SIGN_IN_METHODS.includes(method)
        ? (method as SignInMethod)
        : null,
    memberOf,
    invitations,
  };
}

/** A domain audit cursor's shape for one domain: a summary's key on the email-domain index. */
const auditCursorShape = (domain: string): CursorShape => ({
  attributes: GSI1_KEY,
  partition: { attribute: attr.gsi1pk, value: keys.personByDomain(`@${domain}`).gsi1pk },
  sort: { attribute: attr.gsi1sk, prefix: '' },
});

/**
 * Which domain a domain audit cursor is in, and its key; a cursor not issued for these domains
 * (another domain, a key that is not a summary's) is a 400 naming `cursor`.
 */
function decodeAuditCursor(
  raw: string,
  domains: readonly string[],
): { index: number; key: CursorKey } {
  for (let index = 0; index < domains.length; index++) {
    let key: CursorKey;
    try {
      key = decodeCursor(raw, auditCursorShape(domains[index]!));
    } catch {
      continue;
    }
    const summary = keys.personSummary(key[attr.gsi1sk]!);
    if (key[attr.pk] !== summary.pk || key[attr.sk] !== PERSON_SUMMARY_SK) break;
    return { index, key };
  }
  throw new ValidationError('cursor', 'is not a cursor this list issued');
}

export function createAdminLists(db: DynamoDBDocumentClient, tableName: string): AdminLists {
  /** Runs a list query until it has one item more than the page, so `nextCursor` is exact. */
  async function queryPage(
    q: ListQuery,
    page: PageRequest,
    /** How many items make one entry of the list (members are followed by their team items). */
    startsEntry: (item: Record<string, unknown>) => boolean = () => true,
  ): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null }> {
    let start: Record<string, unknown> | undefined = page.cursor
      ? decodeCursor(page.cursor, cursorShape(q))
      : undefined;
    if (start && q.range) {
      // A cursor of this list lies in its range; DynamoDB would refuse one outside it.
      const sk = String(start[q.index === 'gsi1' ? attr.gsi1sk : attr.sk]);
      if (sk < q.range.from || sk > q.range.to) {
        throw new ValidationError('cursor', 'is not a cursor this list issued');
      }
    }
    const [pkName, skName] = q.index === 'gsi1' ? [attr.gsi1pk, attr.gsi1sk] : [attr.pk, attr.sk];
    const kept: Record<string, unknown>[] = [];
    let entries = 0;
    for (let reads = 1; ; reads++) {
      const input: QueryCommandInput = {
        TableName: tableName,
        ...(q.index === 'gsi1' ? { IndexName: GSI1 } : { ConsistentRead: true }),
        KeyConditionExpression: q.range
          ? `${pkName} = :p AND ${skName} BETWEEN :from AND :to`
          : `${pkName} = :p AND begins_with(${skName}, :prefix)`,
        ExpressionAttributeValues: {
          ':p': q.partition,
          ...(q.range ? { ':from': q.range.from, ':to': q.range.to } : { ':prefix': q.prefix }),
          ...Object.fromEntries((q.types ?? []).map((t, i) => [`:t${i}`, t])),
        },
        ...(q.types?.length
          ? {
              FilterExpression: `#type IN (${q.types.map((_, i) => `:t${i}`).join(', ')})`,
              ExpressionAttributeNames: { '#type': 'type' },
            }
          : {}),
        ScanIndexForward: !q.backwards,
        Limit: Math.min(1000, (page.limit + 1) * 4),
        ...(start ? { ExclusiveStartKey: start } : {}),
      };
      const out = await dynamo(() => db.send(new QueryCommand(input)));
      for (const item of out.Items ?? []) {
        if (startsEntry(item)) {
          if (entries === page.limit) {
            // One entry more than the page: the page ends at the item before it.
            const last = kept[kept.length - 1]!;
            return { items: kept, nextCursor: encodeCursor(keyOfItem(last, q)) };
          }
          entries++;
        } else if (entries === 0) {
          continue; // a tail of the previous page's last entry
        }
        kept.push(item);
      }
      start = out.LastEvaluatedKey;
      if (!start) return { items: kept, nextCursor: null };
      if (q.types?.length && reads >= MAX_FILTERED_READS) {
        // A short page: the next one starts after the last item read, kept or not.
        return { items: kept, nextCursor: encodeCursor(keyOfItem(start, q)) };
      }
    }
  }

  async function list<T>(
    q: ListQuery,
    page: PageRequest,
    read: (item: Record<string, unknown>) => T,
  ): Promise<Page<T>> {
    const out = await queryPage(q, page);
    return { items: out.items.map(read), nextCursor: out.nextCursor };
  }

  return {
    async listDomainAudit(domains, row, page): Promise<Page<DomainAuditRecord>> {
      const from = page.cursor ? decodeAuditCursor(page.cursor, domains) : undefined;
      const rows: DomainAuditRecord[] = [];
      let lastRow: CursorKey | undefined;
      let examined = 0;
      for (let d = from?.index ?? 0; d < domains.length; d++) {
        let start: Record<string, unknown> | undefined = d === from?.index ? from.key : undefined;
        for (;;) {
          const out = await dynamo(() =>
            db.send(
              new QueryCommand({
                TableName: tableName,
                IndexName: GSI1,
                KeyConditionExpression: 'gsi1pk = :p',
                // Only summaries that mirror an account (SPEC §13: accounts, not invitees).
                FilterExpression: 'attribute_exists(#account)',
                ExpressionAttributeNames: { '#account': ACCOUNT_SK },
                ExpressionAttributeValues: {
                  ':p': keys.personByDomain(`@${domains[d]}`).gsi1pk,
                },
                Limit: Math.min(1000, (page.limit + 1) * 4),
                ...(start ? { ExclusiveStartKey: start } : {}),
              }),
            ),
          );
          examined += out.ScannedCount ?? 0;
          for (const item of out.Items ?? []) {
            const candidate = auditCandidate(item);
            const r = candidate && row(candidate);
            if (!r) continue;
            if (rows.length === page.limit) {
              // One row more than the page: the page ends at the row before it.
              return { items: rows, nextCursor: encodeCursor(lastRow!) };
            }
            rows.push(r);
            lastRow = Object.fromEntries(GSI1_KEY.map((n) => [n, str(item[n])]));
          }
          start = out.LastEvaluatedKey;
          if (!start) break;
          if (examined >= DOMAIN_AUDIT_READ_BUDGET) {
            // Read enough for one request: a shorter page, going on from where the read stopped.
            return {
              items: rows,
              nextCursor: encodeCursor(
                Object.fromEntries(GSI1_KEY.map((n) => [n, str(start![n])])),
              ),
            };
          }
        }
      }
      return { items: rows, nextCursor: null };
    },

    async listMembers(orgId, page): Promise<Page<MemberRecord>> {
      const q: ListQuery = { index: 'gsi1', partition: keys.org(orgId).pk, prefix: prefix.member };
      const out = await queryPage(q, page, (item) => item.entity === 'member');
      const members: MemberRecord[] = [];
      for (const item of out.items) {
        if (item.entity === 'member') {
          members.push({
            email: str(item.email),
            membership: readMembership(item),
            teams: [],
            username: null,
            name: null,
          });
        } else if (item.entity === 'teamMember') {
          const m = members[members.length - 1];
          if (m && m.email === item.email)
            m.teams.push({ team: str(item.team), via: str(item.via) });
        }
      }
      const accounts = await batchGet(
        db,
        tableName,
        members.map((m) => keys.account(m.email)),
      );
      for (const m of members) {
        const account = foundItem(accounts, keys.account(m.email));
        m.username = account ? strOrNull(account.username) : null;
        m.name = account ? strOrNull(account.name) : null;
      }
      return { items: members, nextCursor: out.nextCursor };
    },

    listInvitations: (orgId, page) =>
      list<InvitationRecord>(
        { index: 'gsi1', partition: keys.org(orgId).pk, prefix: prefix.invitation },
        page,
        (item) => ({ email: str(item.email), invitation: readInvitation(item) }),
      ),

    listTeams: (orgId, page) =>
      list<TeamRecord>(
        { index: 'table', partition: keys.org(orgId).pk, prefix: prefix.team },
        page,
        (item) => ({
          name: str(item.name),
          memberCount: typeof item.memberCount === 'number' ? item.memberCount : 0,
        }),
      ),

    listClaims: (scope: ScopeRef, page) =>
      list(
        { index: 'table', partition: scopeKey(scope), prefix: prefix.domain },
        page,
        readDomainClaim,
      ),

    listConnections: (scope: ScopeRef, page) =>
      list(
        { index: 'table', partition: scopeKey(scope), prefix: prefix.sso },
        page,
        readConnectionRecord,
      ),

    listEvents: (scope: ScopeRef, page, query: EventQuery = {}) => {
      const asc = query.order === 'asc';
      const types = query.types?.length ? { types: query.types } : {};
      if (query.after !== undefined) {
        // The scope's own numbered events after `after`, in number order (SPEC §11).
        if (!asc) throw new Error('Events after a number are listed in ascending order');
        if (query.after >= MAX_EVENT_SEQ) return Promise.resolve({ items: [], nextCursor: null });
        return list(
          {
            index: 'table',
            partition: scopeKey(scope),
            prefix: prefix.numberedEvent,
            range: { from: eventSeqSk(query.after + 1), to: eventSeqSk(MAX_EVENT_SEQ) },
            ...types,
          },
          page,
          readEvent,
        );
      }
      const backwards = !asc;
      return list(
        scope.type === 'org'
          ? // Numbered events by number; those from before numbering sort before them, by time.
            {
              index: 'table',
              partition: scopeKey(scope),
              prefix: prefix.event,
              backwards,
              ...types,
            }
          : {
              index: 'gsi1',
              partition: keys.companyEventIndex(scope.id, '', '').gsi1pk,
              prefix: prefix.event,
              backwards,
              ...types,
            },
        page,
        readEvent,
      );
    },
  };
}
