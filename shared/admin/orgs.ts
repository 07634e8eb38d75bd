/**
 * Orgs, seats, members, invitations and teams (SPEC §5). Each operation reads what it needs,
 * decides the writes (pure `plan…` functions) and hands them to the store as one transaction
 * whose conditions guard the invariants: unique org names, seats within the limit, a last owner.
 */
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Role } from '../model/types.ts';
import type { MemberRecord, OrgRecord, Write } from '../model/writes.ts';
import { ownerLeaving, roleChange, takesLastOwner } from '../rules/owners.ts';
import { limitFits } from '../rules/seats.ts';
import {
  type Ctx,
  listOf,
  memberView,
  newEvent,
  newNotification,
  orgView,
  type RecordCtx,
  teamView,
} from './context.ts';
import type { MemberView, OrgView } from './schemas.ts';

export const noSeat = (org: OrgRecord) =>
  `No free seat in ${org.name}: ${org.seatsUsed} of ${org.seatLimit} seats are used (members and pending invitations); raise seatLimit or remove someone first`;

const lastOwner = (org: OrgRecord, email: string) =>
  `${email} is the last owner of ${org.name}; make someone else an owner first`;

/** `POST /v1/orgs`: the caller becomes the owner (and takes the first seat). */
export async function createOrg(
  ctx: Ctx,
  body: { name: string; seatLimit?: number | null | undefined },
): Promise<OrgView> {
  const seatLimit = body.seatLimit ?? null;
  if (seatLimit === 0) {
    throw new ValidationError('seatLimit', 'must be at least 1: the creator takes the first seat');
  }
  const org: OrgRecord = {
    id: ctx.deps.newId(),
    name: body.name,
    companyId: null,
    seatLimit,
    seatsUsed: 1,
    ownerCount: 1,
    createdAt: ctx.at,
  };
  await ctx.deps.store.apply([
    { kind: 'putOrg', org },
    {
      kind: 'putOrgName',
      name: org.name,
      orgId: org.id,
      companyId: null,
      conflict: `The org name ${org.name} is taken; org names are unique`,
    },
    {
      kind: 'putMember',
      email: ctx.caller.email,
      membership: {
        orgId: org.id,
        orgName: org.name,
        role: 'owner',
        via: 'creator',
        joinedAt: ctx.at,
      },
    },
    {
      kind: 'event',
      event: newEvent(ctx, org, 'member_added', ctx.caller.email, {
        via: 'creator',
        role: 'owner',
      }),
    },
  ]);
  return orgView(org);
}

/** `PATCH /v1/orgs/{orgId}`: never below the seats in use. */
export async function updateOrg(
  ctx: Ctx,
  org: OrgRecord,
  body: { seatLimit: number | null },
): Promise<OrgView> {
  if (body.seatLimit === org.seatLimit) return orgView(org);
  if (!limitFits(org, body.seatLimit)) {
    throw new ConflictError(
      `seatLimit ${body.seatLimit} is below the ${org.seatsUsed} seats in use (members and pending invitations)`,
    );
  }
  await ctx.deps.store.apply([
    {
      kind: 'setSeatLimit',
      orgId: org.id,
      seatLimit: body.seatLimit,
      conflict: `seatLimit ${body.seatLimit} is below the seats now in use (members and pending invitations)`,
    },
    {
      kind: 'event',
      event: newEvent(ctx, org, 'seats_changed', org.id, {
        from: org.seatLimit,
        to: body.seatLimit,
      }),
    },
  ]);
  const now = await ctx.deps.store.getOrg(org.id);
  return orgView(now ?? { ...org, seatLimit: body.seatLimit });
}

async function requireMember(ctx: Ctx, org: OrgRecord, email: string): Promise<MemberRecord> {
  const member = await ctx.deps.store.getMember(org.id, email);
  if (!member) throw new NotFoundError(`${email} is not a member of ${org.name}`);
  return member;
}

/** The writes of a role change; demoting counts an owner off under the last-owner guard. */
export function planRoleChange(ctx: Ctx, org: OrgRecord, member: MemberRecord, to: Role): Write[] {
  const from = member.membership.role;
  return [
    {
      kind: 'orgCounters',
      orgId: org.id,
      owners: roleChange(from, to),
      conflict: lastOwner(org, member.email),
    },
    {
      kind: 'setRole',
      orgId: org.id,
      email: member.email,
      membership: member.membership,
      from,
      to,
      conflict: `The role of ${member.email} changed meanwhile; read it again and retry`,
    },
    { kind: 'event', event: newEvent(ctx, org, 'role_changed', member.email, { from, to }) },
  ];
}

/**
 * SPEC §10: the writes that suspend an org's last owner whom a connection's SCIM client
 * deactivated, or restore them: suspended, the membership stays (so the org keeps its owner of
 * record) but counts as no owner (`ownerCount` may reach 0), administers nothing and is in no
 * token; restored, it is an owner again. The org's and its company's owners are mailed.
 */
function planSuspended(
  ctx: RecordCtx,
  org: OrgRecord,
  member: MemberRecord,
  suspended: boolean,
  details: Record<string, unknown>,
): Write[] {
  const type = suspended ? 'member_suspended' : 'member_restored';
  return [
    {
      kind: 'orgCounters',
      orgId: org.id,
      owners: suspended ? 'suspended' : 'restored',
      ...(suspended ? { conflict: `The owners of ${org.name} changed meanwhile; retry` } : {}),
    },
    {
      kind: 'setSuspended',
      orgId: org.id,
      email: member.email,
      membership: member.membership,
      suspended,
      conflict: `The membership of ${member.email} changed meanwhile; retry`,
    },
    { kind: 'event', event: newEvent(ctx, org, type, member.email, details) },
    {
      kind: 'outbox',
      notification: newNotification(
        ctx,
        org,
        type,
        { email: member.email, name: member.name },
        details,
      ),
    },
  ];
}

/** SPEC §10: suspends an org's last owner whom a connection's SCIM client deactivated. */
export const planSuspension = (
  ctx: RecordCtx,
  org: OrgRecord,
  member: MemberRecord,
  details: Record<string, unknown>,
): Write[] => planSuspended(ctx, org, member, true, details);

/** SPEC §10: restores a suspended owner (an owner again). */
export const planRestore = (
  ctx: RecordCtx,
  org: OrgRecord,
  member: MemberRecord,
  details: Record<string, unknown>,
): Write[] => planSuspended(ctx, org, member, false, details);

/**
 * `PUT /v1/orgs/{orgId}/members/{email}` on a suspended owner (SPEC §10): `owner` restores
 * them, and the SCIM deactivations that covered the org no longer do (the administrator's
 * decision for this org; their SSO sign-in stays denied until the IdP reactivates them);
 * `member` is a 409.
 */
async function restoreMember(
  ctx: Ctx,
  org: OrgRecord,
  member: MemberRecord,
  role: Role,
): Promise<MemberView> {
  if (role !== 'owner') {
    throw new ConflictError(
      `${member.email} is a suspended owner of ${org.name}: set the role to owner to restore them, or remove them`,
    );
  }
  const { person } = await ctx.deps.store.getPerson(member.email);
  const uncover: Write[] = (person.scimDeactivations ?? [])
    .filter((d) => d.scope && d.orgIds.includes(org.id))
    .map((d) => ({
      kind: 'scimDeactivated',
      email: member.email,
      connectionId: d.connectionId,
      on: true,
      at: ctx.at,
      cover: { scope: d.scope!, orgIds: d.orgIds.filter((id) => id !== org.id) },
    }));
  await ctx.deps.store.apply([
    ...planRestore(ctx, org, member, { restoredBy: ctx.caller.email }),
    ...uncover,
  ]);
  const { suspended: _suspended, ...membership } = member.membership;
  return memberView({ ...member, membership });
}

/** `PUT /v1/orgs/{orgId}/members/{email}`. */
export async function setMemberRole(
  ctx: Ctx,
  org: OrgRecord,
  email: string,
  body: { role: Role },
): Promise<MemberView> {
  const member = await requireMember(ctx, org, email);
  if (member.membership.suspended) return restoreMember(ctx, org, member, body.role);
  if (member.membership.role === body.role) return memberView(member);
  if (takesLastOwner(org, roleChange(member.membership.role, body.role))) {
    throw new ConflictError(lastOwner(org, email));
  }
  await ctx.deps.store.apply(planRoleChange(ctx, org, member, body.role));
  return memberView({ ...member, membership: { ...member.membership, role: body.role } });
}

/** The writes of removing a member: the seat, the owner count, the member's teams. */
export function planMemberRemoval(ctx: RecordCtx, org: OrgRecord, member: MemberRecord): Write[] {
  // A suspended owner counts as no owner (SPEC §10): removing them moves no owner count.
  const owner = ownerLeaving(member.membership);
  return [
    {
      kind: 'orgCounters',
      orgId: org.id,
      seats: 'member-removed',
      ...(owner ? { owners: owner } : {}),
      conflict: owner
        ? lastOwner(org, member.email)
        : `The seats of ${org.name} changed meanwhile; retry`,
    },
    {
      kind: 'deleteMember',
      orgId: org.id,
      email: member.email,
      role: member.membership.role,
      conflict: new NotFoundError(
        `${member.email} is not a member of ${org.name} as read (removed or changed meanwhile)`,
      ),
    },
    ...member.teams.map(
      (t): Write => ({
        kind: 'deleteTeamMember',
        orgId: org.id,
        team: t.team,
        email: member.email,
        conflict: `The teams of ${member.email} changed meanwhile; retry`,
      }),
    ),
    {
      kind: 'event',
      event: newEvent(ctx, org, 'member_removed', member.email, {
        role: member.membership.role,
        via: member.membership.via,
        teams: member.teams.map((t) => t.team),
      }),
    },
  ];
}

/** `DELETE /v1/orgs/{orgId}/members/{email}`: frees a seat; never the last owner. */
export async function removeMember(ctx: Ctx, org: OrgRecord, email: string): Promise<void> {
  const member = await requireMember(ctx, org, email);
  if (takesLastOwner(org, ownerLeaving(member.membership))) {
    throw new ConflictError(lastOwner(org, email));
  }
  await ctx.deps.store.apply(planMemberRemoval(ctx, org, member));
}

export const listMembers = listOf(
  (store, org: OrgRecord, page) => store.listMembers(org.id, page),
  memberView,
);

export const listTeams = listOf(
  (store, org: OrgRecord, page) => store.listTeams(org.id, page),
  teamView,
);
