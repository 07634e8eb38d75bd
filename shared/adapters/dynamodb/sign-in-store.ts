/**
 * The sign-in's storage (SPEC §3.6): the state in at most two round trips, the plan in one
 * transaction whose conditions keep seats within the limit under any concurrency.
 *
 * Round 1 (one BatchGet): the person's summary (account, memberships, team memberships,
 * invitations, notices; `person-changes.ts`), the verified domain, the SSO provider and the
 * org-name guards of the orgs that groups name (with their company).
 * Round 2 (only when needed): BatchGet the orgs whose company the decision needs and round 1
 * could not tell (invitations' orgs; memberships under a company-scoped connection).
 * The transaction updates the person summary with every account, membership, team, invitation
 * or notice it writes.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NOTICE_QUIET_MS, orgsNeedingInfo, parseGroup, signInTrust } from '../../sign-in/decide.ts';
import { PlanConflictError, type SignInStore } from '../../sign-in/process.ts';
import type { OrgInfo, PersonState, Plan, SignIn, SignInState } from '../../sign-in/types.ts';
import { proposeUsername } from '../../sign-in/username.ts';
import { keys, PERSON_SUMMARY_SK, primaryKey } from '../../table/schema.ts';
import {
  accountItem,
  eventItem,
  type Item,
  memberItem,
  noticeItem,
  outboxItem,
  readConnection,
  readPerson,
  readVerifiedDomain,
  teamMemberItem,
  usernameGuardItem,
} from './items.ts';
import { PersonChanges, readSummary } from './person-changes.ts';
import { batchGet, foundItem as get, queryPartition } from './query.ts';
import {
  MAX_TRANSACTION_ITEMS,
  SEAT_FREE,
  SEAT_FREE_VALUES,
  type TransactItem,
  TransactionRefused,
  teamCountUpdate,
  transactWrite,
} from './transact.ts';

/**
 * What a failed condition on a transaction item means for the sign-in; `none` marks items
 * whose condition cannot fail (a failure there still means the plan went stale).
 */
type Guard =
  | { kind: 'seat'; orgId: string }
  | { kind: 'username' }
  | { kind: 'stale' }
  | { kind: 'none' };

/** Counts DynamoDB requests and round trips, for the benchmark and tests. */
export interface StoreStats {
  roundTrips: number;
  requests: number;
  transactions: number;
}

function orgInfoFromItem(item: Record<string, unknown>): OrgInfo {
  const limit = item.seatLimit;
  const used = typeof item.seatsUsed === 'number' ? item.seatsUsed : 0;
  return {
    id: String(item.id),
    name: String(item.name),
    companyId: typeof item.companyId === 'string' ? item.companyId : null,
    seatAvailable: typeof limit !== 'number' || used < limit,
  };
}

/** Creates the DynamoDB-backed sign-in store. */
export function createSignInStore(
  db: DynamoDBDocumentClient,
  tableName: string,
  options: {
    stats?: StoreStats;
    /** Random digits for generated usernames. @default crypto.randomInt */
    random?: (max: number) => number;
  } = {},
): SignInStore & { stats: StoreStats } {
  const stats = options.stats ?? { roundTrips: 0, requests: 0, transactions: 0 };
  async function load(
    signIn: SignIn,
    fullOrgIds: ReadonlySet<string>,
    signal?: AbortSignal,
    options: { fromItems?: boolean } = {},
  ): Promise<SignInState> {
    // The orgs that groups name are read with the rest, before the connection is known to map
    // groups (JIT or SCIM on): a sign-in through an IdP then needs no second read for them.
    const groupOrgNames = signIn.connection
      ? [...new Set(signIn.groups.map(parseGroup).flatMap((g) => (g ? [g.org] : [])))]
      : [];
    const firstKeys = [keys.personSummary(signIn.email), keys.domainVerified(signIn.domain)];
    if (signIn.connection) firstKeys.push(keys.ssoProvider(signIn.connection));
    firstKeys.push(...groupOrgNames.map((n) => keys.orgNameGuard(n)));
    stats.roundTrips++;
    stats.requests++;
    // A repair reads the person's items beside the rest, in the same round trip.
    if (options.fromItems) stats.requests++;
    const [first, items] = await Promise.all([
      batchGet(db, tableName, firstKeys, signal),
      options.fromItems
        ? queryPartition(db, tableName, keys.person(signIn.email), signal)
        : Promise.resolve(undefined),
    ]);
    const person: PersonState = items
      ? { ...readPerson(items.filter((i) => i.sk !== PERSON_SUMMARY_SK)), items }
      : readPerson(readSummary(get(first, keys.personSummary(signIn.email))));
    const domainItem = get(first, keys.domainVerified(signIn.domain));
    const domain = domainItem ? readVerifiedDomain(domainItem) : undefined;
    const providerItem = signIn.connection
      ? get(first, keys.ssoProvider(signIn.connection))
      : undefined;
    const connection = providerItem ? readConnection(providerItem) : undefined;

    const orgs: Record<string, OrgInfo> = {};
    /** Orgs whose company is known for sure, so round 2 need not read them. */
    const companyKnown = new Set<string>();
    const known = (info: OrgInfo) => {
      orgs[info.id] = { ...info, ...orgs[info.id], seatAvailable: true };
    };
    const companyOf = (scope: { type: string; id: string }) =>
      scope.type === 'company' ? scope.id : null;
    if (domain?.autoProvisioning) {
      const { orgId, orgName } = domain.autoProvisioning;
      known({ id: orgId, name: orgName, companyId: companyOf(domain.scope), seatAvailable: true });
    }
    if (connection) {
      const d = connection.defaultOrg;
      known({
        id: d.id,
        name: d.name,
        companyId: companyOf(connection.scope),
        seatAvailable: true,
      });
      // A company connection's default org is one of the company's (the admin API checks it
      // on every write of the connection), and an org never leaves its company.
      if (connection.scope.type === 'company') companyKnown.add(d.id);
    }
    for (const m of person.memberships) {
      orgs[m.orgId] ??= { id: m.orgId, name: m.orgName, companyId: null, seatAvailable: true };
    }
    const orgIdsByName: Record<string, string> = {};
    if (connection && (connection.jit || connection.scim)) {
      for (const name of groupOrgNames) {
        const guard = get(first, keys.orgNameGuard(name));
        if (!guard || typeof guard.orgId !== 'string') continue;
        orgIdsByName[name] = guard.orgId;
        // The name guard carries the org's company, kept with the org's (admin-writes.ts).
        const companyId = typeof guard.companyId === 'string' ? guard.companyId : null;
        orgs[guard.orgId] = orgs[guard.orgId]
          ? { ...orgs[guard.orgId]!, companyId: orgs[guard.orgId]!.companyId ?? companyId }
          : { id: guard.orgId, name, companyId, seatAvailable: true };
        companyKnown.add(guard.orgId);
      }
    }

    // Round 2: only the orgs whose company the decision needs and round 1 could not tell.
    const orgIds = orgsNeedingInfo(
      { person, connection },
      signInTrust(signIn, connection).trusted,
    ).filter((id) => !companyKnown.has(id));
    if (orgIds.length) {
      stats.roundTrips++;
      stats.requests++;
      const second = await batchGet(
        db,
        tableName,
        orgIds.map((id) => keys.org(id)),
        signal,
      );
      for (const id of orgIds) {
        const item = get(second, keys.org(id));
        if (item) orgs[id] = orgInfoFromItem(item);
      }
    }
    for (const id of fullOrgIds) if (orgs[id]) orgs[id] = { ...orgs[id]!, seatAvailable: false };
    return { person, domain, connection, orgs, orgIdsByName };
  }

  function planItems(
    signIn: SignIn,
    plan: Plan,
    now: Date,
    attempt: number,
    repair?: readonly Record<string, unknown>[],
  ): [TransactItem, Guard][] {
    const at = now.toISOString();
    const email = signIn.email;
    const items: [TransactItem, Guard][] = [];
    const summary = new PersonChanges();
    if (repair) summary.rebuild({ items: [...repair] });
    const put = (
      Item: Item,
      guard: Guard,
      condition?: {
        expression: string;
        names?: Record<string, string>;
        values?: Record<string, unknown>;
      },
    ) => {
      summary.put(Item);
      items.push([
        {
          Put: {
            TableName: tableName,
            Item,
            ...(condition ? { ConditionExpression: condition.expression } : {}),
            ...(condition?.names ? { ExpressionAttributeNames: condition.names } : {}),
            ...(condition?.values ? { ExpressionAttributeValues: condition.values } : {}),
          },
        },
        guard,
      ]);
    };
    const absent = { expression: 'attribute_not_exists(pk)' };

    if (plan.account.create) {
      const username = proposeUsername(
        email.split('@')[0]!,
        plan.account.name,
        attempt,
        options.random,
      );
      put(
        accountItem({ email, username, name: plan.account.name, createdAt: at }),
        { kind: 'stale' },
        absent,
      );
      put(usernameGuardItem(username, email), { kind: 'username' }, absent);
    } else if (plan.account.updateName) {
      const before = plan.accountBefore;
      summary.updated({
        ...accountItem({
          email,
          username: before?.username ?? '',
          name: plan.account.name,
          createdAt: before?.createdAt ?? at,
        }),
        updatedAt: at,
      });
      items.push([
        {
          Update: {
            TableName: tableName,
            Key: keys.account(email),
            UpdateExpression: 'SET #name = :name, updatedAt = :at',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#name': 'name' },
            ExpressionAttributeValues: { ':name': plan.account.name, ':at': at },
          },
        },
        { kind: 'stale' },
      ]);
    }

    for (const inv of plan.invitationsAccepted) {
      summary.delete(keys.invitation(inv.orgId, email));
      items.push([
        {
          Delete: {
            TableName: tableName,
            Key: primaryKey(keys.invitation(inv.orgId, email)),
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        { kind: 'stale' },
      ]);
      if (inv.freesSeat) {
        items.push([
          {
            Update: {
              TableName: tableName,
              Key: keys.org(inv.orgId),
              UpdateExpression: 'SET seatsUsed = seatsUsed - :one',
              ConditionExpression: 'attribute_exists(pk) AND seatsUsed > :zero',
              ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
            },
          },
          { kind: 'stale' },
        ]);
      }
    }

    for (const join of plan.joins) {
      put(
        memberItem(email, {
          orgId: join.orgId,
          orgName: join.orgName,
          role: join.role,
          via: join.via,
          joinedAt: at,
        }),
        { kind: 'stale' },
        absent,
      );
      // One update of the org per join: a new seat (guarded by the limit) and/or a new owner
      // (counted for the last-owner guard of the admin API).
      if (join.takesSeat || join.role === 'owner') {
        const set = join.takesSeat ? 'SET seatsUsed = seatsUsed + :one' : '';
        const add = join.role === 'owner' ? ' ADD ownerCount :one' : '';
        items.push([
          {
            Update: {
              TableName: tableName,
              Key: keys.org(join.orgId),
              UpdateExpression: `${set}${add}`.trim(),
              // The seat invariant, the very condition the admin API writes (transact.ts).
              ConditionExpression: join.takesSeat
                ? `attribute_exists(pk) AND ${SEAT_FREE}`
                : 'attribute_exists(pk)',
              ExpressionAttributeValues: join.takesSeat
                ? { ':one': 1, ...SEAT_FREE_VALUES }
                : { ':one': 1 },
            },
          },
          join.takesSeat ? { kind: 'seat', orgId: join.orgId } : { kind: 'stale' },
        ]);
      }
    }

    const teamCount = (orgId: string, team: string, delta: 1 | -1): TransactItem =>
      teamCountUpdate(tableName, orgId, team, delta, at);
    const joined = new Set(plan.joins.map((j) => j.orgId));
    const memberChecked = new Set<string>();
    for (const t of plan.teamAdds) {
      put(teamMemberItem(email, t, at), { kind: 'stale' }, absent);
      items.push([teamCount(t.orgId, t.team, 1), { kind: 'none' }]);
      // A team place only beside its membership: a removal that committed since the read
      // refuses the plan instead of leaving an orphan team place.
      if (joined.has(t.orgId) || memberChecked.has(t.orgId)) continue;
      memberChecked.add(t.orgId);
      items.push([
        {
          ConditionCheck: {
            TableName: tableName,
            Key: primaryKey(keys.member(t.orgId, email)),
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        { kind: 'stale' },
      ]);
    }
    for (const t of plan.teamRemovals) {
      summary.delete(keys.teamMember(t.orgId, t.team, email));
      items.push([
        {
          Delete: {
            TableName: tableName,
            Key: primaryKey(keys.teamMember(t.orgId, t.team, email)),
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        { kind: 'stale' },
      ]);
      items.push([teamCount(t.orgId, t.team, -1), { kind: 'none' }]);
    }

    const cutoff = new Date(now.getTime() - NOTICE_QUIET_MS).toISOString();
    for (const n of plan.notices) {
      put(
        noticeItem(email, n.kind, n.orgId, at),
        { kind: 'stale' },
        {
          expression: 'attribute_not_exists(pk) OR #at < :cutoff',
          names: { '#at': 'at' },
          values: { ':cutoff': cutoff },
        },
      );
    }

    for (const e of plan.events) put(eventItem(e, randomUUID(), at), { kind: 'none' });
    for (const n of plan.notifications) put(outboxItem(n, randomUUID(), at), { kind: 'none' });
    // A repair's summary is written on the revision it read: another writer meanwhile is stale.
    for (const item of summary.items(tableName)) {
      items.push([item, item.Put ? { kind: 'stale' } : { kind: 'none' }]);
    }
    return items;
  }

  async function apply(
    signIn: SignIn,
    plan: Plan,
    now: Date,
    attempt: number,
    signal?: AbortSignal,
    repair?: readonly Record<string, unknown>[],
  ): Promise<void> {
    const items = planItems(signIn, plan, now, attempt, repair);
    if (items.length === 0) return;
    stats.roundTrips++;
    stats.requests++;
    stats.transactions++;
    try {
      await transactWrite(
        db,
        items.map(([item, guard]) => ({ item, guard })),
        {
          signal,
          tooLarge: (n) =>
            new Error(
              `A sign-in may change at most ${MAX_TRANSACTION_ITEMS} items; this one needs ${n}`,
            ),
        },
      );
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      const failed = error.failed as Guard[];
      const full = failed.flatMap((g) => (g.kind === 'seat' ? [g.orgId] : []));
      const usernameTaken = failed.some((g) => g.kind === 'username');
      // A conflict, a stale read, or nothing else to blame: read again and decide again.
      const stale =
        error.conflict ||
        failed.some((g) => g.kind === 'stale' || g.kind === 'none') ||
        (!full.length && !usernameTaken);
      throw new PlanConflictError(
        full,
        usernameTaken,
        stale,
        failed.length === 0 && error.conflict,
      );
    }
  }

  return { load, apply, stats };
}
