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
import { planMemberRemoval, planSuspension } from '../admin/orgs.ts';
import { normaliseEmail } from '../domains/normalise.ts';
import { ConflictError } from '../errors.ts';
import type { Connection, PersonState } from '../model/types.ts';
import type { ConnectionRecord, MemberRecord, OrgRecord, Write } from '../model/writes.ts';
import { ownerLeaving, takesLastOwner } from '../rules/owners.ts';
import { NOTICE_QUIET_MS } from '../sign-in/decide.ts';
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
  const invited = person.invitations.some((i) => i.orgId === org.id);
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
