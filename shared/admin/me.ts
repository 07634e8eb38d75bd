/**
 * `GET /v1/me` (SPEC §9): the signed-in person's own view, from their person summary in one
 * read. Lists are not paged; each holds at most `ME_LIST_LIMIT` entries, and `truncated` says
 * when one was cut.
 */
import { isAcceptable } from '../rules/invitations.ts';
import type { Ctx } from './context.ts';
import type { MeView } from './schemas.ts';

export const ME_LIST_LIMIT = 100;

export async function getMe(ctx: Ctx): Promise<MeView> {
  const { person, companies } = await ctx.deps.store.getPerson(ctx.caller.email);
  const teams = (orgId: string) =>
    person.teamMemberships
      .filter((t) => t.orgId === orgId)
      .map((t) => t.team)
      .sort();
  const byName = <T>(list: T[], name: (t: T) => string) =>
    [...list].sort((a, b) => name(a).localeCompare(name(b)));
  const memberships = byName(person.memberships, (m) => m.orgName).map((m) => ({
    orgId: m.orgId,
    orgName: m.orgName,
    role: m.role,
    teams: teams(m.orgId),
    via: m.via,
  }));
  // A stored invitation is the view's shape already (SPEC §9).
  // SPEC §13: only the invitations a sign-in would still accept.
  const now = new Date(ctx.at);
  const invitations = byName(
    person.invitations.filter((i) => isAcceptable(i, now)),
    (i) => i.orgName,
  ).map((i) => ({
    orgId: i.orgId,
    orgName: i.orgName,
    role: i.role,
    team: i.team,
    invitedBy: i.invitedBy,
    createdAt: i.createdAt,
  }));
  const owned = byName(companies, (c) => c.name);
  return {
    email: ctx.caller.email,
    username: person.account?.username ?? null,
    name: person.account?.name ?? null,
    memberships: memberships.slice(0, ME_LIST_LIMIT),
    companies: owned.slice(0, ME_LIST_LIMIT),
    invitations: invitations.slice(0, ME_LIST_LIMIT),
    truncated: [memberships, owned, invitations].some((l) => l.length > ME_LIST_LIMIT),
  };
}
