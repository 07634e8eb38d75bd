/** SPEC §13: whom the domain audit lists, and how (`auditRow`, pure). */
import { describe, expect, it } from 'vitest';
import type { Ctx } from '../../../shared/admin/context.ts';
import { auditRow, CSV_MAX_ROWS, domainAuditAll } from '../../../shared/admin/domain-audit.ts';
import type { DomainAuditCandidate, ScopeContext } from '../../../shared/model/writes.ts';

const NOW = '2026-11-23T12:00:00.000Z';
const candidate = (over: Partial<DomainAuditCandidate> = {}): DomainAuditCandidate => ({
  email: 'ada@acme.com',
  username: 'ada1234',
  name: 'Ada',
  lastSignInOn: '2026-11-20',
  lastSignInMethod: 'password',
  memberOf: [],
  invitations: [],
  ...over,
});
const orgs = new Set(['o1', 'o2']);

/** A pending invitation to `orgId` at NOW. */
const invite = (orgId: string) => ({ orgId, expiresAt: '2027-01-01T00:00:00.000Z' });

describe('auditRow', () => {
  it('lists an account in none of the orgs as uncaptured, with its last sign-in', () => {
    expect(auditRow(candidate({ memberOf: ['elsewhere'] }), orgs, NOW)).toEqual({
      email: 'ada@acme.com',
      username: 'ada1234',
      name: 'Ada',
      lastSignInOn: '2026-11-20',
      lastSignInMethod: 'password',
      status: 'uncaptured',
    });
  });

  it('leaves out a member of any of the orgs', () => {
    expect(auditRow(candidate({ memberOf: ['o2'] }), orgs, NOW)).toBeUndefined();
    expect(
      auditRow(candidate({ memberOf: ['o1'], invitations: [invite('o2')] }), orgs, NOW),
    ).toBeUndefined();
  });

  it('says invited for a pending invitation to one of the orgs, not to another org', () => {
    expect(auditRow(candidate({ invitations: [invite('o1')] }), orgs, NOW)?.status).toBe('invited');
    expect(auditRow(candidate({ invitations: [invite('o9')] }), orgs, NOW)?.status).toBe(
      'uncaptured',
    );
  });

  it('counts an expired invitation as none', () => {
    // Expired by the scheduled run (its seat freed), or past its expiresAt before the run came.
    const expired = [
      { ...invite('o1'), expiredAt: '2026-11-30T00:00:00.000Z' },
      { orgId: 'o2', expiresAt: NOW },
    ];
    expect(auditRow(candidate({ invitations: expired }), orgs, NOW)?.status).toBe('uncaptured');
    const live = [{ orgId: 'o1', expiresAt: '2026-12-30T00:00:00.000Z' }];
    expect(auditRow(candidate({ invitations: live }), orgs, NOW)?.status).toBe('invited');
  });
});

describe('domainAuditAll (the CSV export)', () => {
  const claim = (domain: string, status: 'pending' | 'verified') => ({
    domain,
    scope: { type: 'org' as const, id: 'o1' },
    status,
    txtValue: 'v',
    autoProvisioning: { enabled: false, orgId: null },
    ssoConnectionIds: [],
    addedAt: NOW,
    verifiedAt: null,
    missingSince: null,
    nextCheckAt: null,
  });
  /** A store of `total` accounts on the verified domain, paged by a numeric cursor. */
  function store(total: number) {
    const asked: { domains: readonly string[]; limit: number }[] = [];
    const s = {
      listClaims: async () => ({
        items: [claim('b.example', 'verified'), claim('a.example', 'pending')],
        nextCursor: null,
      }),
      listDomainAudit: async (
        domains: readonly string[],
        row: (c: DomainAuditCandidate) => unknown,
        page: { limit: number; cursor: string | undefined },
      ) => {
        asked.push({ domains, limit: page.limit });
        const from = Number(page.cursor ?? 0);
        const items = [];
        for (let i = from; i < Math.min(total, from + page.limit); i++) {
          items.push(row(candidate({ email: `p${i}@b.example` })));
        }
        const next = from + page.limit;
        return { items, nextCursor: next < total ? String(next) : null };
      },
    };
    return { s, asked };
  }
  const ctx = (s: unknown) =>
    ({ deps: { store: s }, caller: { email: 'o@x' }, at: NOW }) as unknown as Ctx;
  const scope = {
    type: 'org',
    org: { id: 'o1', name: 'acme' },
    ref: { type: 'org', id: 'o1' },
  } as unknown as ScopeContext;

  it('reads every page of the verified domains only, and stops at 10,000 rows with a cursor', async () => {
    const { s, asked } = store(CSV_MAX_ROWS + 50);
    const out = await domainAuditAll(ctx(s), scope, undefined);
    expect(out.rows).toHaveLength(CSV_MAX_ROWS);
    expect(out.nextCursor).toBe(String(CSV_MAX_ROWS));
    expect(asked.every((a) => a.domains.join() === 'b.example' && a.limit <= 100)).toBe(true);
    const rest = await domainAuditAll(ctx(s), scope, out.nextCursor!);
    expect(rest).toEqual({ rows: expect.any(Array), nextCursor: null });
    expect(rest.rows).toHaveLength(50);
  });

  it('answers everything and no cursor for a short audit', async () => {
    const { s } = store(3);
    const out = await domainAuditAll(ctx(s), scope, undefined);
    expect(out.rows.map((r) => r.email)).toEqual(['p0@b.example', 'p1@b.example', 'p2@b.example']);
    expect(out.nextCursor).toBeNull();
  });
});
