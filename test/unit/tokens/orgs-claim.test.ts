/** SPEC §9: the orgs claim, from the person's memberships and teams. */
import { describe, expect, it } from 'vitest';
import type { Membership, PersonState } from '../../../shared/sign-in/types.ts';
import { MAX_ORGS_IN_TOKEN, orgsClaims } from '../../../shared/tokens/orgs-claim.ts';

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
