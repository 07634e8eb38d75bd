/** SPEC §13: whom the domain audit lists, and how (`auditRow`, pure). */
import { describe, expect, it } from 'vitest';
import { auditRow } from '../../../shared/admin/domain-audit.ts';
import type { DomainAuditCandidate } from '../../../shared/model/writes.ts';

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
      auditRow(candidate({ memberOf: ['o1'], invitations: [{ orgId: 'o2' }] }), orgs, NOW),
    ).toBeUndefined();
  });

  it('says invited for a pending invitation to one of the orgs, not to another org', () => {
    expect(auditRow(candidate({ invitations: [{ orgId: 'o1' }] }), orgs, NOW)?.status).toBe(
      'invited',
    );
    expect(auditRow(candidate({ invitations: [{ orgId: 'o9' }] }), orgs, NOW)?.status).toBe(
      'uncaptured',
    );
  });

  it('counts an expired invitation as none', () => {
    const expired = [
      { orgId: 'o1', status: 'expired' },
      { orgId: 'o2', expiresAt: '2026-11-23T11:59:59.999Z' },
    ];
    expect(auditRow(candidate({ invitations: expired }), orgs, NOW)?.status).toBe('uncaptured');
    const live = [{ orgId: 'o1', status: 'pending', expiresAt: '2026-12-01T00:00:00.000Z' }];
    expect(auditRow(candidate({ invitations: live }), orgs, NOW)?.status).toBe('invited');
  });
});
