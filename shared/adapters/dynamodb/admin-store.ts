/**
 * The admin API's storage (SPEC §5) on the single table: reads for access checks and lists, and
 * `apply`, which turns the core's planned writes into one TransactWriteItems whose conditions
 * guard every invariant (org name uniqueness, seats, the last owner, one verifier per domain,
 * unique provider names, optimistic locks). A failed condition becomes the 409 (or 404) the
 * core attached to that write. Access patterns: docs/data-model.md, "Admin API".
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type {
  AdminStore,
  ConnectionRecord,
  MemberRecord,
  OrgAccess,
  Write,
} from '../../admin/model.ts';
import {
  type CursorKey,
  type CursorShape,
  decodeCursor,
  encodeCursor,
  type Page,
  type PageRequest,
} from '../../admin/pagination.ts';
import type { EventView, InvitationView, MemberView, TeamView } from '../../admin/schemas.ts';
import { AppError, ConflictError } from '../../errors.ts';
import type { Role, Via } from '../../sign-in/types.ts';
import { DEFAULT_GROUPS_CLAIM, type ProviderSource } from '../../sso/identity-providers.ts';
import { attr, GSI1, type Key, keys, prefix, type ScopeRef, scopeKey } from '../../table/schema.ts';
import { dynamo } from './errors.ts';
import {
  type CompanyRecord,
  companyItem,
  companyOrgItem,
  companyOwnerItem,
  type DomainClaimRecord,
  domainClaimItem,
  domainVerifiedItem,
  eventItem,
  invitationItem,
  memberItem,
  orgItem,
  orgNameGuardItem,
  outboxItem,
  outboxTaskItem,
  readConnection,
  readDomainClaim,
  readOrg,
  readPerson,
  ssoConnectionItem,
  ssoProviderItem,
} from './items.ts';
import { PersonChanges } from './person-changes.ts';
import { batchGet, foundItem, queryAll, queryPartition } from './query.ts';
import {
  type Guarded,
  MAX_TRANSACTION_ITEMS,
  SEAT_FREE,
  SEAT_FREE_VALUES,
  type TransactItem,
  TransactionRefused,
  transactWrite,
} from './transact.ts';

/** DynamoDB's limit on items per transaction. */

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

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
}

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

/** Reads a person's role and teams in one org, and their account, from their partition. */
function readMember(
  items: Record<string, unknown>[],
  orgId: string,
  email: string,
): MemberRecord | undefined {
  const person = readPerson(items);
  const membership = person.memberships.find((m) => m.orgId === orgId);
  if (!membership) return undefined;
  return {
    email,
    membership,
    teams: person.teamMemberships
      .filter((t) => t.orgId === orgId)
      .map((t) => ({ team: t.team, via: t.via })),
    username: person.account?.username ?? null,
    name: person.account?.name ?? null,
  };
}

/** What the record keeps of its provider; a record from before SPEC §8 counts as bound. */
function readProviderSource(value: unknown): ProviderSource {
  const v = (value ?? {}) as Record<string, unknown>;
  if (v.source !== 'created') return { source: 'bound' };
  const groupsClaim = str(v.groupsClaim) || DEFAULT_GROUPS_CLAIM;
  return v.type === 'oidc'
    ? {
        source: 'created',
        type: 'oidc',
        issuer: str(v.issuer),
        clientId: str(v.clientId),
        groupsClaim,
      }
    : { source: 'created', type: 'saml', metadataUrl: strOrNull(v.metadataUrl), groupsClaim };
}

function readConnectionRecord(item: Record<string, unknown>): ConnectionRecord {
  return {
    ...readConnection(item),
    idp: readProviderSource(item.idp),
    createdAt: str(item.createdAt),
    rev: typeof item.rev === 'number' ? item.rev : 1,
  };
}

function readCompany(item: Record<string, unknown>): CompanyRecord {
  return { id: str(item.id), name: str(item.name), createdAt: str(item.createdAt) };
}

function readEvent(item: Record<string, unknown>): EventView {
  return {
    id: str(item.id),
    type: str(item.type) as EventView['type'],
    at: str(item.at),
    actor: str(item.actor),
    subject: str(item.subject),
    orgId: strOrNull(item.orgId),
    details:
      item.details && typeof item.details === 'object'
        ? (item.details as Record<string, unknown>)
        : {},
  };
}

/** Creates the DynamoDB-backed admin store. */
export function createAdminStore(db: DynamoDBDocumentClient, tableName: string): AdminStore {
  // ---- writes ----------------------------------------------------------------------------

  const put = (
    Item: Record<string, unknown>,
    condition?: string,
    values?: Record<string, unknown>,
    names?: Record<string, string>,
  ): TransactItem => ({
    Put: {
      TableName: tableName,
      Item,
      ...(condition ? { ConditionExpression: condition } : {}),
      ...(values ? { ExpressionAttributeValues: values } : {}),
      ...(names ? { ExpressionAttributeNames: names } : {}),
    },
  });
  const update = (
    Key: Key,
    UpdateExpression: string,
    ConditionExpression: string | undefined,
    values: Record<string, unknown>,
    names?: Record<string, string>,
  ): TransactItem => ({
    Update: {
      TableName: tableName,
      Key: { pk: Key.pk, sk: Key.sk },
      UpdateExpression,
      ...(ConditionExpression ? { ConditionExpression } : {}),
      ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
      ...(names ? { ExpressionAttributeNames: names } : {}),
    },
  });
  const del = (
    Key: Key,
    condition: string,
    values?: Record<string, unknown>,
    names?: Record<string, string>,
  ): TransactItem => ({
    Delete: {
      TableName: tableName,
      Key: { pk: Key.pk, sk: Key.sk },
      ConditionExpression: condition,
      ...(values ? { ExpressionAttributeValues: values } : {}),
      ...(names ? { ExpressionAttributeNames: names } : {}),
    },
  });
  const absent = 'attribute_not_exists(pk)';
  const exists = 'attribute_exists(pk)';
  const noCompany = '(attribute_not_exists(companyId) OR attribute_type(companyId, :null))';

  /** A claim is still as read: its status, auto-provisioning and connections. */
  const claimAsRead = (c: DomainClaimRecord) => ({
    condition:
      // txtValue tells a claim from one removed and added again meanwhile (a new token).
      'attribute_exists(pk) AND #status = :bStatus AND autoProvisioning = :bAp AND ssoConnectionIds = :bIds AND txtValue = :bTxt',
    values: {
      ':bStatus': c.status,
      ':bTxt': c.txtValue,
      ':bAp': { enabled: c.autoProvisioning.enabled, orgId: c.autoProvisioning.orgId },
      ':bIds': c.ssoConnectionIds,
    },
    names: { '#status': 'status' },
  });

  /** A write's items; the writes of mirrored person items are also recorded in `summary`. */
  function toItems(w: Write, summary: PersonChanges): TransactItem[] {
    switch (w.kind) {
      case 'putOrg':
        return [put(orgItem(w.org), absent)];
      case 'putOrgName':
        return [put(orgNameGuardItem(w.name, w.orgId, w.companyId), absent)];
      case 'setOrgNameCompany':
        return [
          update(
            keys.orgNameGuard(w.name),
            'SET companyId = :c',
            'attribute_exists(pk) AND orgId = :o',
            { ':c': w.companyId, ':o': w.orgId },
          ),
        ];
      case 'setSeatLimit':
        return [
          w.seatLimit === null
            ? update(keys.org(w.orgId), 'SET seatLimit = :l', exists, { ':l': null })
            : update(keys.org(w.orgId), 'SET seatLimit = :l', `${exists} AND seatsUsed <= :l`, {
                ':l': w.seatLimit,
              }),
        ];
      case 'orgCounters': {
        const adds: string[] = [];
        const conditions = [exists];
        const values: Record<string, unknown> = {};
        if (w.seats) {
          adds.push('seatsUsed :seats');
          values[':seats'] = w.seats;
          if (w.seats > 0) {
            // The seat invariant, the very condition the sign-in writes (transact.ts).
            conditions.push(SEAT_FREE);
            Object.assign(values, SEAT_FREE_VALUES);
          } else {
            conditions.push('seatsUsed > :zero');
            values[':zero'] = 0;
          }
        }
        if (w.owners) {
          adds.push('ownerCount :owners');
          values[':owners'] = w.owners;
          if (w.owners < 0) {
            conditions.push('ownerCount > :one');
            values[':one'] = 1;
          }
        }
        if (w.ownConfig) {
          adds.push('ownConfig :own');
          values[':own'] = w.ownConfig;
          if (w.ownConfig > 0) {
            conditions.push(noCompany);
            values[':null'] = 'NULL';
          }
        }
        return [
          update(keys.org(w.orgId), `ADD ${adds.join(', ')}`, conditions.join(' AND '), values),
        ];
      }
      case 'joinCompany':
        return [
          update(
            keys.org(w.orgId),
            'SET companyId = :c',
            `${exists} AND ${noCompany} AND (attribute_not_exists(ownConfig) OR ownConfig = :zero)`,
            { ':c': w.companyId, ':null': 'NULL', ':zero': 0 },
          ),
        ];
      case 'putMember': {
        const item = memberItem(w.email, w.membership);
        summary.put(item);
        return [put(item, absent)];
      }
      case 'setRole':
        summary.updated(memberItem(w.email, { ...w.membership, role: w.to }));
        return [
          update(
            keys.member(w.orgId, w.email),
            'SET #role = :to',
            'attribute_exists(pk) AND #role = :from',
            { ':to': w.to, ':from': w.from },
            { '#role': 'role' },
          ),
        ];
      case 'deleteMember':
        summary.delete(keys.member(w.orgId, w.email), w.role);
        // The role as read: the org's owner count and owner entry follow it.
        return [
          del(
            keys.member(w.orgId, w.email),
            'attribute_exists(pk) AND #role = :role',
            { ':role': w.role },
            { '#role': 'role' },
          ),
        ];
      case 'deleteTeamMember':
        summary.delete(keys.teamMember(w.orgId, w.team, w.email));
        return [
          del(keys.teamMember(w.orgId, w.team, w.email), exists),
          update(keys.team(w.orgId, w.team), 'ADD memberCount :minus', exists, { ':minus': -1 }),
        ];
      case 'checkNotMember':
        return [
          {
            ConditionCheck: {
              TableName: tableName,
              Key: { pk: keys.member(w.orgId, w.email).pk, sk: keys.member(w.orgId, w.email).sk },
              ConditionExpression: absent,
            },
          },
        ];
      case 'putInvitation': {
        const item = invitationItem(w.email, w.invitation);
        summary.put(item);
        return [put(item, absent)];
      }
      case 'deleteInvitation':
        summary.delete(keys.invitation(w.orgId, w.email));
        return [del(keys.invitation(w.orgId, w.email), exists)];
      case 'putCompany':
        return [put(companyItem(w.company), absent)];
      case 'putCompanyOwner':
        return [put(companyOwnerItem(w.companyId, w.companyName, w.email, w.at))];
      case 'putCompanyOrg':
        return [put(companyOrgItem(w.companyId, w.orgId, w.name))];
      case 'putClaim':
        return [put(domainClaimItem(w.claim), absent)];
      case 'updateClaim': {
        const asRead = claimAsRead(w.before);
        const sets: string[] = [];
        const removes: string[] = [];
        const values: Record<string, unknown> = { ...asRead.values };
        const names: Record<string, string> = { ...asRead.names };
        // Only what changed, so a concurrent domain-checker write to other fields is kept.
        const fields = [
          'status',
          'autoProvisioning',
          'ssoConnectionIds',
          'verifiedAt',
          'missingSince',
          'nextCheckAt',
        ] as const;
        for (const f of fields) {
          if (JSON.stringify(w.before[f]) === JSON.stringify(w.after[f])) continue;
          names[`#${f}`] = f;
          values[`:${f}`] = w.after[f];
          sets.push(`#${f} = :${f}`);
        }
        if (w.before.nextCheckAt !== w.after.nextCheckAt) {
          if (w.after.nextCheckAt) {
            const check = keys.domainCheck(w.after.nextCheckAt, w.after.domain);
            sets.push('gsi1pk = :gsi1pk', 'gsi1sk = :gsi1sk');
            values[':gsi1pk'] = check.gsi1pk;
            values[':gsi1sk'] = check.gsi1sk;
          } else {
            removes.push('gsi1pk', 'gsi1sk');
          }
        }
        if (!sets.length && !removes.length) return [];
        const expression = [
          sets.length ? `SET ${sets.join(', ')}` : '',
          removes.length ? `REMOVE ${removes.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join(' ');
        return [
          update(
            keys.domainClaim(w.before.scope, w.before.domain),
            expression,
            asRead.condition,
            values,
            names,
          ),
        ];
      }
      case 'deleteClaim': {
        const asRead = claimAsRead(w.claim);
        return [
          del(
            keys.domainClaim(w.claim.scope, w.claim.domain),
            asRead.condition,
            asRead.values,
            asRead.names,
          ),
        ];
      }
      case 'putVerified':
        return [
          put(
            domainVerifiedItem({
              domain: w.domain,
              scope: w.scope,
              autoProvisioning: w.autoProvisioning,
              ssoConnectionIds: w.ssoConnectionIds,
              verifiedAt: w.verifiedAt,
            }),
            // One verifier per domain.
            'attribute_not_exists(pk) OR #scope = :mine',
            { ':mine': { type: w.scope.type, id: w.scope.id } },
            { '#scope': 'scope' },
          ),
        ];
      case 'updateVerified': {
        const sets: string[] = [];
        const values: Record<string, unknown> = { ':mine': { type: w.scope.type, id: w.scope.id } };
        if (w.autoProvisioning !== undefined) {
          sets.push('autoProvisioning = :ap');
          values[':ap'] = w.autoProvisioning;
        }
        if (w.ssoConnectionIds !== undefined) {
          sets.push('ssoConnectionIds = :ids');
          values[':ids'] = w.ssoConnectionIds;
        }
        if (!sets.length) return [];
        return [
          update(
            keys.domainVerified(w.domain),
            `SET ${sets.join(', ')}`,
            'attribute_exists(pk) AND #scope = :mine',
            values,
            { '#scope': 'scope' },
          ),
        ];
      }
      case 'deleteVerified':
        return [
          del(
            keys.domainVerified(w.domain),
            'attribute_exists(pk) AND #scope = :mine',
            { ':mine': { type: w.scope.type, id: w.scope.id } },
            { '#scope': 'scope' },
          ),
        ];
      case 'putConnection': {
        const { rev, createdAt, ...connection } = w.connection;
        const item = { ...ssoConnectionItem({ ...connection, createdAt }), rev };
        return [
          rev === 1
            ? put(item, absent)
            : put(item, 'attribute_exists(pk) AND rev = :prev', { ':prev': rev - 1 }),
        ];
      }
      case 'deleteConnection':
        return [del(keys.ssoConnection(w.scope, w.id), 'rev = :rev', { ':rev': w.rev })];
      case 'putProvider': {
        const {
          rev: _rev,
          createdAt: _createdAt,
          ...connection
        } = w.connection as ConnectionRecord;
        // Provider names are unique: the copy is new, or already this connection's.
        return [
          put(
            ssoProviderItem(connection),
            'attribute_not_exists(pk) OR #id = :id',
            { ':id': connection.id },
            {
              '#id': 'id',
            },
          ),
        ];
      }
      case 'deleteProvider':
        return [
          del(
            keys.ssoProvider(w.providerName),
            '#id = :id',
            { ':id': w.connectionId },
            { '#id': 'id' },
          ),
        ];
      case 'event': {
        const e = w.event;
        return [
          put(
            eventItem(
              {
                type: e.type,
                orgId: e.orgId,
                companyId: e.companyId,
                actor: e.actor,
                subject: e.subject,
                details: e.details,
              },
              e.id,
              e.at,
            ),
          ),
        ];
      }
      case 'outbox': {
        const { id, at, ...notification } = w.notification;
        return [put({ ...outboxItem(notification, id, at), notification })];
      }
      case 'task':
        return [put(outboxTaskItem(w.task, w.id, w.at))];
    }
  }

  async function apply(writes: Write[]): Promise<void> {
    // Each item's guard is the index of the write it belongs to, whose `conflict` says what a
    // failed condition means; the person summaries carry no condition that can fail.
    const items: Guarded<number>[] = [];
    const summary = new PersonChanges();
    writes.forEach((w, i) => {
      for (const item of toItems(w, summary)) items.push({ item, guard: i });
    });
    for (const item of summary.items(tableName)) items.push({ item, guard: undefined });
    try {
      await transactWrite(db, items, {
        // A transaction cancelled only by another touching the same items wrote nothing.
        conflictRetries: 4,
        tooLarge: (n) =>
          new ConflictError(
            `This change touches ${n} items; one change may touch at most ${MAX_TRANSACTION_ITEMS}`,
          ),
      });
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      const failed = error.failed[0];
      if (failed === undefined) {
        throw new ConflictError('The change conflicted with a concurrent one; try again', {
          cause: error,
        });
      }
      const conflict = writes[failed]!.conflict;
      if (conflict instanceof AppError) throw conflict;
      throw new ConflictError(
        conflict ?? 'The resource changed meanwhile; read it again and retry',
        { cause: error },
      );
    }
  }

  // ---- reads -----------------------------------------------------------------------------

  async function getItem(key: Key): Promise<Record<string, unknown> | undefined> {
    const out = await dynamo(() =>
      db.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: key.pk, sk: key.sk },
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item;
  }

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
    const kept: Record<string, unknown>[] = [];
    let entries = 0;
    for (;;) {
      const input: QueryCommandInput = {
        TableName: tableName,
        ...(q.index === 'gsi1' ? { IndexName: GSI1 } : { ConsistentRead: true }),
        KeyConditionExpression:
          q.index === 'gsi1'
            ? 'gsi1pk = :p AND begins_with(gsi1sk, :prefix)'
            : 'pk = :p AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':p': q.partition, ':prefix': q.prefix },
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
    apply,

    async orgAccess(orgId, email): Promise<OrgAccess | undefined> {
      const found = await batchGet(db, tableName, [keys.org(orgId), keys.member(orgId, email)]);
      const orgRaw = foundItem(found, keys.org(orgId));
      if (!orgRaw) return undefined;
      const org = readOrg(orgRaw);
      const member = foundItem(found, keys.member(orgId, email));
      const role = member ? (str(member.role) as Role) : null;
      let companyOwner = false;
      if (org.companyId && role !== 'owner') {
        companyOwner = !!(await getItem(keys.companyOwner(org.companyId, email)));
      }
      return { org, role, companyOwner };
    },

    async ownedCompany(companyId, email) {
      const found = await batchGet(db, tableName, [
        keys.companyOwner(companyId, email),
        keys.company(companyId),
      ]);
      const company = foundItem(found, keys.company(companyId));
      if (!company || !foundItem(found, keys.companyOwner(companyId, email))) return undefined;
      return readCompany(company);
    },

    async getOrg(orgId) {
      const item = await getItem(keys.org(orgId));
      return item ? readOrg(item) : undefined;
    },

    async getMember(orgId, email) {
      return readMember(await queryPartition(db, tableName, keys.person(email)), orgId, email);
    },

    async companyOrgs(companyId) {
      const items = await queryAll(db, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':p': keys.company(companyId).pk, ':prefix': prefix.org },
        ConsistentRead: true,
      });
      return items.map((item) => ({ id: str(item.orgId), name: str(item.name) }));
    },

    async getClaim(scope, domain) {
      const item = await getItem(keys.domainClaim(scope, domain));
      return item ? readDomainClaim(item) : undefined;
    },

    async getClaims(scope, domains) {
      const found = await batchGet(
        db,
        tableName,
        domains.map((d) => keys.domainClaim(scope, d)),
      );
      const claims = new Map<string, DomainClaimRecord>();
      for (const item of found.values()) {
        const claim = readDomainClaim(item);
        claims.set(claim.domain, claim);
      }
      return claims;
    },

    async getConnection(scope, id) {
      const item = await getItem(keys.ssoConnection(scope, id));
      return item ? readConnectionRecord(item) : undefined;
    },

    async getProvider(providerName) {
      const item = await getItem(keys.ssoProvider(providerName));
      return item ? readConnection(item) : undefined;
    },

    async getConnections(scope, ids) {
      if (!ids.length) return [];
      const found = await batchGet(
        db,
        tableName,
        ids.map((id) => keys.ssoConnection(scope, id)),
      );
      return [...found.values()].map(readConnectionRecord);
    },

    async listMembers(orgId, page): Promise<Page<MemberView>> {
      const q: ListQuery = { index: 'gsi1', partition: keys.org(orgId).pk, prefix: prefix.member };
      const out = await queryPage(q, page, (item) => item.entity === 'member');
      const members: MemberView[] = [];
      for (const item of out.items) {
        if (item.entity === 'member') {
          members.push({
            email: str(item.email),
            username: null,
            name: null,
            role: str(item.role) as Role,
            teams: [],
            via: str(item.via) as Via,
            joinedAt: str(item.joinedAt),
          });
        } else if (item.entity === 'teamMember') {
          const m = members[members.length - 1];
          if (m && m.email === item.email) m.teams.push(str(item.team));
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
        m.teams.sort();
      }
      return { items: members, nextCursor: out.nextCursor };
    },

    listInvitations: (orgId, page) =>
      list<InvitationView>(
        { index: 'gsi1', partition: keys.org(orgId).pk, prefix: prefix.invitation },
        page,
        (item) => ({
          email: str(item.email),
          role: (str(item.role) as Role) || 'member',
          team: strOrNull(item.team),
          invitedBy: str(item.invitedBy),
          createdAt: str(item.createdAt),
        }),
      ),

    listTeams: (orgId, page) =>
      list<TeamView>(
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

    listEvents: (scope: ScopeRef, page) =>
      scope.type === 'org'
        ? list(
            { index: 'table', partition: scopeKey(scope), prefix: prefix.event, backwards: true },
            page,
            readEvent,
          )
        : list(
            {
              index: 'gsi1',
              partition: keys.companyEventIndex(scope.id, '', '').gsi1pk,
              prefix: prefix.event,
              backwards: true,
            },
            page,
            readEvent,
          ),
  };
}
