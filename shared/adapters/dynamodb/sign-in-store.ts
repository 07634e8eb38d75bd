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
 * or notice it writes. Its events are numbered by the one sender (transact.ts), which reads their
 * orgs' counters first, unless round 2 ran: then round 2 read them (SPEC §11).
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OrgInfo, PersonState, SignIn, SignInState } from '../../model/types.ts';
import type { Write } from '../../model/writes.ts';
import { SEAT_DELTA } from '../../rules/seats.ts';
import { orgsNeedingInfo, parseGroup, signInTrust } from '../../sign-in/decide.ts';
import { PlanConflictError, type SignInStore } from '../../sign-in/process.ts';
import { signInWrites } from '../../sign-in/writes.ts';
import { keys, PERSON_SUMMARY_SK } from '../../table/schema.ts';
import { counterValue } from './event-seq.ts';
import { readConnection, readPerson, readVerifiedDomain } from './items.ts';
import { LAST_SIGN_IN_ON, readSummary } from './person-changes.ts';
import { batchGet, foundItem as get, queryPartition } from './query.ts';
import { MAX_TRANSACTION_ITEMS, TransactionRefused, transactWrite } from './transact.ts';
import { transactionOf } from './writes/index.ts';

/**
 * What a failed condition of a write means for the sign-in: a seat taken meanwhile (that org is
 * full now), a username taken (propose another), or a plan gone stale (read again).
 */
type Guard = { kind: 'seat'; orgId: string } | { kind: 'username' } | { kind: 'stale' };

function guardOf(w: Write): Guard {
  if (w.kind === 'orgCounters' && w.seats && SEAT_DELTA[w.seats] > 0) {
    return { kind: 'seat', orgId: w.orgId };
  }
  if (w.kind === 'putUsername') return { kind: 'username' };
  return { kind: 'stale' };
}

/** Event counters round 2 reads at most, beside the orgs it reads. */
const MAX_COUNTERS_READ = 25;

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
  /** Event counters round 2 read beside the orgs, for the apply of the same sign-in. */
  const countersRead = new WeakMap<SignIn, Map<string, number>>();
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
    const summary = items
      ? items.find((i) => i.sk === PERSON_SUMMARY_SK)
      : get(first, keys.personSummary(signIn.email));
    const person: PersonState = items
      ? { ...readPerson(items.filter((i) => i.sk !== PERSON_SUMMARY_SK)), items }
      : readPerson(readSummary(summary));
    // SPEC §13: the day of the last recorded sign-in, on the summary itself.
    const lastOn = summary?.[LAST_SIGN_IN_ON];
    if (typeof lastOn === 'string') person.lastSignInOn = lastOn;
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
    countersRead.delete(signIn);
    if (orgIds.length) {
      stats.roundTrips++;
      stats.requests++;
      // The event counters of every org this sign-in may record events in come along (SPEC
      // §11): a sign-in that reads twice then numbers its events without a third read.
      const counterKeys = [...new Set([...Object.keys(orgs), ...orgIds])]
        .slice(0, MAX_COUNTERS_READ)
        .map((id) => keys.eventCounter({ type: 'org', id }));
      const second = await batchGet(
        db,
        tableName,
        [...orgIds.map((id) => keys.org(id)), ...counterKeys],
        signal,
      );
      for (const id of orgIds) {
        const item = get(second, keys.org(id));
        if (item) orgs[id] = orgInfoFromItem(item);
      }
      countersRead.set(
        signIn,
        new Map(counterKeys.map((k) => [k.pk, counterValue(get(second, k))])),
      );
    }
    for (const id of fullOrgIds) if (orgs[id]) orgs[id] = { ...orgs[id]!, seatAvailable: false };
    return { person, domain, connection, orgs, orgIdsByName };
  }

  const apply: SignInStore['apply'] = async (signIn, plan, now, attempt, signal, repair) => {
    const writes = signInWrites(signIn, plan, {
      now,
      attempt,
      newId: randomUUID,
      random: options.random,
    });
    const items = transactionOf(tableName, writes, { repair });
    if (items.length === 0) return;
    try {
      await transactWrite(db, items, {
        signal,
        counters: countersRead.get(signIn),
        onRequest: (kind) => {
          stats.roundTrips++;
          stats.requests++;
          if (kind === 'transaction') stats.transactions++;
        },
        tooLarge: (n) =>
          new Error(
            `A sign-in may change at most ${MAX_TRANSACTION_ITEMS} items; this one needs ${n}`,
          ),
      });
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      const failed = (error.failed as (number | 'summary')[]).map((g) =>
        g === 'summary' ? ({ kind: 'stale' } as const) : guardOf(writes[g]!),
      );
      const full = failed.flatMap((g) => (g.kind === 'seat' ? [g.orgId] : []));
      const usernameTaken = failed.some((g) => g.kind === 'username');
      // A conflict, a stale read, or nothing else to blame: read again and decide again.
      const stale =
        error.conflict ||
        failed.some((g) => g.kind === 'stale') ||
        (!full.length && !usernameTaken);
      throw new PlanConflictError(
        full,
        usernameTaken,
        stale,
        failed.length === 0 && error.conflict,
      );
    }
  };

  return { load, apply, stats };
}
