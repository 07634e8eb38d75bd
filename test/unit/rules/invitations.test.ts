/**
 * The invitation lifecycle (SPEC §13) as pure rules: status, acceptance, the seat it holds, what
 * the scheduled run does and when a resend may go.
 */
import { describe, expect, it } from 'vitest';
import type { Invitation } from '../../../shared/model/types.ts';
import {
  expiresAtFrom,
  holdsSeat,
  invitationStatus,
  isAcceptable,
  lifecycleDueAt,
  lifecycleStep,
  resendWaitSeconds,
} from '../../../shared/rules/invitations.ts';

const SENT = '2026-12-01T10:00:00.000Z';
const DAY = 86_400_000;
const at = (ms: number) => new Date(Date.parse(SENT) + ms);

const invitation = (over: Partial<Invitation> = {}): Invitation => ({
  orgId: 'o1',
  orgName: 'acme',
  role: 'member',
  team: null,
  invitedBy: 'owner@acme.com',
  createdAt: SENT,
  sentAt: SENT,
  expiresAt: expiresAtFrom(SENT),
  ...over,
});

describe('invitation lifecycle rules', () => {
  it('expires 14 days after it was sent by default, or after the days asked', () => {
    expect(expiresAtFrom(SENT)).toBe('2026-12-15T10:00:00.000Z');
    expect(expiresAtFrom(SENT, 1)).toBe('2026-12-02T10:00:00.000Z');
    expect(expiresAtFrom(SENT, 90)).toBe('2027-03-01T10:00:00.000Z');
  });

  it('is pending until expiresAt, then expired and never accepted, even before the run', () => {
    const i = invitation();
    expect(invitationStatus(i, at(14 * DAY - 1))).toBe('pending');
    expect(isAcceptable(i, at(14 * DAY - 1))).toBe(true);
    expect(invitationStatus(i, at(14 * DAY))).toBe('expired');
    expect(isAcceptable(i, at(14 * DAY))).toBe(false);
    // Not yet expired by the run: still holds its seat.
    expect(holdsSeat(i)).toBe(true);
  });

  it('once the run expired it: expired whatever the clock says, no seat, deleted 30 days after expiresAt', () => {
    const i = invitation({ expiredAt: at(14 * DAY + 60_000).toISOString() });
    expect(invitationStatus(i, at(0))).toBe('expired');
    expect(holdsSeat(i)).toBe(false);
    expect(lifecycleDueAt(i)).toBe(new Date(Date.parse(i.expiresAt) + 30 * DAY).toISOString());
    expect(lifecycleStep(i, at(44 * DAY - 1))).toBe('none');
    expect(lifecycleStep(i, at(44 * DAY))).toBe('delete');
  });

  it('is due for the run at its expiry while it holds a seat', () => {
    const i = invitation();
    expect(lifecycleDueAt(i)).toBe(i.expiresAt);
    expect(lifecycleStep(i, at(14 * DAY - 1))).toBe('none');
    expect(lifecycleStep(i, at(14 * DAY))).toBe('expire');
  });

  it('may be resent 10 minutes after its last mail, saying how many seconds are left before', () => {
    const i = invitation();
    expect(resendWaitSeconds(i, at(0))).toBe(600);
    expect(resendWaitSeconds(i, at(9 * 60_000 + 500))).toBe(60);
    expect(resendWaitSeconds(i, at(10 * 60_000))).toBe(0);
    expect(resendWaitSeconds(i, at(DAY))).toBe(0);
  });
});
