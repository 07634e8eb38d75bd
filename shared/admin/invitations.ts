/**
 * Invitations (SPEC §5, §13): create, list, revoke and resend. An invitation holds a seat while
 * pending, expires `expiresInDays` (default 14) after it was sent, and is listed as expired for
 * 30 days once the scheduled run (`invitation-lifecycle.ts`) has freed its seat. Every rule of
 * the lifecycle is in shared/rules/invitations.ts; every seat change in shared/rules/seats.ts.
 */
import { ConflictError, NotFoundError, TooManyRequestsError } from '../errors.ts';
import type { Invitation, Role } from '../model/types.ts';
import type { OrgRecord, Write } from '../model/writes.ts';
import {
  expiresAtFrom,
  holdsSeat,
  invitationStatus,
  RESEND_INTERVAL_MS,
  resendWaitSeconds,
} from '../rules/invitations.ts';
import { hasFreeSeat } from '../rules/seats.ts';
import {
  type Ctx,
  invitationView,
  listOf,
  newEvent,
  newNotification,
  type RecordCtx,
} from './context.ts';
import { noSeat } from './orgs.ts';
import type { InvitationView } from './schemas.ts';

/** What a new invitation says, before its writes. */
export interface NewInvitation {
  email: string;
  role?: Role | undefined;
  team?: string | null | undefined;
  expiresInDays?: number | undefined;
}

/** The invitation a new one stores, sent at `ctx.at`. */
export function newInvitation(ctx: RecordCtx, org: OrgRecord, body: NewInvitation): Invitation {
  return {
    orgId: org.id,
    orgName: org.name,
    role: body.role ?? 'member',
    team: body.team ?? null,
    invitedBy: ctx.caller.email,
    createdAt: ctx.at,
    sentAt: ctx.at,
    expiresAt: expiresAtFrom(ctx.at, body.expiresInDays),
  };
}

/** The mail of an invitation (sent again on resend): through the outbox, in the same transaction. */
const invitationMail = (ctx: RecordCtx, org: OrgRecord, email: string, i: Invitation): Write => ({
  kind: 'outbox',
  notification: newNotification(
    ctx,
    org,
    'invitation',
    { email, name: null },
    { role: i.role, team: i.team, invitedBy: i.invitedBy, expiresAt: i.expiresAt },
  ),
});

/**
 * The writes of a new invitation but its seat: the invitation and its schedule entry, the check
 * that the person is not a member, the event and the mail. The seat is the caller's: one
 * `invitation-created` move, or a bulk run's reservation.
 */
export function planInvitation(
  ctx: RecordCtx,
  org: OrgRecord,
  email: string,
  invitation: Invitation,
): Write[] {
  return [
    {
      kind: 'putInvitation',
      email,
      invitation,
      conflict: `${email} already has an invitation to ${org.name} (an expired one can be resent)`,
    },
    {
      kind: 'checkNotMember',
      orgId: org.id,
      email,
      conflict: `${email} is already a member of ${org.name}`,
    },
    {
      kind: 'event',
      event: newEvent(ctx, org, 'invitation_created', email, {
        role: invitation.role,
        team: invitation.team,
        expiresAt: invitation.expiresAt,
      }),
    },
    invitationMail(ctx, org, email, invitation),
  ];
}

/** `POST /v1/orgs/{orgId}/invitations`: holds a seat; mails the invitee through the outbox. */
export async function createInvitation(
  ctx: Ctx,
  org: OrgRecord,
  body: NewInvitation,
): Promise<InvitationView> {
  const invitation = newInvitation(ctx, org, body);
  if (!hasFreeSeat(org)) throw new ConflictError(noSeat(org));
  await ctx.deps.store.apply([
    ...planInvitation(ctx, org, body.email, invitation),
    { kind: 'orgCounters', orgId: org.id, seats: 'invitation-created', conflict: noSeat(org) },
  ]);
  return invitationView({ email: body.email, invitation }, ctx);
}

async function requireInvitation(ctx: Ctx, org: OrgRecord, email: string): Promise<Invitation> {
  const invitation = await ctx.deps.store.getInvitation(org.id, email);
  if (!invitation) throw new NotFoundError(`${email} has no invitation to ${org.name}`);
  return invitation;
}

const changedMeanwhile = (org: OrgRecord, email: string) =>
  `The invitation of ${email} to ${org.name} changed meanwhile; retry`;

/** `DELETE /v1/orgs/{orgId}/invitations/{email}`: frees the seat it holds (an expired one holds none). */
export async function revokeInvitation(ctx: Ctx, org: OrgRecord, email: string): Promise<void> {
  const invitation = await requireInvitation(ctx, org, email);
  await ctx.deps.store.apply([
    {
      kind: 'deleteInvitation',
      orgId: org.id,
      email,
      asRead: invitation,
      conflict: changedMeanwhile(org, email),
    },
    ...(holdsSeat(invitation)
      ? [
          {
            kind: 'orgCounters' as const,
            orgId: org.id,
            seats: 'invitation-revoked' as const,
            conflict: `The seats of ${org.name} changed meanwhile; retry`,
          },
        ]
      : []),
    { kind: 'event', event: newEvent(ctx, org, 'invitation_revoked', email) },
  ]);
}

/**
 * `POST /v1/orgs/{orgId}/invitations/{email}/resend` (SPEC §13): mails it again and restarts its
 * expiry (the default 14 days); at most once per 10 minutes (429 with `Retry-After`). An
 * invitation whose seat the scheduled run freed takes a seat again, in the same transaction
 * (409 when none is free); one past its expiry that still holds its seat keeps it.
 */
export async function resendInvitation(
  ctx: Ctx,
  org: OrgRecord,
  email: string,
): Promise<InvitationView> {
  const before = await requireInvitation(ctx, org, email);
  const now = new Date(ctx.at);
  const wait = resendWaitSeconds(before, now);
  if (wait > 0) {
    throw new TooManyRequestsError(
      `The invitation of ${email} was sent less than ${RESEND_INTERVAL_MS / 60_000} minutes ago; resend it in ${wait} s`,
      wait,
    );
  }
  const renews = !holdsSeat(before);
  if (renews && !hasFreeSeat(org)) throw new ConflictError(noSeat(org));
  const { expiredAt: _freed, ...kept } = before;
  const after: Invitation = { ...kept, sentAt: ctx.at, expiresAt: expiresAtFrom(ctx.at) };
  await ctx.deps.store.apply([
    {
      kind: 'updateInvitation',
      email,
      before,
      after,
      // A concurrent resend or expiry got there first.
      conflict: changedMeanwhile(org, email),
    },
    ...(renews
      ? [
          {
            kind: 'orgCounters' as const,
            orgId: org.id,
            seats: 'invitation-renewed' as const,
            conflict: noSeat(org),
          },
        ]
      : []),
    {
      kind: 'event',
      event: newEvent(ctx, org, 'invitation_resent', email, {
        was: invitationStatus(before, now),
        expiresAt: after.expiresAt,
      }),
    },
    invitationMail(ctx, org, email, after),
  ]);
  return invitationView({ email, invitation: after }, ctx);
}

export const listInvitations = listOf(
  (store, org: OrgRecord, page) => store.listInvitations(org.id, page),
  invitationView,
);
