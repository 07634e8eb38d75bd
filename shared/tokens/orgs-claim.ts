/**
 * SPEC §9: the person's memberships as one token claim, `orgs`, for apps to authorize on
 * (as Auth0's `org_id`, Clerk's `o` or Logto's `organizations` claims). Pure.
 */
import type { PersonState, Role } from '../sign-in/types.ts';

/** Entries in a token at most; `GET /v1/me` has them all. */
export const MAX_ORGS_IN_TOKEN = 20;

export interface OrgClaim {
  id: string;
  name: string;
  role: Role;
  teams: string[];
}

/** The claims to add: `orgs`, and `orgs_truncated` when more than fit. */
export function orgsClaims(person: PersonState): { orgs: OrgClaim[]; orgs_truncated?: true } {
  const orgs = [...person.memberships]
    .sort((a, b) => a.orgName.localeCompare(b.orgName))
    .map((m) => ({
      id: m.orgId,
      name: m.orgName,
      role: m.role,
      teams: person.teamMemberships
        .filter((t) => t.orgId === m.orgId)
        .map((t) => t.team)
        .sort(),
    }));
  return orgs.length > MAX_ORGS_IN_TOKEN
    ? { orgs: orgs.slice(0, MAX_ORGS_IN_TOKEN), orgs_truncated: true }
    : { orgs };
}
