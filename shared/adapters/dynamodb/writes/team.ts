/**
 * Team places (`ACCOUNT#<email>` / `MEMBER#<orgId>#TEAM#<team>`) and the team item they count
 * (`memberCount`, created with its first member).
 */
import { keys } from '../../../table/schema.ts';
import { teamMemberItem } from '../items.ts';
import type { TransactItem } from '../transact.ts';
import type { WriteContext, WriteOf } from './context.ts';
import { ABSENT, check, del, EXISTS, put, update } from './context.ts';

/** Counts a team place in or out: the team item is created with its first member. */
function teamCount(
  cx: WriteContext,
  orgId: string,
  team: string,
  delta: 1 | -1,
  at: string,
): TransactItem {
  return update(
    cx,
    keys.team(orgId, team),
    'SET entity = :entity, orgId = :orgId, #name = :team, createdAt = if_not_exists(createdAt, :at) ADD memberCount :delta',
    undefined,
    { ':entity': 'team', ':orgId': orgId, ':team': team, ':at': at, ':delta': delta },
    { '#name': 'name' },
  );
}

export function putTeamMember(cx: WriteContext, w: WriteOf<'putTeamMember'>): TransactItem[] {
  const item = teamMemberItem(w.email, { orgId: w.orgId, team: w.team, via: w.via }, w.at);
  cx.summary.put(item);
  return [
    put(cx, item, ABSENT),
    teamCount(cx, w.orgId, w.team, 1, w.at),
    // A team place only beside its membership: a removal that committed since the read refuses
    // the change instead of leaving an orphan team place.
    ...(w.joining ? [] : [check(cx, keys.member(w.orgId, w.email), EXISTS)]),
  ];
}

export function deleteTeamMember(cx: WriteContext, w: WriteOf<'deleteTeamMember'>): TransactItem[] {
  cx.summary.delete(keys.teamMember(w.orgId, w.team, w.email));
  return [
    del(cx, keys.teamMember(w.orgId, w.team, w.email), EXISTS),
    update(cx, keys.team(w.orgId, w.team), 'ADD memberCount :minus', EXISTS, { ':minus': -1 }),
  ];
}
