/**
 * What SCIM changes in orgs (SPEC §10), as planned writes for the admin store's one write path
 * (`apply`: one transaction, conditions on seats, the person summary mirrored):
 *
 * - a SCIM user is a person of the connection's verified domains (`personEmail`);
 * - an active user is a member of the connection's default org (`via: scim`, taking a seat, or
 *   the seat a pending invitation held); no free seat refuses the change (`NoSeatError`);
 * - a group named `org:team`, for an org of the connection's scope, puts its active members in
 *   that org (a seat when new to it) and team; other names change nothing in orgs;
 * - deactivating or deleting a user removes every membership in the connection's scope
 *   (freeing seats) but the last owner's, which is kept suspended, and marks the person with
 *   the scope and its orgs, so that every door of the scope holds (SSO sign-in, admin API,
 *   token claims); reactivation restores the suspended memberships;
 * - the connection's current verified domains bound every effect: a user whose address left
 *   them gains nothing (`connectionVouches`, the trust rule of shared/trust/vouch.ts).
 */

import { newEvent, newNotification, type RecordCtx } from '../admin/context.ts';
import { planMemberRemoval, planRestore, planSuspension } from '../admin/orgs.ts';
import { normaliseEmail } from '../domains/normalise.ts';
import { ConflictError } from '../errors.ts';
import type { ScimGroupRecord, ScimUserRecord } from '../model/scim.ts';
import type { Connection, PersonState } from '../model/types.ts';
import type { ConnectionRecord, MemberRecord, OrgRecord, Write } from '../model/writes.ts';
import { isAcceptable } from '../rules/invitations.ts';
import { ownerLeaving, takesLastOwner } from '../rules/owners.ts';
import { NOTICE_QUIET_MS, SLUG } from '../sign-in/decide.ts';
import { connectionServes, vouch } from '../trust/vouch.ts';
import type { ScimDeps } from './model.ts';
import { invalidValue } from './protocol/errors.ts';
import type { UserAttributes } from './protocol/resource.ts';

/** One SCIM request: the connection its token belongs to, and the records' actor and time. */
export interface ScimCtx extends RecordCtx {
  deps: ScimDeps;
  conn: ConnectionRecord;
}

/** A refused seat: the store throws this write's conflict when the seat condition fails. */
export class NoSeatError extends ConflictError {
  constructor(readonly org: { id: string; name: string }) {
    super(`No seats available in ${org.name}`);
  }
}

/** A userName or displayName another resource of the connection holds (SCIM's `uniqueness`). */
export class NameTakenError extends ConflictError {
  constructor(message: string) {
    super(message, { scimType: 'uniqueness' });
  }
}

/**
 * The person a SCIM user is: `userName` when it is an email address, else the first of
 * `emails` (primary first, then work) on one of the connection's verified domains. An address
 * on another domain, or none, is a 400: an IdP speaks only for its connection's domains (§8).
 */
export function personEmail(attrs: UserAttributes, conn: ConnectionRecord): string {
  const served = (raw: unknown) => {
    const e = normaliseEmail(raw);
    return e && connectionServes(conn, e.domain) ? e.email : undefined;
  };
  if (attrs.userName.includes('@')) {
    const email = served(attrs.userName);
    if (!email) {
      throw invalidValue(
        `userName ${attrs.userName} is not an address of the connection's verified domains (${conn.domains.join(', ') || 'none'})`,
      );
    }
    return email;
  }
  const emails = [...(attrs.emails ?? [])].sort(
    (a, b) =>
      Number(b.primary === true) - Number(a.primary === true) ||
      Number(b.type === 'work') - Number(a.type === 'work'),
  );
  for (const e of emails) {
    const email = served(e.value);
    if (email) return email;
  }
  throw invalidValue(
    `userName ${attrs.userName} is not an email address and no email is on the connection's verified domains (${conn.domains.join(', ') || 'none'})`,
  );
}

/**
 * SPEC §8, §10: whether the connection, as read for this request, still speaks for `email`
 * (the trust rule: its IdP vouches only for its current verified domains). A SCIM user whose
 * address left the connection's domains gains nothing and is reported inactive.
 */
export const connectionVouches = (conn: Connection, email: string): boolean =>
  vouch({ email, emailVerified: true, provider: conn.providerName }, conn).trusted;

/** The org and team a group's displayName names (`org:team`), when it does. */
export function groupTarget(displayName: string): { orgName: string; team: string } | undefined {
  const at = displayName.indexOf(':');
  if (at <= 0) return undefined;
  const orgName = displayName.slice(0, at).trim().toLowerCase();
  const team = displayName.slice(at + 1).trim();
  return orgName && team ? { orgName, team } : undefined;
}

/** An org of the connection's scope, as far as records need it. */
export interface ScopeOrg {
  id: string;
  name: string;
  companyId: string | null;
}

/** The orgs of the connection's scope. */
export async function scopeOrgs(ctx: ScimCtx): Promise<ScopeOrg[]> {
  const scope = ctx.conn.scope;
  if (scope.type === 'company') {
    return (await ctx.deps.store.companyOrgs(scope.id)).map((o) => ({ ...o, companyId: scope.id }));
  }
  const org = await ctx.deps.store.getOrg(scope.id);
  return org ? [{ id: org.id, name: org.name, companyId: org.companyId }] : [];
}

/** The org of the scope a group targets, if any. */
export async function targetOrg(
  ctx: ScimCtx,
  displayName: string,
): Promise<{ org: ScopeOrg; team: string } | undefined> {
  const target = groupTarget(displayName);
  if (!target) return undefined;
  const org = (await scopeOrgs(ctx)).find((o) => o.name.toLowerCase() === target.orgName);
  return org ? { org, team: target.team } : undefined;
}

const isMember = (person: PersonState, orgId: string) =>
  person.memberships.some((m) => m.orgId === orgId);

/**
 * The writes that make `email` a member of `org` via SCIM: nothing when already a member; the
 * seat an invitation held; or a new seat, whose condition refuses the change with `NoSeatError`.
 */
export function planJoin(
  ctx: ScimCtx,
  org: OrgRecord,
  email: string,
  person: PersonState,
): Write[] {
  if (isMember(person, org.id) || !connectionVouches(ctx.conn, email)) return [];
  // SPEC §13: only an invitation still pending is accepted (and its seat used).
  const now = new Date(ctx.at);
  const invited = person.invitations.some((i) => i.orgId === org.id && isAcceptable(i, now));
  const name = person.account?.name ?? null;
  return [
    ...(invited
      ? [{ kind: 'deleteInvitation' as const, orgId: org.id, email }]
      : [
          {
            kind: 'orgCounters' as const,
            orgId: org.id,
            seats: 'member-joins' as const,
            conflict: new NoSeatError(org),
          },
        ]),
    {
      kind: 'putMember',
      email,
      membership: {
        orgId: org.id,
        orgName: org.name,
        role: 'member',
        via: 'scim',
        joinedAt: ctx.at,
      },
      conflict: `${email} joined ${org.name} meanwhile; retry`,
    },
    {
      kind: 'event',
      event: newEvent(ctx, org, 'member_added', email, { via: 'scim', role: 'member' }),
    },
    {
      kind: 'outbox',
      notification: newNotification(
        ctx,
        org,
        'member_added',
        { email, name },
        { via: 'scim', role: 'member' },
      ),
    },
  ];
}

/** The writes that put `email` in `team` of `org` (already a member, or joining in the same change). */
export function planTeamAdd(
  ctx: ScimCtx,
  org: ScopeOrg,
  team: string,
  email: string,
  person: PersonState,
  joining: boolean,
): Write[] {
  if (!connectionVouches(ctx.conn, email)) return [];
  if (person.teamMemberships.some((t) => t.orgId === org.id && t.team === team)) return [];
  return [
    { kind: 'putTeamMember', orgId: org.id, team, email, via: 'scim', joining, at: ctx.at },
    {
      kind: 'event',
      event: newEvent(ctx, orgStub(org), 'group_mapping_applied', email, {
        via: 'scim',
        team,
        change: 'added',
      }),
    },
  ];
}

/** The writes that take `email` out of `team` of `org`, when in it. */
export function planTeamRemoval(
  ctx: ScimCtx,
  org: ScopeOrg,
  team: string,
  email: string,
  person: PersonState,
): Write[] {
  if (!person.teamMemberships.some((t) => t.orgId === org.id && t.team === team)) return [];
  return [
    {
      kind: 'deleteTeamMember',
      orgId: org.id,
      team,
      email,
      conflict: `The teams of ${email} changed meanwhile; retry`,
    },
    {
      kind: 'event',
      event: newEvent(ctx, orgStub(org), 'group_mapping_applied', email, {
        via: 'scim',
        team,
        change: 'removed',
      }),
    },
  ];
}

/** An org for records, when only its id and name are at hand. */
const orgStub = (org: ScopeOrg): OrgRecord => ({
  id: org.id,
  name: org.name,
  companyId: org.companyId,
  seatLimit: null,
  seatsUsed: 0,
  ownerCount: 0,
  createdAt: '',
});

/** A person's membership of one org, as the admin plans read it. */
export const memberOf = (
  email: string,
  person: PersonState,
  membership: PersonState['memberships'][number],
): MemberRecord => ({
  email,
  membership,
  teams: person.teamMemberships
    .filter((t) => t.orgId === membership.orgId)
    .map((t) => ({ team: t.team, via: t.via })),
  username: person.account?.username ?? null,
  name: person.account?.name ?? null,
});

/** What records of a suspension or a restoration say about the connection. */
export const scimDetails = (ctx: ScimCtx) => ({
  via: 'scim',
  connectionId: ctx.conn.id,
  connectionName: ctx.conn.name,
});

/**
 * The writes that take `email` out of every org of the connection's scope (`orgs`; seats freed,
 * teams with them), except an org of which they are the last owner, which would be left without
 * one: there the membership is kept, suspended (SPEC §10). A suspended membership stays as it is
 * while the org has no other owner, and is removed once it has.
 */
export async function planLeaveScope(
  ctx: ScimCtx,
  email: string,
  person: PersonState,
  orgs?: readonly ScopeOrg[],
): Promise<Write[]> {
  const inScope = new Set((orgs ?? (await scopeOrgs(ctx))).map((o) => o.id));
  const writes: Write[] = [];
  for (const m of person.memberships) {
    if (!inScope.has(m.orgId)) continue;
    const org = await ctx.deps.store.getOrg(m.orgId);
    if (!org) continue;
    const member = memberOf(email, person, m);
    if (m.suspended && org.ownerCount < 1) continue;
    if (takesLastOwner(org, ownerLeaving(m))) {
      writes.push(...planSuspension(ctx, org, member, scimDetails(ctx)));
      continue;
    }
    const removal = planMemberRemoval(ctx, org, member);
    for (const w of removal) {
      if (w.kind === 'event') w.event.details = { ...w.event.details, via: 'scim' };
    }
    writes.push(...removal);
  }
  return writes;
}

/**
 * The writes that record a refused seat (`seat_limit_reached`, owners mailed), at most once per
 * person and org per 24 h as the sign-in does (SPEC §4): none when noticed within that time.
 */
export function planSeatRefusal(
  ctx: ScimCtx,
  org: OrgRecord,
  email: string,
  person: PersonState,
): Write[] {
  const cutoff = new Date(Date.parse(ctx.at) - NOTICE_QUIET_MS).toISOString();
  const noticed = person.notices.some(
    (n) => n.kind === 'seat-limit' && n.orgId === org.id && n.at > cutoff,
  );
  if (noticed) return [];
  return [
    {
      kind: 'putNotice',
      email,
      notice: 'seat-limit',
      orgId: org.id,
      at: ctx.at,
      cutoff,
      conflict: `${email} was told about ${org.name} meanwhile`,
    },
    {
      kind: 'event',
      event: newEvent(ctx, org, 'seat_limit_reached', email, { via: 'scim' }),
    },
    {
      kind: 'outbox',
      notification: newNotification(
        ctx,
        org,
        'seat_limit_reached',
        { email, name: null },
        { via: 'scim' },
      ),
    },
  ];
}

// ---- what SCIM changes do to memberships, as the service applies them ----------------------

/** Applies writes; a refused seat records `seat_limit_reached` and answers 409. */
export async function applyWithSeats(ctx: ScimCtx, writes: Write[], email: string): Promise<void> {
  try {
    await ctx.deps.store.apply(writes);
  } catch (error) {
    if (!(error instanceof NoSeatError)) throw error;
    const [org, { person }] = await Promise.all([
      ctx.deps.store.getOrg(error.org.id),
      ctx.deps.store.getPerson(email),
    ]);
    const refusal = org ? planSeatRefusal(ctx, org, email, person) : [];
    // A concurrent refusal that recorded it first is as good.
    if (refusal.length)
      await ctx.deps.store.apply(refusal).catch((e) => {
        if (!(e instanceof ConflictError)) throw e;
      });
    throw new ConflictError(`No seats available in ${error.org.name}`, {
      scimType: 'tooMany',
      cause: error,
    });
  }
}

/** The writes that make the person of an active user a member of the default org and of their groups' teams. */
export async function planActivation(
  ctx: ScimCtx,
  email: string,
  groups: ScimGroupRecord[],
): Promise<Write[]> {
  // SPEC §10: an address outside the connection's current domains gains nothing, not even the
  // lifting of its deactivation.
  if (!connectionVouches(ctx.conn, email)) return [];
  const [{ person }, defaultOrg] = await Promise.all([
    ctx.deps.store.getPerson(email),
    ctx.deps.store.getOrg(ctx.conn.defaultOrg.id),
  ]);
  const writes: Write[] = [];
  if (person.scimDeactivated?.includes(ctx.conn.id)) {
    writes.push({
      kind: 'scimDeactivated',
      email,
      connectionId: ctx.conn.id,
      on: false,
      at: ctx.at,
    });
  }
  // A membership restored here is written in this change: its team places need no check of it.
  const restored = await planRestorations(ctx, email, person);
  writes.push(...restored.writes);
  const joined = new Set<string>(restored.orgIds);
  if (defaultOrg) {
    const join = planJoin(ctx, defaultOrg, email, person);
    if (join.length) joined.add(defaultOrg.id);
    writes.push(...join);
  }
  for (const g of groups) {
    const target = await groupTeam(ctx, g.displayName);
    if (!target) continue;
    writes.push(...(await planGroupJoin(ctx, target, email, person, joined)));
  }
  return writes;
}

/** Membership of a group's org (when new to it) and its team. */
export async function planGroupJoin(
  ctx: ScimCtx,
  target: { org: ScopeOrg; team: string },
  email: string,
  person: Awaited<ReturnType<ScimCtx['deps']['store']['getPerson']>>['person'],
  joined: Set<string>,
): Promise<Write[]> {
  const writes: Write[] = [];
  const member = person.memberships.some((m) => m.orgId === target.org.id);
  if (!member && !joined.has(target.org.id)) {
    const org = await ctx.deps.store.getOrg(target.org.id);
    if (!org) return [];
    writes.push(...planJoin(ctx, org, email, person));
    joined.add(org.id);
  }
  writes.push(
    ...planTeamAdd(
      ctx,
      target.org,
      target.team,
      email,
      person,
      !member || joined.has(target.org.id),
    ),
  );
  return writes;
}

/**
 * The writes of deactivation: memberships in scope removed (a last owner's suspended), the
 * person marked with what the mark covers: the scope and its orgs (SPEC §10, every door).
 */
export async function planDeactivation(ctx: ScimCtx, email: string): Promise<Write[]> {
  const [{ person }, orgs] = await Promise.all([ctx.deps.store.getPerson(email), scopeOrgs(ctx)]);
  return [
    ...(await planLeaveScope(ctx, email, person, orgs)),
    ...(person.scimDeactivated?.includes(ctx.conn.id)
      ? []
      : [
          {
            kind: 'scimDeactivated' as const,
            email,
            connectionId: ctx.conn.id,
            on: true,
            at: ctx.at,
            cover: { scope: ctx.conn.scope, orgIds: orgs.map((o) => o.id) },
          },
        ]),
  ];
}

/** The writes that restore the person's suspended memberships of the scope (SPEC §10). */
export async function planRestorations(
  ctx: ScimCtx,
  email: string,
  person: PersonState,
): Promise<{ writes: Write[]; orgIds: string[] }> {
  const suspended = person.memberships.filter((m) => m.suspended);
  if (!suspended.length) return { writes: [], orgIds: [] };
  const inScope = new Set((await scopeOrgs(ctx)).map((o) => o.id));
  const writes: Write[] = [];
  const orgIds: string[] = [];
  for (const m of suspended) {
    if (!inScope.has(m.orgId)) continue;
    const org = await ctx.deps.store.getOrg(m.orgId);
    if (!org) continue;
    writes.push(...planRestore(ctx, org, memberOf(email, person, m), scimDetails(ctx)));
    orgIds.push(org.id);
  }
  return { writes, orgIds };
}

/** The org and team a group maps to (SPEC §10), the team lower-cased as the sign-in reads it. */
export type GroupTeam = { org: ScopeOrg; team: string };

/**
 * The team a group named `<org>:<team>` maps to, for an org of the connection's scope; a team
 * that is not a slug (SPEC §1) maps to nothing here (`checkGroupName` refuses it on write).
 */
export async function groupTeam(ctx: ScimCtx, displayName: string): Promise<GroupTeam | undefined> {
  const target = await targetOrg(ctx, displayName);
  if (!target) return undefined;
  const team = target.team.toLowerCase();
  return SLUG.test(team) ? { org: target.org, team } : undefined;
}

/**
 * A group named `<org>:<team>` whose org is in the connection's scope names a team, which must
 * be a slug (SPEC §1, §10): otherwise 400 `invalidValue`, before anything is written. Other
 * names (no colon, an org outside the scope) are plain SCIM groups.
 */
export async function checkGroupName(
  ctx: ScimCtx,
  displayName: string,
): Promise<GroupTeam | undefined> {
  const target = await targetOrg(ctx, displayName);
  if (!target) return undefined;
  const team = target.team.toLowerCase();
  if (!SLUG.test(team)) {
    throw invalidValue(
      `displayName ${JSON.stringify(displayName.slice(0, 100))} maps to org ${target.org.name}, but its team is not a team name: lower case letters, digits and hyphens, 2 to 39 characters, starting with a letter or digit`,
    );
  }
  return { org: target.org, team };
}

export const sameTeam = (a: GroupTeam | undefined, b: GroupTeam | undefined) =>
  !!a && !!b && a.org.id === b.org.id && a.team === b.team;

/**
 * The membership effects of a group change, one transaction per person so that a large push
 * stays within the transaction limit; a person refused a seat is recorded and skipped.
 */
export async function applyGroupEffects(
  ctx: ScimCtx,
  before: { target: GroupTeam | undefined; members: ScimUserRecord[] } | undefined,
  after: { target: GroupTeam | undefined; members: ScimUserRecord[] } | undefined,
): Promise<void> {
  const oldTarget = before?.target;
  const newTarget = after?.target;
  const same = sameTeam(oldTarget, newTarget);
  const oldIds = new Set(before?.members.map((u) => u.id));
  const newIds = new Set(after?.members.map((u) => u.id));
  const leaving = (before?.members ?? []).filter((u) => !same || !newIds.has(u.id));
  const arriving = (after?.members ?? []).filter((u) => !same || !oldIds.has(u.id));
  if (oldTarget) {
    for (const u of leaving) {
      const { person } = await ctx.deps.store.getPerson(u.email);
      const writes = planTeamRemoval(ctx, oldTarget.org, oldTarget.team, u.email, person);
      if (writes.length) await ctx.deps.store.apply(writes);
    }
  }
  if (newTarget) {
    for (const u of arriving) {
      if (!u.active) continue;
      const { person } = await ctx.deps.store.getPerson(u.email);
      const writes = await planGroupJoin(ctx, newTarget, u.email, person, new Set());
      if (!writes.length) continue;
      try {
        await applyWithSeats(ctx, writes, u.email);
      } catch (error) {
        // Recorded (`seat_limit_reached`); the group keeps the member, the org does not.
        if (!(error instanceof ConflictError && error.scimType === 'tooMany')) throw error;
      }
    }
  }
}
