/**
 * SPEC §9: the person's memberships as one token claim, `orgs`, for apps to authorize on
 * (as Auth0's `org_id`, Clerk's `o` or Logto's `organizations` claims). Pure.
 */
import type { PersonState, Role } from '../model/types.ts';

/** Entries in a token at most; `GET /v1/me` has them all. */
export const MAX_ORGS_IN_TOKEN = 20;

export interface OrgClaim {
  id: string;
  name: string;
  role: Role;
  teams: string[];
}

/**
 * SPEC §10: the orgs whose membership the person holds at no door: a suspended membership, or
 * an org a connection's SCIM client deactivated them for (the orgs its mark covers).
 */
export function withheldOrgs(person: PersonState): Set<string> {
  const withheld = new Set(person.scimDeactivations?.flatMap((d) => d.orgIds) ?? []);
  for (const m of person.memberships) if (m.suspended) withheld.add(m.orgId);
  return withheld;
}

/**
 * The claims to add: `orgs`, and `orgs_truncated` when more than fit; memberships the person
 * holds at no door (`withheldOrgs`) are left out.
 */
export function orgsClaims(person: PersonState): { orgs: OrgClaim[]; orgs_truncated?: true } {
  const withheld = withheldOrgs(person);
  const orgs = person.memberships
    .filter((m) => !withheld.has(m.orgId))
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
