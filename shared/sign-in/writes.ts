/**
 * A sign-in's plan as the writes every change is made of (the `Write`s of shared/model/writes.ts),
 * so that the sign-in, the admin API and SCIM write through one translator
 * (shared/adapters/dynamodb/writes/) under the same conditions. Pure: ids, the time and the
 * username's random digits are given.
 */

import type { Plan, SignIn } from '../model/types.ts';
import type { Write } from '../model/writes.ts';
import type { SeatChange } from '../rules/seats.ts';
import { NOTICE_QUIET_MS } from './decide.ts';
import { proposeUsername } from './username.ts';

export interface SignInWriteContext {
  now: Date;
  /** Which try this is: a taken username is proposed anew with other digits. */
  attempt: number;
  newId: () => string;
  /** Random digits for generated usernames. @default crypto.randomInt */
  random?: ((max: number) => number) | undefined;
}

/** The writes of one sign-in's plan (SPEC §3), in the order the transaction lists them. */
export function signInWrites(signIn: SignIn, plan: Plan, cx: SignInWriteContext): Write[] {
  const at = cx.now.toISOString();
  const email = signIn.email;
  const writes: Write[] = [];

  // §3.1: a new account claims a username that is unique (a conditional write, retried).
  if (plan.account.create) {
    const username = proposeUsername(
      email.split('@')[0]!,
      plan.account.name,
      cx.attempt,
      cx.random,
    );
    writes.push(
      { kind: 'putAccount', account: { email, username, name: plan.account.name, createdAt: at } },
      { kind: 'putUsername', username, email },
    );
  } else if (plan.account.updateName && plan.accountBefore) {
    writes.push({
      kind: 'setAccountName',
      account: plan.accountBefore,
      name: plan.account.name,
      at,
    });
  }

  // §3.2.2: an accepted invitation goes; its seat becomes the member's, or is returned when the
  // person was a member already (shared/rules/seats.ts).
  for (const inv of plan.invitationsAccepted) {
    writes.push({ kind: 'deleteInvitation', orgId: inv.orgId, email });
    if (inv.freesSeat) {
      writes.push({
        kind: 'orgCounters',
        orgId: inv.orgId,
        seats: 'invitation-accepted-by-member',
      });
    }
  }

  for (const join of plan.joins) {
    writes.push({
      kind: 'putMember',
      email,
      membership: {
        orgId: join.orgId,
        orgName: join.orgName,
        role: join.role,
        via: join.via,
        joinedAt: at,
      },
    });
    const seats: SeatChange = join.takesSeat ? 'member-joins' : 'invitation-accepted';
    writes.push({
      kind: 'orgCounters',
      orgId: join.orgId,
      seats,
      owners: join.role === 'owner' ? 'owner-joins' : undefined,
    });
  }

  // A team place only beside its membership: checked once per org (a transaction touches an
  // item once), not at all for an org joined in this change.
  const memberKnown = new Set(plan.joins.map((j) => j.orgId));
  for (const t of plan.teamAdds) {
    writes.push({
      kind: 'putTeamMember',
      orgId: t.orgId,
      team: t.team,
      email,
      via: t.via,
      joining: memberKnown.has(t.orgId),
      at,
    });
    memberKnown.add(t.orgId);
  }
  for (const t of plan.teamRemovals) {
    writes.push({ kind: 'deleteTeamMember', orgId: t.orgId, team: t.team, email });
  }

  const cutoff = new Date(cx.now.getTime() - NOTICE_QUIET_MS).toISOString();
  for (const n of plan.notices) {
    writes.push({ kind: 'putNotice', email, notice: n.kind, orgId: n.orgId, at, cutoff });
  }
  for (const e of plan.events) {
    writes.push({ kind: 'event', event: { ...e, id: cx.newId(), at } });
  }
  for (const n of plan.notifications) {
    writes.push({ kind: 'outbox', notification: { ...n, id: cx.newId(), at } });
  }
  // §12 no lockout: the day of an SSO sign-in through the connection, at most once a day.
  if (plan.touchConnection) writes.push({ kind: 'touchProvider', ...plan.touchConnection });
  if (plan.nonSsoSignIn) {
    writes.push({ kind: 'markNonSsoSignIn', ...plan.nonSsoSignIn, email, unconditional: true });
  }
  // §13: the day's first trusted sign-in, on the person's summary (the domain audit).
  if (plan.signedIn) writes.push({ kind: 'recordSignIn', email, ...plan.signedIn });
  return writes;
}
