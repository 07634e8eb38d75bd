/**
 * The SCIM 2.0 service provider of one SSO connection (SPEC §10, RFC 7644): Users and Groups,
 * their membership effects (`provisioning.ts`) and the discovery documents. Every change is one
 * or more transactions through the admin store's `apply`; a request that fails validation
 * writes nothing.
 */

import { normaliseEmail } from '../domains/normalise.ts';
import { NotFoundError } from '../errors.ts';
import type { ScimGroupRecord, ScimUserRecord } from '../model/scim.ts';
import { nameKey } from '../model/scim.ts';
import type { Write } from '../model/writes.ts';
import { invalidValue, scimNotFound, uniqueness } from './protocol/errors.ts';
import { type Filter, indexedEquality, matches } from './protocol/filter.ts';
import { applyPatch } from './protocol/patch.ts';
import { type ListQuery, parseListQuery, parseSearchRequest } from './protocol/query.ts';
import {
  type GroupAttributes,
  normaliseGroup,
  normaliseUser,
  type PlainObject,
  projectAttributes,
  toGroupResource,
  toUserResource,
  type UserAttributes,
} from './protocol/resource.ts';
import { listResponse } from './protocol/schema.ts';
import {
  applyGroupEffects,
  applyWithSeats,
  checkGroupName,
  connectionVouches,
  groupTeam,
  NameTakenError,
  personEmail,
  planActivation,
  planDeactivation,
  type ScimCtx,
  sameTeam,
} from './provisioning.ts';

/** A SCIM answer: status and body (none for 204). */
export interface ScimResult {
  status: number;
  body?: unknown;
  location?: string;
}

// ---- rendering ---------------------------------------------------------------------------

const location = (baseUrl: string, kind: 'Users' | 'Groups', id: string) =>
  `${baseUrl}/${kind}/${encodeURIComponent(id)}`;

/**
 * A user as SCIM answers it; `active` is false while the user's email is outside the
 * connection's verified domains as read for this request (SPEC §10: the domains bound every effect).
 */
export function renderUser(u: ScimUserRecord, baseUrl: string, conn: ScimCtx['conn']): PlainObject {
  return toUserResource(
    {
      ...(u.attributes as unknown as UserAttributes),
      active: u.active && connectionVouches(conn, u.email),
    },
    {
      id: u.id,
      created: u.created,
      lastModified: u.lastModified,
      version: u.version,
      location: location(baseUrl, 'Users', u.id),
    },
  ) as unknown as PlainObject;
}

export function renderGroup(g: ScimGroupRecord, baseUrl: string): PlainObject {
  return toGroupResource(g.attributes as unknown as GroupAttributes, {
    id: g.id,
    created: g.created,
    lastModified: g.lastModified,
    version: g.version,
    location: location(baseUrl, 'Groups', g.id),
  }) as unknown as PlainObject;
}

/** Filters, pages (1-based `startIndex`, in id order: stable) and projects a list. */
function page<T>(
  records: T[],
  render: (r: T) => PlainObject,
  query: ListQuery,
): ReturnType<typeof listResponse<PlainObject>> {
  const rendered = records.map(render);
  const matching = query.filter
    ? rendered.filter((r) => matches(query.filter as Filter, r))
    : rendered;
  const start = Math.max(1, query.startIndex);
  const slice = matching.slice(start - 1, start - 1 + query.count);
  return listResponse(
    slice.map((r) => projectAttributes(r, query)),
    { totalResults: matching.length, startIndex: start },
  );
}

// ---- reads ---------------------------------------------------------------------------------

async function requireUser(ctx: ScimCtx, id: string): Promise<ScimUserRecord> {
  const user = await ctx.deps.scim.getUser(ctx.conn.id, id);
  if (!user) throw scimNotFound(`User ${id} not found`);
  return user;
}

async function requireGroup(ctx: ScimCtx, id: string): Promise<ScimGroupRecord> {
  const group = await ctx.deps.scim.getGroup(ctx.conn.id, id);
  if (!group) throw scimNotFound(`Group ${id} not found`);
  return group;
}

/**
 * `GET /Users/{id}`; `read` is the user's read when the route started it beside the token
 * check (one round trip fewer).
 */
export async function getUser(
  ctx: ScimCtx,
  baseUrl: string,
  id: string,
  params: Record<string, string | undefined>,
  read: Promise<ScimUserRecord | undefined> = ctx.deps.scim.getUser(ctx.conn.id, id),
): Promise<ScimResult> {
  const query = parseListQuery(params);
  const user = await read;
  if (!user) throw scimNotFound(`User ${id} not found`);
  return { status: 200, body: projectAttributes(renderUser(user, baseUrl, ctx.conn), query) };
}

/** The user holding a userName, if any; a name too long to be a key is held by none. */
async function userByName(ctx: ScimCtx, userName: string): Promise<ScimUserRecord | undefined> {
  try {
    const id = await ctx.deps.scim.userIdByName(ctx.conn.id, nameKey(userName));
    return id ? await ctx.deps.scim.getUser(ctx.conn.id, id) : undefined;
  } catch (error) {
    // DynamoDB refuses a key over its size limit; no user can hold such a name.
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

async function queryUsers(ctx: ScimCtx, baseUrl: string, query: ListQuery): Promise<ScimResult> {
  const indexed = query.filter ? indexedEquality(query.filter) : undefined;
  let users: ScimUserRecord[];
  if (indexed?.attribute === 'userName') {
    // The lookup clients make before every create: one guard read, one item read.
    const user = await userByName(ctx, indexed.value);
    users = user ? [user] : [];
  } else {
    users = await ctx.deps.scim.listUsers(ctx.conn.id);
  }
  return { status: 200, body: page(users, (u) => renderUser(u, baseUrl, ctx.conn), query) };
}

export function listUsers(
  ctx: ScimCtx,
  baseUrl: string,
  params: Record<string, string | undefined>,
): Promise<ScimResult> {
  return queryUsers(ctx, baseUrl, parseListQuery(params));
}

/** `POST /Users/.search` (RFC 7644 §3.4.3): a list whose query is in the body. */
export function searchUsers(ctx: ScimCtx, baseUrl: string, body: unknown): Promise<ScimResult> {
  return queryUsers(ctx, baseUrl, parseSearchRequest(body));
}

export async function getGroup(
  ctx: ScimCtx,
  baseUrl: string,
  id: string,
  params: Record<string, string | undefined>,
): Promise<ScimResult> {
  const query = parseListQuery(params);
  return {
    status: 200,
    body: projectAttributes(renderGroup(await requireGroup(ctx, id), baseUrl), query),
  };
}

export async function listGroups(
  ctx: ScimCtx,
  baseUrl: string,
  params: Record<string, string | undefined>,
): Promise<ScimResult> {
  const query = parseListQuery(params);
  const groups = await ctx.deps.scim.listGroups(ctx.conn.id);
  return { status: 200, body: page(groups, (g) => renderGroup(g, baseUrl), query) };
}

/** `POST /Groups/.search`. */
export async function searchGroups(
  ctx: ScimCtx,
  baseUrl: string,
  body: unknown,
): Promise<ScimResult> {
  const query = parseSearchRequest(body);
  const groups = await ctx.deps.scim.listGroups(ctx.conn.id);
  return { status: 200, body: page(groups, (g) => renderGroup(g, baseUrl), query) };
}

/**
 * `POST /.search` at the root (RFC 7644 §3.4.3): users then groups, each in id order, filtered
 * and paged as one list (each resource is matched against its own schema).
 */
export async function searchAll(ctx: ScimCtx, baseUrl: string, body: unknown): Promise<ScimResult> {
  const query = parseSearchRequest(body);
  const [users, groups] = await Promise.all([
    ctx.deps.scim.listUsers(ctx.conn.id),
    ctx.deps.scim.listGroups(ctx.conn.id),
  ]);
  const resources = [
    ...users.map((u) => () => renderUser(u, baseUrl, ctx.conn)),
    ...groups.map((g) => () => renderGroup(g, baseUrl)),
  ];
  return { status: 200, body: page(resources, (render) => render(), query) };
}

// ---- names ---------------------------------------------------------------------------------

/** What a client is told when another resource of the connection holds the name. */
const takenMessage = (what: 'user' | 'group', name: string) =>
  what === 'user'
    ? `userName ${name} is already taken in this connection`
    : `displayName ${name} is already taken`;

/**
 * The writes that keep a user's `userName` or a group's `displayName` unique in the connection:
 * claim the name it takes (`to`; 409 `uniqueness` when another holds it), release the one it
 * leaves (`from`). None when both are given and the name's key is the same.
 */
function nameWrites(
  ctx: ScimCtx,
  what: 'user' | 'group',
  id: string,
  names: { from?: string; to?: string },
): Write[] {
  const oldKey = names.from === undefined ? undefined : nameKey(names.from);
  const newKey = names.to === undefined ? undefined : nameKey(names.to);
  if (oldKey === newKey) return [];
  const connectionId = ctx.conn.id;
  return [
    ...(newKey === undefined
      ? []
      : [
          {
            kind: 'putScimName',
            connectionId,
            what,
            key: newKey,
            id,
            conflict: new NameTakenError(takenMessage(what, names.to!)),
          } as const,
        ]),
    ...(oldKey === undefined
      ? []
      : [{ kind: 'deleteScimName', connectionId, what, key: oldKey, id } as const]),
  ];
}

// ---- users ---------------------------------------------------------------------------------

/** The fields of a stored user that its attributes, its person and `active` decide. */
const userFields = (attrs: UserAttributes, email: string, active: boolean) => ({
  userName: attrs.userName,
  externalId: attrs.externalId ?? null,
  email,
  active,
  attributes: { ...attrs, active } as unknown as Record<string, unknown>,
});

const groupsOf = async (ctx: ScimCtx, userId: string) =>
  (await ctx.deps.scim.listGroups(ctx.conn.id)).filter((g) => g.members.includes(userId));

export async function createUser(
  ctx: ScimCtx,
  baseUrl: string,
  body: unknown,
): Promise<ScimResult> {
  const attrs = normaliseUser(body);
  const email = personEmail(attrs, ctx.conn);
  const key = nameKey(attrs.userName);
  const active = attrs.active ?? true;
  // The name check and the person's reads in one round trip.
  const [taken, effects] = await Promise.all([
    ctx.deps.scim.userIdByName(ctx.conn.id, key),
    active ? planActivation(ctx, email, []) : planDeactivation(ctx, email),
  ]);
  if (taken) throw uniqueness(takenMessage('user', attrs.userName));
  const user: ScimUserRecord = {
    id: ctx.deps.newId(),
    ...userFields(attrs, email, active),
    created: ctx.at,
    lastModified: ctx.at,
    version: 1,
  };
  const writes: Write[] = [
    ...nameWrites(ctx, 'user', user.id, { to: attrs.userName }),
    { kind: 'putScimUser', connectionId: ctx.conn.id, user },
    ...effects,
  ];
  await applyWithSeats(ctx, writes, email);
  return {
    status: 201,
    body: renderUser(user, baseUrl, ctx.conn),
    location: location(baseUrl, 'Users', user.id),
  };
}

/**
 * The person of an updated user: as `personEmail`, except that a user still naming the address
 * it had, now outside the connection's domains, keeps it (so that it can be deactivated; it
 * gains nothing while there). A new address outside the domains is a 400.
 */
function userEmail(ctx: ScimCtx, attrs: UserAttributes, before: ScimUserRecord): string {
  try {
    return personEmail(attrs, ctx.conn);
  } catch (error) {
    const named = [attrs.userName, ...(attrs.emails ?? []).map((e) => e.value)];
    if (named.some((raw) => normaliseEmail(raw)?.email === before.email)) return before.email;
    throw error;
  }
}

/** PUT and PATCH: the user's new attributes, with their effects. */
async function updateUser(
  ctx: ScimCtx,
  before: ScimUserRecord,
  attrs: UserAttributes,
): Promise<ScimUserRecord> {
  const email = userEmail(ctx, attrs, before);
  const active = attrs.active ?? before.active;
  const after: ScimUserRecord = {
    ...before,
    ...userFields(attrs, email, active),
    lastModified: ctx.at,
    version: before.version + 1,
  };
  const writes: Write[] = [
    { kind: 'putScimUser', connectionId: ctx.conn.id, user: after },
    ...nameWrites(ctx, 'user', after.id, { from: before.userName, to: after.userName }),
  ];
  const moved = before.email !== email;
  if (before.active && (!active || moved))
    writes.push(...(await planDeactivation(ctx, before.email)));
  if (moved && active) {
    // Another person now: the old one leaves in this transaction, the new one joins in the
    // next (one transaction may not touch the org's seat counter twice).
    await applyWithSeats(ctx, writes, email);
    await applyWithSeats(
      ctx,
      await planActivation(ctx, email, await groupsOf(ctx, after.id)),
      email,
    );
    return after;
  }
  if (active && !before.active) {
    writes.push(...(await planActivation(ctx, email, await groupsOf(ctx, after.id))));
  }
  await applyWithSeats(ctx, writes, email);
  return after;
}

export async function replaceUser(
  ctx: ScimCtx,
  baseUrl: string,
  id: string,
  body: unknown,
): Promise<ScimResult> {
  const attrs = normaliseUser(body);
  const before = await requireUser(ctx, id);
  const after = await updateUser(ctx, before, attrs);
  return { status: 200, body: renderUser(after, baseUrl, ctx.conn) };
}

export async function patchUser(
  ctx: ScimCtx,
  baseUrl: string,
  id: string,
  body: unknown,
): Promise<ScimResult> {
  const before = await requireUser(ctx, id);
  const { resource, changed } = applyPatch(
    { ...(before.attributes as unknown as UserAttributes), active: before.active },
    body,
    'User',
    { id },
  );
  // `remove` of `active` leaves it unassigned, which is not "active": the user is deactivated.
  const attrs: UserAttributes = { ...resource, active: resource.active ?? false };
  const after = changed ? await updateUser(ctx, before, attrs) : before;
  return { status: 200, body: renderUser(after, baseUrl, ctx.conn) };
}

export async function deleteUser(ctx: ScimCtx, id: string): Promise<ScimResult> {
  const user = await requireUser(ctx, id);
  const writes: Write[] = [
    { kind: 'deleteScimUser', connectionId: ctx.conn.id, id, version: user.version },
    ...nameWrites(ctx, 'user', id, { from: user.userName }),
    ...(await planDeactivation(ctx, user.email)),
  ];
  // The user leaves the groups that name them.
  for (const g of await groupsOf(ctx, id)) {
    const members = (g.attributes as unknown as GroupAttributes).members ?? [];
    writes.push({
      kind: 'putScimGroup',
      connectionId: ctx.conn.id,
      group: {
        ...g,
        members: g.members.filter((m) => m !== id),
        attributes: {
          ...g.attributes,
          members: members.filter((m) => m.value !== id),
        },
        lastModified: ctx.at,
        version: g.version + 1,
      },
    });
  }
  await applyWithSeats(ctx, writes, user.email);
  return { status: 204 };
}

// ---- groups --------------------------------------------------------------------------------

/** An id longer than any key DynamoDB takes names no user (and would fail the whole read). */
const MAX_ID_BYTES = 512;

/** The users of these ids (one batched read per 100), without the ids that name none. */
async function usersOf(ctx: ScimCtx, ids: readonly string[]): Promise<ScimUserRecord[]> {
  const keyed = ids.filter((id) => Buffer.byteLength(id) <= MAX_ID_BYTES);
  if (!keyed.length) return [];
  const users = await ctx.deps.scim.getUsers(ctx.conn.id, keyed);
  return users.filter((u): u is ScimUserRecord => !!u);
}

/** Group members must be users of this connection (400 otherwise, nothing written). */
async function memberUsers(ctx: ScimCtx, ids: readonly string[]): Promise<ScimUserRecord[]> {
  const unique = [...new Set(ids)];
  const users = await usersOf(ctx, unique);
  if (users.length < unique.length) {
    const found = new Set(users.map((u) => u.id));
    const missing = unique.filter((id) => !found.has(id));
    throw invalidValue(
      `members: no user ${missing
        .slice(0, 5)
        .map((id) => id.slice(0, 100))
        .join(', ')} in this connection`,
    );
  }
  return users;
}

function groupRecord(
  ctx: ScimCtx,
  attrs: GroupAttributes,
  base: Pick<ScimGroupRecord, 'id' | 'created' | 'version'>,
): ScimGroupRecord {
  const members = (attrs.members ?? []).map((m) => ({ ...m }));
  return {
    id: base.id,
    displayName: attrs.displayName,
    externalId: attrs.externalId ?? null,
    members: [...new Set(members.map((m) => m.value))],
    attributes: { ...attrs, members } as unknown as Record<string, unknown>,
    created: base.created,
    lastModified: ctx.at,
    version: base.version,
  };
}

export async function createGroup(
  ctx: ScimCtx,
  baseUrl: string,
  body: unknown,
): Promise<ScimResult> {
  const attrs = normaliseGroup(body);
  const target = await checkGroupName(ctx, attrs.displayName);
  const group = groupRecord(ctx, attrs, { id: ctx.deps.newId(), created: ctx.at, version: 1 });
  const members = await memberUsers(ctx, group.members);
  await ctx.deps.store.apply([
    ...nameWrites(ctx, 'group', group.id, { to: group.displayName }),
    { kind: 'putScimGroup', connectionId: ctx.conn.id, group },
  ]);
  await applyGroupEffects(ctx, undefined, { target, members });
  return {
    status: 201,
    body: renderGroup(group, baseUrl),
    location: location(baseUrl, 'Groups', group.id),
  };
}

async function updateGroup(
  ctx: ScimCtx,
  before: ScimGroupRecord,
  attrs: GroupAttributes,
): Promise<ScimGroupRecord> {
  const after = groupRecord(ctx, attrs, { ...before, version: before.version + 1 });
  const [oldTarget, newTarget] = await Promise.all([
    groupTeam(ctx, before.displayName),
    after.displayName === before.displayName
      ? groupTeam(ctx, after.displayName)
      : checkGroupName(ctx, after.displayName),
  ]);
  // Only what changed is read: the work follows the request, not the group's size. A group that
  // now maps to another team (a rename) moves every member.
  const was = new Set(before.members);
  const is = new Set(after.members);
  const added = after.members.filter((id) => !was.has(id));
  const addedUsers = await memberUsers(ctx, added);
  const rename = nameWrites(ctx, 'group', after.id, {
    from: before.displayName,
    to: after.displayName,
  });
  const writes: Write[] = [
    { kind: 'putScimGroup', connectionId: ctx.conn.id, group: after },
    ...rename,
  ];
  if (rename.length) {
    const holder = await ctx.deps.scim.groupIdByName(ctx.conn.id, nameKey(after.displayName));
    if (holder && holder !== after.id) throw uniqueness(takenMessage('group', after.displayName));
  }
  // The people first, then the group: a request that fails half-way leaves the group as it
  // was, so the client's retry finds the same difference and completes it (each person's
  // change is idempotent).
  if (sameTeam(oldTarget, newTarget)) {
    const removed = before.members.filter((id) => !is.has(id));
    await applyGroupEffects(
      ctx,
      { target: oldTarget, members: await usersOf(ctx, removed) },
      { target: newTarget, members: addedUsers },
    );
  } else if (oldTarget || newTarget) {
    const [beforeMembers, afterMembers] = await Promise.all([
      oldTarget ? usersOf(ctx, before.members) : [],
      newTarget ? usersOf(ctx, after.members) : [],
    ]);
    await applyGroupEffects(
      ctx,
      { target: oldTarget, members: beforeMembers },
      { target: newTarget, members: afterMembers },
    );
  }
  await ctx.deps.store.apply(writes);
  return after;
}

export async function replaceGroup(
  ctx: ScimCtx,
  baseUrl: string,
  id: string,
  body: unknown,
): Promise<ScimResult> {
  const attrs = normaliseGroup(body);
  const before = await requireGroup(ctx, id);
  return { status: 200, body: renderGroup(await updateGroup(ctx, before, attrs), baseUrl) };
}

/** PATCH answers 204 (RFC 7644 §3.5.2 allows it; Okta and Entra send group pushes this way). */
export async function patchGroup(ctx: ScimCtx, id: string, body: unknown): Promise<ScimResult> {
  const before = await requireGroup(ctx, id);
  const { resource, changed } = applyPatch(
    before.attributes as unknown as GroupAttributes,
    body,
    'Group',
    { id },
  );
  if (changed) {
    await updateGroup(ctx, before, resource as GroupAttributes);
  }
  return { status: 204 };
}

export async function deleteGroup(ctx: ScimCtx, id: string): Promise<ScimResult> {
  const group = await requireGroup(ctx, id);
  await ctx.deps.store.apply([
    { kind: 'deleteScimGroup', connectionId: ctx.conn.id, id, version: group.version },
    ...nameWrites(ctx, 'group', id, { from: group.displayName }),
  ]);
  const target = await groupTeam(ctx, group.displayName);
  if (target) {
    await applyGroupEffects(ctx, { target, members: await usersOf(ctx, group.members) }, undefined);
  }
  return { status: 204 };
}
