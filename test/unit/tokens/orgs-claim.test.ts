/** SPEC §9: the orgs claim, from the person's memberships and teams. */
import { describe, expect, it } from 'vitest';
import type { Membership, PersonState } from '../../../shared/model/types.ts';
import { MAX_ORGS_IN_TOKEN, orgsClaims, withheldOrgs } from '../../../shared/tokens/orgs-claim.ts';

const member = (i: number): Membership => ({
  orgId: `o${i}`,
  orgName: `org-${String(i).padStart(2, '0')}`,
  role: i === 1 ? 'owner' : 'member',
  via: 'jit',
  joinedAt: '2026-01-01T00:00:00.000Z',
});
const person = (n: number): PersonState => ({
  account: undefined,
  memberships: Array.from({ length: n }, (_, i) => member(i + 1)).reverse(),
  teamMemberships: [
    { orgId: 'o1', team: 'ops', via: 'group-mapping' },
    { orgId: 'o1', team: 'dev', via: 'jit' },
  ],
  invitations: [],
  notices: [],
});

describe('the orgs claim', () => {
  it('is empty for no membership', () => {
    expect(orgsClaims(person(0))).toEqual({ orgs: [] });
  });

  it('lists each org with the role and teams, by name', () => {
    expect(orgsClaims(person(2))).toEqual({
      orgs: [
        { id: 'o1', name: 'org-01', role: 'owner', teams: ['dev', 'ops'] },
        { id: 'o2', name: 'org-02', role: 'member', teams: [] },
      ],
    });
  });

  it(`holds at most ${MAX_ORGS_IN_TOKEN} and says it was cut`, () => {
    const claims = orgsClaims(person(25));
    expect(claims.orgs).toHaveLength(MAX_ORGS_IN_TOKEN);
    expect(claims.orgs_truncated).toBe(true);
    expect(orgsClaims(person(MAX_ORGS_IN_TOKEN))).not.toHaveProperty('orgs_truncated');
  });
});

describe('the orgs claim and SCIM deactivation (SPEC §10)', () => {
  it('leaves out a suspended membership', () => {
    const p = person(2);
    p.memberships = p.memberships.map((m) => (m.orgId === 'o1' ? { ...m, suspended: true } : m));
    expect(orgsClaims(p).orgs.map((o) => o.id)).toEqual(['o2']);
  });

  it('leaves out the orgs a SCIM deactivation covers, and only those', () => {
    const p: PersonState = {
      ...person(3),
      scimDeactivated: ['c1'],
      scimDeactivations: [
        { connectionId: 'c1', scope: { type: 'company', id: 'co' }, orgIds: ['o2', 'o9'] },
      ],
    };
    expect(orgsClaims(p).orgs.map((o) => o.id)).toEqual(['o1', 'o3']);
    expect([...withheldOrgs(p)].sort()).toEqual(['o2', 'o9']);
  });

  it('withholds nothing from a person with no deactivation and no suspension', () => {
    expect(withheldOrgs(person(3)).size).toBe(0);
  });
});
