/**
 * The domain checker's schedule (SPEC §5), with an injected clock: every transition of a pending
 * and of a verified claim, DNS failures, and the writes of losing verification.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Ctx, domainView, orgScope } from '../../../shared/admin/context.ts';
import { lookUpClaim, planVerificationLost } from '../../../shared/admin/domain-checker.ts';
import {
  type CheckDecision,
  DAY_MS,
  DOMAIN_CHECKER_ACTOR,
  decideCheck,
  HOUR_MS,
  isDue,
  nextSlot,
  type TxtLookupResult,
} from '../../../shared/domains/check-schedule.ts';
import { UnavailableError } from '../../../shared/errors.ts';
import type {
  ConnectionRecord,
  DomainClaimRecord,
  OrgRecord,
} from '../../../shared/model/writes.ts';
import { unitDeps } from '../../support/core-deps.ts';

const T0 = Date.parse('2026-03-01T09:17:00.000Z');
const at = (ms: number) => new Date(T0 + ms);
const iso = (ms: number) => at(ms).toISOString();

const FOUND: TxtLookupResult = { kind: 'found' };
const MISSING: TxtLookupResult = { kind: 'missing', records: [] };
const DOWN: TxtLookupResult = { kind: 'unavailable', reason: 'DNS look-up of acme.com failed' };

/** A claim added at T0, due for its first hourly check. */
const pending = (over: Partial<DomainClaimRecord> = {}): DomainClaimRecord => ({
  domain: 'acme.com',
  scope: { type: 'org', id: 'o1' },
  status: 'pending',
  txtValue: 'provisio-verification=t0k3n',
  autoProvisioning: { enabled: false, orgId: null },
  ssoConnectionIds: [],
  addedAt: iso(0),
  verifiedAt: null,
  missingSince: null,
  nextCheckAt: iso(HOUR_MS),
  ...over,
});

/** A claim verified at T0 with auto-provisioning on, due for its first daily check. */
const verified = (over: Partial<DomainClaimRecord> = {}): DomainClaimRecord =>
  pending({
    status: 'verified',
    verifiedAt: iso(0),
    autoProvisioning: { enabled: true, orgId: 'o1' },
    nextCheckAt: iso(DAY_MS),
    ...over,
  });

const afterOf = (d: CheckDecision) => {
  if (d.action !== 'update' && d.action !== 'lose') throw new Error(`no state: ${d.action}`);
  return d.after;
};

describe('when a claim is due', () => {
  it('is due at or after its nextCheckAt, never when nothing is scheduled', () => {
    expect(isDue(pending(), at(HOUR_MS - 1))).toBe(false);
    expect(isDue(pending(), at(HOUR_MS))).toBe(true);
    expect(isDue(pending(), at(5 * HOUR_MS))).toBe(true);
    expect(isDue(pending({ nextCheckAt: null }), at(100 * DAY_MS))).toBe(false);
  });

  it('keeps the claim on its own grid, so an hourly run a little early or late still sees it every hour', () => {
    // Due at 10:17; a run at 10:59 schedules 11:17, not 11:59 (which the 11:58 run would miss).
    expect(nextSlot(iso(HOUR_MS), at(HOUR_MS + 42 * 60_000), HOUR_MS)).toEqual(at(2 * HOUR_MS));
    // A run long overdue (the checker was down) goes to the next slot after now.
    expect(nextSlot(iso(HOUR_MS), at(5 * HOUR_MS + 1), HOUR_MS)).toEqual(at(6 * HOUR_MS));
    // Exactly on the slot: the next one.
    expect(nextSlot(iso(HOUR_MS), at(HOUR_MS), HOUR_MS)).toEqual(at(2 * HOUR_MS));
    // No readable due time: a new grid from now.
    expect(nextSlot(null, at(7), HOUR_MS)).toEqual(at(7 + HOUR_MS));
    expect(nextSlot('garbage', at(7), HOUR_MS)).toEqual(at(7 + HOUR_MS));
  });

  it('checks a pending domain once an hour however the hourly runs jitter', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -120_000, max: 120_000 }), { minLength: 80 }), (j) => {
        // Runs at :00 of every hour, each up to two minutes early or late.
        let claim = pending({ nextCheckAt: iso(HOUR_MS) });
        let lookups = 0;
        for (let hour = 1; hour <= 80; hour++) {
          const now = at(hour * HOUR_MS - 17 * 60_000 + j[hour - 1]!);
          if (!isDue(claim, now)) continue;
          lookups++;
          claim = afterOf(decideCheck(claim, MISSING, now));
        }
        // Within 72 hours: 72 slots, but the run at hour 1 (09:00) is before the first slot
        // (10:17), so 71 or 72 checks depending on jitter at the edges.
        expect(lookups).toBeGreaterThanOrEqual(70);
        expect(lookups).toBeLessThanOrEqual(72);
        expect(claim.nextCheckAt).toBeNull();
      }),
    );
  });
});

describe('a pending domain (hourly for 72 hours after it was added)', () => {
  it('is verified when the record is found, through the verify path', () => {
    const d = decideCheck(pending(), FOUND, at(HOUR_MS));
    expect(d).toMatchObject({ action: 'verify', outcome: 'verified' });
    // Should another org or company hold the domain, it stays pending on its schedule.
    expect(d.action === 'verify' && d.otherwise).toEqual(
      pending({ nextCheckAt: iso(2 * HOUR_MS) }),
    );
  });

  it('is looked up again the next hour when the record is not there, or not ours', () => {
    const d = decideCheck(pending(), MISSING, at(HOUR_MS + 5000));
    expect(d).toEqual({
      action: 'update',
      outcome: 'still-pending',
      after: pending({ nextCheckAt: iso(2 * HOUR_MS) }),
    });
    const other = decideCheck(
      pending(),
      { kind: 'missing', records: ['provisio-verification=someone-else'] },
      at(HOUR_MS),
    );
    expect(other).toMatchObject({ outcome: 'still-pending' });
  });

  it('has its last check 72 hours after it was added', () => {
    const d = decideCheck(pending({ nextCheckAt: iso(71 * HOUR_MS) }), MISSING, at(71 * HOUR_MS));
    expect(afterOf(d).nextCheckAt).toBe(iso(72 * HOUR_MS));
  });

  it('is left pending and no longer scheduled after the 72-hour window', () => {
    const claim = pending({ nextCheckAt: iso(72 * HOUR_MS) });
    const d = decideCheck(claim, MISSING, at(72 * HOUR_MS + 30_000));
    expect(d).toEqual({
      action: 'update',
      outcome: 'window-expired',
      after: { ...claim, nextCheckAt: null },
    });
    expect(domainView(afterOf(d))).toMatchObject({
      status: 'pending',
      nextCheckAt: null,
      missingSince: null,
      checkExpired: true,
    });
  });

  it('is still verified at its last check when the record is there', () => {
    expect(
      decideCheck(pending({ nextCheckAt: iso(72 * HOUR_MS) }), FOUND, at(72 * HOUR_MS)),
    ).toMatchObject({ action: 'verify', otherwise: { nextCheckAt: null } });
  });

  it('expires at once when the checker comes back after the window', () => {
    expect(decideCheck(pending(), MISSING, at(90 * HOUR_MS))).toMatchObject({
      outcome: 'window-expired',
      after: { nextCheckAt: null },
    });
  });

  it('is not expired while the checker still looks', () => {
    expect(domainView(pending())).toMatchObject({
      nextCheckAt: iso(HOUR_MS),
      checkExpired: false,
    });
  });
});

describe('a verified domain (daily)', () => {
  it('stays verified when the record is found, clearing a miss', () => {
    const d = decideCheck(verified({ missingSince: iso(DAY_MS) }), FOUND, at(2 * DAY_MS + 60_000));
    expect(d).toEqual({
      action: 'update',
      outcome: 'still-verified',
      after: verified({ missingSince: null, nextCheckAt: iso(3 * DAY_MS) }),
    });
  });

  it('records when the record was first found missing, and looks again the next day', () => {
    const now = at(DAY_MS + 60_000);
    const d = decideCheck(verified(), MISSING, now);
    expect(d).toEqual({
      action: 'update',
      outcome: 'missing',
      after: verified({ missingSince: now.toISOString(), nextCheckAt: iso(2 * DAY_MS) }),
    });
    expect(domainView(afterOf(d))).toMatchObject({
      status: 'verified',
      missingSince: now.toISOString(),
      checkExpired: false,
    });
  });

  it('stays verified, auto-provisioning on, while the record has been missing for 6 days', () => {
    const claim = verified({ missingSince: iso(DAY_MS), nextCheckAt: iso(7 * DAY_MS) });
    const d = decideCheck(claim, MISSING, at(7 * DAY_MS));
    expect(d).toMatchObject({ action: 'update', outcome: 'still-missing' });
    expect(afterOf(d)).toMatchObject({
      status: 'verified',
      autoProvisioning: { enabled: true, orgId: 'o1' },
      missingSince: iso(DAY_MS),
      // The next check falls exactly on the 7-day mark.
      nextCheckAt: iso(8 * DAY_MS),
    });
  });

  it('looks again exactly at the 7-day mark rather than a day later', () => {
    // First found missing an hour after its slot: 7 days on, the daily slot comes before the
    // mark, so the check after it falls on the mark, not on the next daily slot.
    const since = iso(DAY_MS + HOUR_MS);
    const d = decideCheck(
      verified({ missingSince: since, nextCheckAt: iso(8 * DAY_MS) }),
      MISSING,
      at(8 * DAY_MS + HOUR_MS / 2),
    );
    expect(d).toMatchObject({ outcome: 'still-missing' });
    expect(afterOf(d).nextCheckAt).toBe(iso(8 * DAY_MS + HOUR_MS));
    expect(decideCheck(afterOf(d), MISSING, at(8 * DAY_MS + HOUR_MS))).toMatchObject({
      outcome: 'lost',
    });
  });

  it('loses verification once the record has been missing for 7 days', () => {
    const claim = verified({
      missingSince: iso(DAY_MS),
      nextCheckAt: iso(8 * DAY_MS),
      ssoConnectionIds: ['c1'],
    });
    const d = decideCheck(claim, MISSING, at(8 * DAY_MS));
    expect(d).toEqual({
      action: 'lose',
      outcome: 'lost',
      after: {
        ...claim,
        status: 'pending',
        autoProvisioning: { enabled: false, orgId: null },
        verifiedAt: null,
        missingSince: iso(DAY_MS),
        nextCheckAt: null,
      },
    });
    expect(domainView(afterOf(d))).toMatchObject({
      status: 'pending',
      autoProvisioning: { enabled: false, orgId: null },
      ssoConnectionId: 'c1',
      missingSince: iso(DAY_MS),
      checkExpired: true,
    });
  });

  it('is found again on the last day: verification kept', () => {
    const claim = verified({ missingSince: iso(DAY_MS), nextCheckAt: iso(8 * DAY_MS) });
    expect(decideCheck(claim, FOUND, at(8 * DAY_MS))).toMatchObject({
      outcome: 'still-verified',
      after: { status: 'verified', missingSince: null },
    });
  });
});

describe('a DNS failure is not a missing record', () => {
  it.each([
    ['a pending domain', pending(), at(HOUR_MS)],
    ['a pending domain at the end of its window', pending(), at(80 * HOUR_MS)],
    ['a verified domain', verified(), at(DAY_MS)],
    [
      'a verified domain missing for 7 days',
      verified({ missingSince: iso(DAY_MS), nextCheckAt: iso(8 * DAY_MS) }),
      at(8 * DAY_MS),
    ],
  ])('keeps %s as it is, due for the next run', (_, claim, now) => {
    expect(decideCheck(claim, DOWN, now)).toEqual({
      action: 'keep',
      outcome: 'unavailable',
      reason: DOWN.kind === 'unavailable' ? DOWN.reason : '',
    });
    expect(isDue(claim, now)).toBe(true);
  });
});

describe('a verified domain over days, with a clock', () => {
  it('loses verification 7 days after the record disappeared, never before', () => {
    let claim = verified();
    const removedAt = 2 * DAY_MS + 5 * HOUR_MS;
    let lostAt: number | undefined;
    let missingSince: string | null = null;
    // The hourly runs at :00.
    for (let t = HOUR_MS; t < 20 * DAY_MS && lostAt === undefined; t += HOUR_MS) {
      const now = at(t - 17 * 60_000);
      if (!isDue(claim, now)) continue;
      const d = decideCheck(claim, t < removedAt ? FOUND : MISSING, now);
      claim = afterOf(d);
      missingSince ??= claim.missingSince;
      if (d.action === 'lose') lostAt = now.getTime();
    }
    expect(missingSince).not.toBeNull();
    const since = Date.parse(missingSince!);
    expect(since).toBeGreaterThanOrEqual(T0 + removedAt);
    expect(lostAt! - since).toBeGreaterThanOrEqual(7 * DAY_MS);
    expect(lostAt! - since).toBeLessThanOrEqual(7 * DAY_MS + HOUR_MS);
    expect(claim).toMatchObject({ status: 'pending', nextCheckAt: null });
  });
});

describe('looking a claim up', () => {
  it('is found only for a record equal to the claim’s value', async () => {
    const claim = pending();
    expect(await lookUpClaim(async () => ['v=spf1 -all', claim.txtValue], claim)).toEqual(FOUND);
    expect(await lookUpClaim(async () => ['v=spf1 -all'], claim)).toEqual({
      kind: 'missing',
      records: ['v=spf1 -all'],
    });
  });

  it('is unavailable when the resolvers cannot be asked; other errors are not swallowed', async () => {
    const claim = pending();
    const down = async () => {
      throw new UnavailableError('DNS look-up of acme.com failed (ETIMEOUT)');
    };
    expect(await lookUpClaim(down, claim)).toEqual({
      kind: 'unavailable',
      reason: 'DNS look-up of acme.com failed (ETIMEOUT)',
    });
    const bug = async () => {
      throw new TypeError('boom');
    };
    await expect(lookUpClaim(bug, claim)).rejects.toThrow(TypeError);
  });
});

describe('the writes of losing verification', () => {
  const AT = iso(8 * DAY_MS);
  let n = 0;
  const ctx: Ctx = {
    deps: unitDeps({
      now: () => new Date(AT),
      newId: () => `id${++n}`,
    }),
    caller: { email: DOMAIN_CHECKER_ACTOR },
    at: AT,
  };
  const org: OrgRecord = {
    id: 'o1',
    name: 'acme',
    companyId: 'c1',
    seatLimit: null,
    seatsUsed: 1,
    ownerCount: 1,
    createdAt: iso(0),
  };

  it('turns the claim pending, removes the sign-in copy, records events and tells the owners, in one change', () => {
    const before = verified({ missingSince: iso(DAY_MS) });
    const d = decideCheck(before, MISSING, at(8 * DAY_MS));
    const writes = planVerificationLost(ctx, orgScope(org), before, afterOf(d));
    expect(writes.map((w) => w.kind)).toEqual([
      'updateClaim',
      'deleteVerified',
      'event',
      'event',
      'outbox',
    ]);
    expect(writes[0]).toMatchObject({ before, after: afterOf(d) });
    expect(writes[1]).toMatchObject({ domain: 'acme.com', scope: { type: 'org', id: 'o1' } });
    expect(writes[2]).toMatchObject({
      event: {
        type: 'auto_provisioning_disabled',
        subject: 'acme.com',
        actor: DOMAIN_CHECKER_ACTOR,
        orgId: 'o1',
        companyId: 'c1',
        details: { orgId: 'o1', reason: 'domain_verification_lost' },
      },
    });
    expect(writes[3]).toMatchObject({
      event: {
        type: 'domain_verification_lost',
        at: AT,
        subject: 'acme.com',
        details: { missingSince: iso(DAY_MS), autoProvisioningDisabled: true },
      },
    });
    expect(writes[4]).toMatchObject({
      notification: {
        type: 'domain_verification_lost',
        orgId: 'o1',
        orgName: 'acme',
        companyId: 'c1',
        details: {
          domain: 'acme.com',
          txtRecordName: 'acme.com',
          txtRecordValue: 'provisio-verification=t0k3n',
        },
      },
    });
    // Every write that can fail says what it means.
    for (const w of writes.slice(0, 2)) expect(w.conflict).toMatch(/changed meanwhile/);
  });

  it('detaches the domain from the SSO connections that served it, in the same change (SPEC §8)', () => {
    const before = verified({ missingSince: iso(DAY_MS), ssoConnectionIds: ['c1'] });
    const connection: ConnectionRecord = {
      id: 'c1',
      name: 'Okta',
      providerName: 'provisio-0123456789abcdef0123456',
      idp: {
        source: 'created',
        type: 'oidc',
        issuer: 'https://idp.example',
        clientId: 'x',
        groupsClaim: 'groups',
      },
      scope: { type: 'org', id: 'o1' },
      domains: ['acme.com', 'acme.org'],
      jit: true,
      scim: false,
      defaultOrg: { id: 'o1', name: 'acme' },
      defaultTeam: null,
      createdAt: iso(0),
      rev: 3,
    };
    const writes = planVerificationLost(
      ctx,
      orgScope(org),
      before,
      afterOf(decideCheck(before, MISSING, at(8 * DAY_MS))),
      [connection],
    );
    expect(writes.map((w) => w.kind)).toEqual([
      'updateClaim',
      'deleteVerified',
      'putConnection',
      'putProvider',
      'event',
      'outbox',
      'task',
      'event',
      'event',
      'outbox',
    ]);
    // The claim no longer names the connection; the connection and its sign-in copy lose the domain.
    expect(writes[0]).toMatchObject({ after: { status: 'pending', ssoConnectionIds: [] } });
    expect(writes[2]).toMatchObject({ connection: { domains: ['acme.org'], rev: 4 } });
    expect(writes[3]).toMatchObject({ connection: { domains: ['acme.org'] } });
    expect(writes[4]).toMatchObject({
      event: {
        type: 'sso_connection_updated',
        subject: 'c1',
        details: {
          changes: { domains: { from: ['acme.com', 'acme.org'], to: ['acme.org'] } },
          reason: 'domain_verification_lost',
          active: true,
        },
      },
    });
    expect(writes[5]).toMatchObject({
      notification: {
        type: 'sso_domain_detached',
        details: { domain: 'acme.com', connectionName: 'Okta', remainingDomains: ['acme.org'] },
      },
    });
    expect(writes[6]).toMatchObject({
      task: { type: 'syncProviderIdentifiers', providerName: connection.providerName },
    });
  });

  it('records no auto-provisioning event when it was off', () => {
    const before = verified({
      missingSince: iso(DAY_MS),
      autoProvisioning: { enabled: false, orgId: null },
    });
    const writes = planVerificationLost(
      ctx,
      orgScope(org),
      before,
      afterOf(decideCheck(before, MISSING, at(8 * DAY_MS))),
    );
    expect(writes.map((w) => w.kind)).toEqual(['updateClaim', 'deleteVerified', 'event', 'outbox']);
    expect(writes[2]).toMatchObject({
      event: { type: 'domain_verification_lost', details: { autoProvisioningDisabled: false } },
    });
  });
});
