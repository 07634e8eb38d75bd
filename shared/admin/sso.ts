/**
 * SSO connections at org or company scope (SPEC §1, §5, §8). A connection serves domains the
 * scope has verified (409 otherwise), each domain at most one connection; its copy under the
 * provider name (`PROVIDER#<name>`, read by the sign-in) and the `VERIFIED` copies of its
 * domains are rewritten in the same transaction as the connection, so the sign-in never sees
 * them drift.
 *
 * Who names a provider (§8): Provisio creates the connection's identity provider from the IdP's
 * settings, under a name derived from the connection, or the connection names a provider the
 * operator bound to this very scope. No tenant can make a connection answer for any other
 * provider. The provider is created, updated or deleted before the transaction (so refused
 * settings write nothing), and a created provider whose transaction then fails is deleted again.
 */

import { normaliseDomain } from '../domains/normalise.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { DomainEnforcement, EnforcementMode } from '../model/types.ts';
import type { ConnectionRecord, DomainClaimRecord, ScopeContext, Write } from '../model/writes.ts';
import { log } from '../observability.ts';
import {
  CREATED_PROVIDER_PREFIX,
  DEFAULT_GROUPS_CLAIM,
  type IdpSettings,
  isBoundTo,
  type ProviderSource,
  providerNameFor,
} from '../sso/identity-providers.ts';
import { hashScimToken, newScimToken, scimBaseUrl } from '../sso/scim-token.ts';
import { SOCIAL_PROVIDERS } from '../trust/vouch.ts';
import { type Ctx, connectionView, listOf, newEvent, scopeName } from './context.ts';
import type { EnforcementCheckView, ScimTokenView, SsoConnectionView } from './schemas.ts';
import {
  breakGlassEmails,
  checkBreakGlassOwners,
  checkNoLockout,
  domainEnforcement,
  enforcementChange,
  enforcementChanged,
  type LockoutCheck,
  lockoutCheck,
  mirrorChanges,
  storedEnforcement,
} from './sso-enforcement.ts';

/** The create fields, as validated by the route's schema. */
export interface ConnectionInput {
  name?: string | undefined;
  /** An operator-bound provider (SPEC §8); otherwise `idp`. */
  providerName?: string | undefined;
  /** The IdP's settings: Provisio creates (or updates) the provider. */
  idp?: IdpSettings | undefined;
  domains?: string[] | undefined;
  jit?: boolean | undefined;
  scim?: boolean | undefined;
  defaultOrgId?: string | undefined;
  defaultTeam?: string | null | undefined;
  /** SPEC §12: `off` (default), `report` or `on`. */
  enforcement?: EnforcementMode | undefined;
  /** SPEC §12: owners who may still sign in with a password while enforcement is `on`. */
  breakGlass?: string[] | undefined;
}

/**
 * A provider a tenant names (SPEC §8): only one the operator bound to this scope. Social
 * providers follow the password path (SPEC §2) and can never be SSO connections.
 */
export function checkProviderName(ctx: Ctx, scope: ScopeContext, providerName: string): void {
  if (SOCIAL_PROVIDERS.has(providerName)) {
    throw new ValidationError(
      'providerName',
      `${providerName} is a social identity provider: its sign-ins follow the password path (auto-provisioning), not SSO`,
    );
  }
  if (providerName.startsWith(CREATED_PROVIDER_PREFIX)) {
    throw new ValidationError(
      'providerName',
      `names starting with ${CREATED_PROVIDER_PREFIX} belong to providers Provisio created for other connections; give your IdP's settings in idp instead`,
    );
  }
  if (!isBoundTo(ctx.deps.boundProviders, providerName, scope.ref)) {
    throw new ValidationError(
      'providerName',
      `${providerName} is not bound to ${scopeName(scope)} by the operator; give your IdP's settings in idp and Provisio creates the provider`,
    );
  }
}

const MAX_METADATA_XML = 100_000;

/**
 * What Cognito would refuse anyway, said with the field's name: one metadata source, and a
 * document that is SAML metadata for an IdP (an EntityDescriptor with an IDPSSODescriptor).
 */
export function checkIdpSettings(settings: IdpSettings): void {
  if (settings.type === 'oidc') return;
  const { metadataUrl, metadataXml } = settings;
  if (!metadataUrl === !metadataXml) {
    throw new ValidationError('idp.metadataUrl', 'give exactly one of metadataUrl and metadataXml');
  }
  if (metadataXml === undefined) return;
  const xml = metadataXml.trim();
  const root =
    /^(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<([\w.-]+:)?EntityDescriptor[\s>]/.exec(xml);
  if (
    xml.length > MAX_METADATA_XML ||
    !root ||
    !new RegExp(`</${root[1] ?? ''}EntityDescriptor>$`).test(xml) ||
    !/<([\w.-]+:)?IDPSSODescriptor[\s>]/.test(xml) ||
    !/<([\w.-]+:)?SingleSignOnService[\s/>]/.test(xml)
  ) {
    throw new ValidationError(
      'idp.metadataXml',
      `must be the SAML 2.0 metadata of an identity provider (an EntityDescriptor with an IDPSSODescriptor and a SingleSignOnService), at most ${MAX_METADATA_XML} characters`,
    );
  }
}

/** What the record keeps of the settings: never the client secret, nor a metadata document. */
export function providerSource(settings: IdpSettings): ProviderSource {
  const groupsClaim = settings.groupsClaim?.trim() || DEFAULT_GROUPS_CLAIM;
  return settings.type === 'oidc'
    ? {
        source: 'created',
        type: 'oidc',
        issuer: settings.issuer,
        clientId: settings.clientId,
        groupsClaim,
      }
    : { source: 'created', type: 'saml', metadataUrl: settings.metadataUrl ?? null, groupsClaim };
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

/**
 * The writes that point a claim (and its sign-in copy) at a new set of connections, the copy
 * mirroring the enforcement of the connection now serving it (SPEC §12; `null`: none).
 */
function relinkClaim(
  scope: ScopeContext,
  claim: DomainClaimRecord,
  ids: string[],
  enforcement: DomainEnforcement | null,
): Write[] {
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
            enforcement,
            conflict: changed(claim.domain),
          } satisfies Write,
        ]
      : []),
  ];
}

const providerTaken = (name: string) =>
  `The provider name ${name} is already used by another SSO connection`;

/**
 * An org's count of its own domains and SSO connections, moved by adding or removing one of
 * `what` in an org scope (none in a company's); it refuses the change (409) when the org has
 * just been moved into a company.
 */
export const ownConfig = (
  scope: ScopeContext,
  delta: 1 | -1,
  what: 'domains and SSO connections' | 'SSO connections',
): Write[] =>
  scope.type === 'org'
    ? [
        {
          kind: 'orgCounters',
          orgId: scope.org.id,
          ownConfig: delta,
          conflict: `Org ${scope.org.name} has just been moved into a company; manage its ${what} there`,
        },
      ]
    : [];

/** 400 unless a request names the provider one way: settings (`idp`) or a bound `providerName`. */
function oneProviderSource(body: ConnectionInput, required: boolean): void {
  if (body.idp && body.providerName !== undefined) {
    throw new ValidationError(
      'providerName',
      'give either idp (Provisio creates the provider) or an operator-bound providerName, not both',
    );
  }
  if (required && !body.idp && body.providerName === undefined) {
    throw new ValidationError(
      'idp',
      "is required: the IdP's SAML or OIDC settings (or the name of a provider the operator bound to this scope, in providerName)",
    );
  }
}

/**
 * Runs `write` after the provider was created; if the write fails, the provider goes again, so
 * a refused change leaves nothing behind in the pool.
 */
async function withCreatedProvider(
  ctx: Ctx,
  create: { providerName: string; settings: IdpSettings; domains: readonly string[] } | null,
  write: () => Promise<void>,
): Promise<void> {
  if (!create) return write();
  await ctx.deps.identityProviders.create(create);
  try {
    await write();
  } catch (error) {
    await ctx.deps.identityProviders.delete(create.providerName).catch((cleanup: unknown) =>
      log.error('identity provider left behind by a failed change', {
        providerName: create.providerName,
        error: String(cleanup),
      }),
    );
    throw error;
  }
}

/** `POST /v1/{scope}/sso-connections`. */
export async function createConnection(
  ctx: Ctx,
  scope: ScopeContext,
  body: Required<Pick<ConnectionInput, 'name' | 'domains'>> & ConnectionInput,
): Promise<SsoConnectionView> {
  oneProviderSource(body, true);
  if (body.idp) checkIdpSettings(body.idp);
  else checkProviderName(ctx, scope, body.providerName!);
  const domains = connectionDomains(body.domains);
  const org = await defaultOrg(ctx, scope, body.defaultOrgId);
  const claims = await ctx.deps.store.getClaims(scope.ref, domains);
  checkDomainsServable(scope, domains, claims, null);
  const breakGlass = breakGlassEmails(body.breakGlass ?? []);
  await checkBreakGlassOwners(ctx, scope, org, breakGlass);
  const id = ctx.deps.newId();
  const connection: ConnectionRecord = {
    id,
    name: body.name,
    providerName: body.idp ? providerNameFor(id) : body.providerName!,
    idp: body.idp ? providerSource(body.idp) : { source: 'bound' },
    scope: scope.ref,
    domains,
    jit: body.jit ?? true,
    scim: body.scim ?? false,
    defaultOrg: org,
    defaultTeam: body.defaultTeam ?? null,
    ...storedEnforcement(body.enforcement ?? 'off', breakGlass),
    createdAt: ctx.at,
    rev: 1,
  };
  // SPEC §12: a new connection has had no sign-in, so `on` is refused (no lockout).
  if (connection.enforcement === 'on') await checkNoLockout(ctx, connection);
  const create = body.idp
    ? { providerName: connection.providerName, settings: body.idp, domains }
    : null;
  await withCreatedProvider(ctx, create, () =>
    ctx.deps.store.apply([
      { kind: 'putConnection', connection },
      { kind: 'putProvider', connection, conflict: providerTaken(connection.providerName) },
      ...domains.flatMap((d) =>
        relinkClaim(scope, claims.get(d)!, [connection.id], domainEnforcement(connection)),
      ),
      ...ownConfig(scope, 1, 'SSO connections'),
      {
        kind: 'event',
        event: newEvent(ctx, scope, 'sso_connection_created', connection.id, {
          name: connection.name,
          providerName: connection.providerName,
          idp: connection.idp,
          domains,
          jit: connection.jit,
          scim: connection.scim,
          defaultOrgId: org.id,
          defaultTeam: connection.defaultTeam,
        }),
      },
      ...(enforcementChanged({}, connection)
        ? [
            {
              kind: 'event',
              event: newEvent(
                ctx,
                scope,
                'sso_enforcement_changed',
                connection.id,
                enforcementChange({}, connection),
              ),
            } satisfies Write,
          ]
        : []),
    ]),
  );
  return connectionView(connection, ctx.deps.serviceProvider);
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
  if (JSON.stringify(before.idp) !== JSON.stringify(after.idp)) {
    changes.idp = { from: before.idp, to: after.idp };
  }
  if ((before.enforcement ?? 'off') !== (after.enforcement ?? 'off')) {
    changes.enforcement = { from: before.enforcement ?? 'off', to: after.enforcement ?? 'off' };
  }
  if ((before.breakGlass ?? []).join(',') !== (after.breakGlass ?? []).join(',')) {
    changes.breakGlass = { from: before.breakGlass ?? [], to: after.breakGlass ?? [] };
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
  // SPEC §12: every domain the connection serves mirrors its enforcement; one it left, none.
  const mirror = domainEnforcement(after);
  for (const d of after.domains) {
    const claim = claims.get(d);
    if (!before.domains.includes(d)) {
      writes.push(...relinkClaim(scope, claim!, [after.id], mirror));
    } else if (claim?.status === 'verified' && mirrorChanges(before, after)) {
      writes.push({
        kind: 'updateVerified',
        domain: d,
        scope: scope.ref,
        enforcement: mirror,
        conflict: changed(d),
      });
    }
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
        null,
      ),
    );
  }
  // SPEC §10: turning SCIM off revokes the token in the same change; on again needs a new one.
  if (before.scim && !after.scim) {
    writes.push({ kind: 'deleteScimToken', connectionId: before.id, ifExists: true });
  }
  const {
    enforcement: _mode,
    breakGlass: _breakGlass,
    ...changes
  } = connectionChanges(before, after);
  if (Object.keys(changes).length > 0) {
    writes.push({
      kind: 'event',
      event: newEvent(ctx, scope, 'sso_connection_updated', before.id, {
        changes,
        ...(before.scim && !after.scim ? { scimToken: 'revoked' } : {}),
      }),
    });
  }
  if (enforcementChanged(before, after)) {
    writes.push({
      kind: 'event',
      event: newEvent(
        ctx,
        scope,
        'sso_enforcement_changed',
        before.id,
        enforcementChange(before, after),
      ),
    });
  }
  return writes;
}

/**
 * `PATCH /v1/{scope}/sso-connections/{id}`: any of the create fields. New `idp` settings update
 * the provider Provisio created (its type cannot change) or, for a connection on a bound
 * provider, create one; a bound `providerName` replaces a created provider, which is deleted.
 */
export async function updateConnection(
  ctx: Ctx,
  scope: ScopeContext,
  id: string,
  patch: ConnectionInput,
): Promise<SsoConnectionView> {
  const before = await requireConnection(ctx, scope, id);
  oneProviderSource(patch, false);
  if (patch.idp) {
    checkIdpSettings(patch.idp);
    if (before.idp.source === 'created' && before.idp.type !== patch.idp.type) {
      throw new ValidationError(
        'idp.type',
        `the provider is ${before.idp.type.toUpperCase()}; a provider's type cannot change, so create a new connection for a ${patch.idp.type.toUpperCase()} IdP`,
      );
    }
  }
  const rebinds = patch.providerName !== undefined && patch.providerName !== before.providerName;
  if (rebinds) checkProviderName(ctx, scope, patch.providerName!);
  const domains = patch.domains !== undefined ? connectionDomains(patch.domains) : before.domains;
  const org =
    patch.defaultOrgId !== undefined
      ? await defaultOrg(ctx, scope, patch.defaultOrgId)
      : before.defaultOrg;
  const breakGlass =
    patch.breakGlass !== undefined ? breakGlassEmails(patch.breakGlass) : (before.breakGlass ?? []);
  // Named owners are checked when named, and again when the default org they own changes.
  if (patch.breakGlass !== undefined || org.id !== before.defaultOrg.id) {
    await checkBreakGlassOwners(ctx, scope, org, breakGlass);
  }
  const after: ConnectionRecord = {
    ...before,
    name: patch.name ?? before.name,
    providerName: patch.idp
      ? before.idp.source === 'created'
        ? before.providerName
        : providerNameFor(before.id)
      : rebinds
        ? patch.providerName!
        : before.providerName,
    idp: patch.idp ? providerSource(patch.idp) : rebinds ? { source: 'bound' } : before.idp,
    domains,
    jit: patch.jit ?? before.jit,
    scim: patch.scim ?? before.scim,
    defaultOrg: org,
    defaultTeam: patch.defaultTeam !== undefined ? patch.defaultTeam : before.defaultTeam,
    ...storedEnforcement(patch.enforcement ?? before.enforcement ?? 'off', breakGlass),
    rev: before.rev + 1,
  };
  // New settings always reach the provider (a rotated OIDC secret changes nothing Provisio keeps).
  if (Object.keys(connectionChanges(before, after)).length === 0 && !patch.idp) {
    return connectionView(before, ctx.deps.serviceProvider);
  }
  const touched = [...new Set([...before.domains, ...domains])];
  const claims = await ctx.deps.store.getClaims(scope.ref, touched);
  checkDomainsServable(
    scope,
    domains.filter((d) => !before.domains.includes(d)),
    claims,
    before.id,
  );
  // SPEC §12 no lockout: switching to `on` needs a recent sign-in through the connection.
  const switchedOn: LockoutCheck | null =
    after.enforcement === 'on' && before.enforcement !== 'on'
      ? await checkNoLockout(ctx, after)
      : null;
  const writes = planConnectionUpdate(ctx, scope, before, after, claims);
  const idps = ctx.deps.identityProviders;
  const keepsCreated = before.idp.source === 'created' && after.idp.source === 'created';
  const providerChanges = !!patch.idp || before.domains.join(',') !== after.domains.join(',');
  if (keepsCreated && providerChanges) {
    // Before the transaction: settings the IdP or Cognito refuses change nothing.
    await idps.update({ providerName: after.providerName, settings: patch.idp, domains });
  }
  const create =
    before.idp.source !== 'created' && patch.idp
      ? { providerName: after.providerName, settings: patch.idp, domains }
      : null;
  await withCreatedProvider(ctx, create, () => ctx.deps.store.apply(writes));
  if (before.idp.source === 'created' && after.idp.source !== 'created') {
    await idps.delete(before.providerName);
  }
  const view = connectionView(after, ctx.deps.serviceProvider);
  return switchedOn ? { ...view, enforcementCheck: switchedOn } : view;
}

/**
 * `GET …/sso-connections/{id}/enforcement-check` (SPEC §12): what switching to `on` would find,
 * read before switching (the console's confirmation), without changing anything.
 */
export async function checkEnforcement(
  ctx: Ctx,
  scope: ScopeContext,
  id: string,
): Promise<EnforcementCheckView> {
  return lockoutCheck(ctx, await requireConnection(ctx, scope, id));
}

/**
 * `DELETE /v1/{scope}/sso-connections/{id}`: its domains are served by no connection afterwards.
 * A provider Provisio created is deleted first, so a failure leaves the connection to delete
 * again (deleting an absent provider is a no-op).
 */
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
        null,
      ),
    );
  }
  writes.push(...ownConfig(scope, -1, 'SSO connections'), {
    kind: 'event',
    event: newEvent(ctx, scope, 'sso_connection_deleted', id, {
      name: connection.name,
      providerName: connection.providerName,
      domains: connection.domains,
    }),
  });
  // SPEC §12: the connection's domains enforce nothing any more; say so as any switch off does.
  if ((connection.enforcement ?? 'off') !== 'off') {
    writes.push({
      kind: 'event',
      event: newEvent(ctx, scope, 'sso_enforcement_changed', id, {
        from: connection.enforcement,
        to: 'off',
        reason: 'connection_deleted',
      }),
    });
  }
  if (connection.idp.source === 'created') {
    await ctx.deps.identityProviders.delete(connection.providerName);
  }
  await ctx.deps.store.apply(writes);
}

export const listConnections = listOf(
  (store, scope: ScopeContext, page) => store.listConnections(scope.ref, page),
  (c, ctx) => connectionView(c, ctx.deps.serviceProvider),
);

/**
 * `POST …/sso-connections/{id}/scim-token` (SPEC §10): generates or rotates the connection's
 * SCIM token and returns it once, with the SCIM base URL; the table keeps only its hash.
 */
export async function createScimToken(
  ctx: Ctx,
  scope: ScopeContext,
  id: string,
  origin: string,
): Promise<ScimTokenView> {
  const connection = await requireConnection(ctx, scope, id);
  if (!connection.scim) {
    throw new ConflictError(
      `SCIM is off for SSO connection ${connection.name}: turn it on ({"scim": true}) first`,
    );
  }
  const token = newScimToken();
  await ctx.deps.store.apply([
    {
      kind: 'putScimToken',
      token: {
        connectionId: id,
        scope: scope.ref,
        tokenHash: hashScimToken(token),
        createdAt: ctx.at,
        createdBy: ctx.caller.email,
      },
    },
    {
      kind: 'event',
      event: newEvent(ctx, scope, 'sso_connection_updated', connection.name, {
        connectionId: id,
        scimToken: 'generated',
      }),
    },
  ]);
  return { token, baseUrl: scimBaseUrl(origin, id), createdAt: ctx.at };
}

/** `DELETE …/sso-connections/{id}/scim-token`: the SCIM client is locked out at once. */
export async function revokeScimToken(ctx: Ctx, scope: ScopeContext, id: string): Promise<void> {
  const connection = await requireConnection(ctx, scope, id);
  await ctx.deps.store.apply([
    {
      kind: 'deleteScimToken',
      connectionId: id,
      conflict: new NotFoundError(`SSO connection ${connection.name} has no SCIM token`),
    },
    {
      kind: 'event',
      event: newEvent(ctx, scope, 'sso_connection_updated', connection.name, {
        connectionId: id,
        scimToken: 'revoked',
      }),
    },
  ]);
}
