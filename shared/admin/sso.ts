/**
 * SSO connections at org or company scope (SPEC §1, §5). A connection serves domains the scope
 * has verified (409 otherwise), each domain at most one connection; its copy under the provider
 * name (`PROVIDER#<name>`, read by the sign-in) and the `VERIFIED` copies of its domains are
 * rewritten in the same transaction as the connection, so the sign-in never sees them drift.
 */

import { normaliseDomain } from '../domains/normalise.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { SOCIAL_PROVIDERS } from '../sign-in/run.ts';
import { type Ctx, connectionView, newEvent, scopeName } from './context.ts';
import type { ConnectionRecord, DomainClaimRecord, ScopeContext, Write } from './model.ts';
import type { Page, PageRequest } from './pagination.ts';
import type { SsoConnectionView } from './schemas.ts';

/** The create fields, as validated by the route's schema. */
export interface ConnectionInput {
  name?: string | undefined;
  providerName?: string | undefined;
  domains?: string[] | undefined;
  jit?: boolean | undefined;
  scim?: boolean | undefined;
  defaultOrgId?: string | undefined;
  defaultTeam?: string | null | undefined;
}

/** Social providers follow the password path (SPEC §2); they cannot be SSO connections. */
export function checkProviderName(providerName: string): void {
  if (SOCIAL_PROVIDERS.has(providerName)) {
    throw new ValidationError(
      'providerName',
      `${providerName} is a social identity provider: its sign-ins follow the password path (auto-provisioning), not SSO`,
    );
  }
}

/** Normalises and de-duplicates the domains of a connection; 400 naming the bad one. */
export function connectionDomains(domains: readonly string[]): string[] {
  const out: string[] = [];
  domains.forEach((raw, i) => {
    const domain = normaliseDomain(raw);
    if (!domain) throw new ValidationError(`domains[${i}]`, 'is not a domain name');
    if (!out.includes(domain)) out.push(domain);
  });
  return out;
}

/** The default org: the org itself at org scope; one of the company's orgs at company scope. */
async function defaultOrg(
  ctx: Ctx,
  scope: ScopeContext,
  defaultOrgId: string | undefined,
): Promise<{ id: string; name: string }> {
  if (scope.type === 'org') {
    if (defaultOrgId && defaultOrgId !== scope.org.id) {
      throw new ValidationError(
        'defaultOrgId',
        `must be this org's id (${scope.org.id}) or left out`,
      );
    }
    return { id: scope.org.id, name: scope.org.name };
  }
  if (!defaultOrgId) throw new ValidationError('defaultOrgId', 'is required at company scope');
  const org = await ctx.deps.store.getOrg(defaultOrgId);
  if (!org || org.companyId !== scope.company.id) {
    throw new ValidationError('defaultOrgId', `is not an org of company ${scope.company.name}`);
  }
  return { id: org.id, name: org.name };
}

/** 409 unless every domain is verified by the scope and served by no other connection. */
export function checkDomainsServable(
  scope: ScopeContext,
  domains: readonly string[],
  claims: ReadonlyMap<string, DomainClaimRecord>,
  connectionId: string | null,
): void {
  for (const domain of domains) {
    const claim = claims.get(domain);
    if (claim?.status !== 'verified') {
      throw new ConflictError(
        `${domain} is not a verified domain of ${scopeName(scope)}; add and verify it before naming it in an SSO connection`,
        { extra: { domain } },
      );
    }
    const other = claim.ssoConnectionIds.find((id) => id !== connectionId);
    if (other) {
      throw new ConflictError(`${domain} is already served by SSO connection ${other}`, {
        extra: { domain, ssoConnectionId: other },
      });
    }
  }
}

const changed = (what: string) => `${what} changed meanwhile; read it again and retry`;

/** The writes that point a claim (and its sign-in copy) at a new set of connections. */
function relinkClaim(scope: ScopeContext, claim: DomainClaimRecord, ids: string[]): Write[] {
  const after: DomainClaimRecord = { ...claim, ssoConnectionIds: ids };
  return [
    { kind: 'updateClaim', before: claim, after, conflict: changed(claim.domain) },
    ...(claim.status === 'verified'
      ? [
          {
            kind: 'updateVerified',
            domain: claim.domain,
            scope: scope.ref,
            ssoConnectionIds: ids,
            conflict: changed(claim.domain),
          } satisfies Write,
        ]
      : []),
  ];
}

const providerTaken = (name: string) =>
  `The provider name ${name} is already used by another SSO connection`;

const ownConfig = (scope: ScopeContext, delta: 1 | -1): Write[] =>
  scope.type === 'org'
    ? [
        {
          kind: 'orgCounters',
          orgId: scope.org.id,
          ownConfig: delta,
          conflict: `Org ${scope.org.name} has just been moved into a company; manage its SSO connections there`,
        },
      ]
    : [];

/** `POST /v1/{scope}/sso-connections`. */
export async function createConnection(
  ctx: Ctx,
  scope: ScopeContext,
  body: Required<Pick<ConnectionInput, 'name' | 'providerName' | 'domains'>> & ConnectionInput,
): Promise<SsoConnectionView> {
  checkProviderName(body.providerName);
  const domains = connectionDomains(body.domains);
  const org = await defaultOrg(ctx, scope, body.defaultOrgId);
  const claims = await ctx.deps.store.getClaims(scope.ref, domains);
  checkDomainsServable(scope, domains, claims, null);
  const connection: ConnectionRecord = {
    id: ctx.deps.newId(),
    name: body.name,
    providerName: body.providerName,
    scope: scope.ref,
    domains,
    jit: body.jit ?? true,
    scim: body.scim ?? false,
    defaultOrg: org,
    defaultTeam: body.defaultTeam ?? null,
    createdAt: ctx.at,
    rev: 1,
  };
  await ctx.deps.store.apply([
    { kind: 'putConnection', connection },
    { kind: 'putProvider', connection, conflict: providerTaken(connection.providerName) },
    ...domains.flatMap((d) => relinkClaim(scope, claims.get(d)!, [connection.id])),
    ...ownConfig(scope, 1),
    {
      kind: 'event',
      event: newEvent(ctx, scope, 'sso_connection_created', connection.id, {
        name: connection.name,
        providerName: connection.providerName,
        domains,
        jit: connection.jit,
        scim: connection.scim,
        defaultOrgId: org.id,
        defaultTeam: connection.defaultTeam,
      }),
    },
  ]);
  return connectionView(connection);
}

async function requireConnection(
  ctx: Ctx,
  scope: ScopeContext,
  id: string,
): Promise<ConnectionRecord> {
  const connection = await ctx.deps.store.getConnection(scope.ref, id);
  if (!connection) throw new NotFoundError(`SSO connection ${id} not found in ${scopeName(scope)}`);
  return connection;
}

/** What an update changes, field by field (`{from, to}`), for the event and the no-op check. */
export function connectionChanges(
  before: ConnectionRecord,
  after: ConnectionRecord,
): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  const fields = ['name', 'providerName', 'jit', 'scim', 'defaultTeam'] as const;
  for (const f of fields)
    if (before[f] !== after[f]) changes[f] = { from: before[f], to: after[f] };
  if (before.defaultOrg.id !== after.defaultOrg.id) {
    changes.defaultOrgId = { from: before.defaultOrg.id, to: after.defaultOrg.id };
  }
  if (before.domains.join(',') !== after.domains.join(',')) {
    changes.domains = { from: before.domains, to: after.domains };
  }
  return changes;
}

/**
 * The writes of an update: the connection (optimistically locked by `rev`), its provider copy
 * (a rename deletes the old name and claims the new one), and the claims of added and removed
 * domains with their sign-in copies.
 */
export function planConnectionUpdate(
  ctx: Ctx,
  scope: ScopeContext,
  before: ConnectionRecord,
  after: ConnectionRecord,
  claims: ReadonlyMap<string, DomainClaimRecord>,
): Write[] {
  const writes: Write[] = [
    { kind: 'putConnection', connection: after, conflict: changed(`SSO connection ${before.id}`) },
  ];
  if (before.providerName !== after.providerName) {
    writes.push(
      {
        kind: 'deleteProvider',
        providerName: before.providerName,
        connectionId: before.id,
        conflict: changed(`SSO connection ${before.id}`),
      },
      { kind: 'putProvider', connection: after, conflict: providerTaken(after.providerName) },
    );
  } else {
    writes.push({
      kind: 'putProvider',
      connection: after,
      conflict: changed(`SSO connection ${before.id}`),
    });
  }
  for (const d of after.domains) {
    if (before.domains.includes(d)) continue;
    writes.push(...relinkClaim(scope, claims.get(d)!, [after.id]));
  }
  for (const d of before.domains) {
    if (after.domains.includes(d)) continue;
    const claim = claims.get(d);
    if (!claim) continue; // removed from the scope already
    writes.push(
      ...relinkClaim(
        scope,
        claim,
        claim.ssoConnectionIds.filter((id) => id !== before.id),
      ),
    );
  }
  writes.push({
    kind: 'event',
    event: newEvent(ctx, scope, 'sso_connection_updated', before.id, {
      changes: connectionChanges(before, after),
    }),
  });
  return writes;
}

/** `PATCH /v1/{scope}/sso-connections/{id}`: any of the create fields. */
export async function updateConnection(
  ctx: Ctx,
  scope: ScopeContext,
  id: string,
  patch: ConnectionInput,
): Promise<SsoConnectionView> {
  const before = await requireConnection(ctx, scope, id);
  if (patch.providerName !== undefined) checkProviderName(patch.providerName);
  const domains = patch.domains !== undefined ? connectionDomains(patch.domains) : before.domains;
  const org =
    patch.defaultOrgId !== undefined
      ? await defaultOrg(ctx, scope, patch.defaultOrgId)
      : before.defaultOrg;
  const after: ConnectionRecord = {
    ...before,
    name: patch.name ?? before.name,
    providerName: patch.providerName ?? before.providerName,
    domains,
    jit: patch.jit ?? before.jit,
    scim: patch.scim ?? before.scim,
    defaultOrg: org,
    defaultTeam: patch.defaultTeam !== undefined ? patch.defaultTeam : before.defaultTeam,
    rev: before.rev + 1,
  };
  if (Object.keys(connectionChanges(before, after)).length === 0) return connectionView(before);
  const touched = [...new Set([...before.domains, ...domains])];
  const claims = await ctx.deps.store.getClaims(scope.ref, touched);
  checkDomainsServable(
    scope,
    domains.filter((d) => !before.domains.includes(d)),
    claims,
    before.id,
  );
  await ctx.deps.store.apply(planConnectionUpdate(ctx, scope, before, after, claims));
  return connectionView(after);
}

/** `DELETE /v1/{scope}/sso-connections/{id}`: its domains are served by no connection afterwards. */
export async function deleteConnection(ctx: Ctx, scope: ScopeContext, id: string): Promise<void> {
  const connection = await requireConnection(ctx, scope, id);
  const claims = await ctx.deps.store.getClaims(scope.ref, connection.domains);
  const writes: Write[] = [
    {
      kind: 'deleteConnection',
      scope: scope.ref,
      id,
      rev: connection.rev,
      conflict: changed(`SSO connection ${id}`),
    },
    {
      kind: 'deleteProvider',
      providerName: connection.providerName,
      connectionId: id,
      conflict: changed(`SSO connection ${id}`),
    },
  ];
  for (const claim of claims.values()) {
    if (!claim.ssoConnectionIds.includes(id)) continue;
    writes.push(
      ...relinkClaim(
        scope,
        claim,
        claim.ssoConnectionIds.filter((c) => c !== id),
      ),
    );
  }
  writes.push(...ownConfig(scope, -1), {
    kind: 'event',
    event: newEvent(ctx, scope, 'sso_connection_deleted', id, {
      name: connection.name,
      providerName: connection.providerName,
      domains: connection.domains,
    }),
  });
  await ctx.deps.store.apply(writes);
}

export async function listConnections(
  ctx: Ctx,
  scope: ScopeContext,
  page: PageRequest,
): Promise<Page<SsoConnectionView>> {
  const out = await ctx.deps.store.listConnections(scope.ref, page);
  return { items: out.items.map(connectionView), nextCursor: out.nextCursor };
}
