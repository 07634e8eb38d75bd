/**
 * Domains and auto-provisioning at org or company scope (SPEC §1, §5). Every change to a
 * claim's verification, auto-provisioning or SSO connections rewrites the sign-in's copy
 * (`DOMAIN#<d>/VERIFIED`) in the same transaction, and only one scope may hold that copy.
 */

import { normaliseDomain } from '../domains/normalise.ts';
import {
  checkClaimableDomain,
  describeTxtMiss,
  matchTxt,
  nextCheck,
  txtValue,
} from '../domains/rules.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { ConnectionRecord, DomainClaimRecord, ScopeContext, Write } from '../model/writes.ts';
import { type Ctx, domainView, listOf, newEvent, newNotification, scopeName } from './context.ts';
import { planDomainDetach } from './domain-loss.ts';
import type { DomainView } from './schemas.ts';
import { ownConfig } from './sso.ts';

/** A domain named in a path: normalised; 400 naming `domain` when it is not one. */
export function domainParam(raw: string): string {
  const domain = normaliseDomain(raw);
  if (!domain) throw new ValidationError('domain', 'is not a domain name');
  return domain;
}

/** The scope's claim of the domain a path names (`domainParam`); 404 when it has none. */
async function requireClaim(
  ctx: Ctx,
  scope: ScopeContext,
  rawDomain: string,
): Promise<DomainClaimRecord> {
  const domain = domainParam(rawDomain);
  const claim = await ctx.deps.store.getClaim(scope.ref, domain);
  if (!claim) throw new NotFoundError(`${domain} is not a domain of ${scopeName(scope)}`);
  return claim;
}

const changedMeanwhile = (domain: string) =>
  `${domain} changed meanwhile (another change or the domain checker); read it again and retry`;

/** `POST /v1/{scope}/domains`: a pending claim with a fresh verification value. */
export async function addDomain(
  ctx: Ctx,
  scope: ScopeContext,
  body: { domain: string },
): Promise<DomainView> {
  const checked = await checkClaimableDomain(body.domain);
  if (!checked.ok) throw new ValidationError('domain', checked.refusal.message);
  const domain = checked.domain;
  const now = new Date(ctx.at);
  const claim: DomainClaimRecord = {
    domain,
    scope: scope.ref,
    status: 'pending',
    txtValue: txtValue(ctx.deps.newToken()),
    autoProvisioning: { enabled: false, orgId: null },
    ssoConnectionIds: [],
    addedAt: ctx.at,
    verifiedAt: null,
    missingSince: null,
    nextCheckAt: nextCheck(now, 'pending'),
  };
  await ctx.deps.store.apply([
    {
      kind: 'putClaim',
      claim,
      conflict: `${domain} is already a domain of ${scopeName(scope)}`,
    },
    ...ownConfig(scope, 1, 'domains and SSO connections'),
    { kind: 'event', event: newEvent(ctx, scope, 'domain_added', domain) },
  ]);
  return domainView(claim);
}

export const listDomains = listOf(
  (store, scope: ScopeContext, page) => store.listClaims(scope.ref, page),
  domainView,
);

/** The name of the org that auto-provisioning targets, for the sign-in's copy. */
async function targetOrgName(ctx: Ctx, scope: ScopeContext, orgId: string): Promise<string> {
  if (scope.type === 'org' && scope.org.id === orgId) return scope.org.name;
  const org = await ctx.deps.store.getOrg(orgId);
  return org?.name ?? '';
}

/**
 * `POST /v1/{scope}/domains/{domain}/verify`: looks the TXT record up now (no cached answers).
 * 200 with the verified domain, or 409 saying what was found.
 */
export async function verifyDomain(
  ctx: Ctx,
  scope: ScopeContext,
  rawDomain: string,
): Promise<DomainView> {
  const claim = await requireClaim(ctx, scope, rawDomain);
  const domain = claim.domain;
  const records = await ctx.deps.lookupTxt(domain);
  const match = matchTxt(records, claim.txtValue);
  if (!match.verified) {
    throw new ConflictError(describeTxtMiss(domain, claim.txtValue, match.found), {
      extra: { expected: { name: domain, value: claim.txtValue }, found: match.found },
    });
  }
  if (claim.status === 'verified') return domainView(claim);
  return domainView(await markVerified(ctx, scope, claim));
}

/**
 * Turns a pending claim whose TXT record was just found into a verified one, in one
 * transaction: the claim (condition: as read), the sign-in's copy (one verifier per domain: 409
 * when another org or company holds it), a `domain_verified` event and the owners'
 * notification. The verify route and the domain checker both verify through here, with
 * `ctx.caller` the admin or the checker. Resolves with the claim as it now is.
 */
export async function markVerified(
  ctx: Ctx,
  scope: ScopeContext,
  claim: DomainClaimRecord,
): Promise<DomainClaimRecord> {
  const domain = claim.domain;
  const after: DomainClaimRecord = {
    ...claim,
    status: 'verified',
    verifiedAt: ctx.at,
    missingSince: null,
    nextCheckAt: nextCheck(new Date(ctx.at), 'verified'),
  };
  const ap = claim.autoProvisioning;
  const apCopy =
    ap.enabled && ap.orgId
      ? { orgId: ap.orgId, orgName: await targetOrgName(ctx, scope, ap.orgId) }
      : null;
  await ctx.deps.store.apply([
    { kind: 'updateClaim', before: claim, after, conflict: changedMeanwhile(domain) },
    {
      kind: 'putVerified',
      domain,
      scope: scope.ref,
      autoProvisioning: apCopy,
      ssoConnectionIds: after.ssoConnectionIds,
      verifiedAt: ctx.at,
      conflict: `${domain} is already verified by another org or company; a domain has one verifier at a time`,
    },
    { kind: 'event', event: newEvent(ctx, scope, 'domain_verified', domain) },
    {
      kind: 'outbox',
      notification: newNotification(
        ctx,
        scope,
        'domain_verified',
        { email: ctx.caller.email, name: null },
        { domain },
      ),
    },
  ]);
  return after;
}

/**
 * `PUT /v1/{scope}/domains/{domain}/auto-provisioning`. At org scope the target is the org
 * itself; at company scope `orgId` names one of the company's orgs.
 */
export async function setAutoProvisioning(
  ctx: Ctx,
  scope: ScopeContext,
  rawDomain: string,
  body: { enabled: boolean; orgId?: string | null | undefined },
): Promise<DomainView> {
  const claim = await requireClaim(ctx, scope, rawDomain);
  const domain = claim.domain;
  let target: { id: string; name: string } | null = null;
  if (body.enabled) {
    if (scope.type === 'org') {
      if (body.orgId && body.orgId !== scope.org.id) {
        throw new ValidationError('orgId', `must be this org's id (${scope.org.id}) or left out`);
      }
      target = { id: scope.org.id, name: scope.org.name };
    } else {
      if (!body.orgId) throw new ValidationError('orgId', 'is required at company scope');
      const org = await ctx.deps.store.getOrg(body.orgId);
      if (!org || org.companyId !== scope.company.id) {
        throw new ValidationError('orgId', `is not an org of company ${scope.company.name}`);
      }
      target = { id: org.id, name: org.name };
    }
    if (claim.status !== 'verified') {
      throw new ConflictError(
        `${domain} is not verified yet; verify it before enabling auto-provisioning`,
      );
    }
  }
  const next = target ? { enabled: true, orgId: target.id } : { enabled: false, orgId: null };
  const current = claim.autoProvisioning;
  if (current.enabled === next.enabled && (!next.enabled || current.orgId === next.orgId)) {
    return domainView(claim);
  }
  const after: DomainClaimRecord = { ...claim, autoProvisioning: next };
  await ctx.deps.store.apply([
    { kind: 'updateClaim', before: claim, after, conflict: changedMeanwhile(domain) },
    ...(claim.status === 'verified'
      ? [
          {
            kind: 'updateVerified',
            domain,
            scope: scope.ref,
            autoProvisioning: target ? { orgId: target.id, orgName: target.name } : null,
            conflict: changedMeanwhile(domain),
          } satisfies Write,
        ]
      : []),
    {
      kind: 'event',
      event: target
        ? newEvent(ctx, scope, 'auto_provisioning_enabled', domain, {
            orgId: target.id,
            orgName: target.name,
          })
        : newEvent(ctx, scope, 'auto_provisioning_disabled', domain, {
            orgId: current.orgId,
          }),
    },
  ]);
  return domainView(after);
}

/**
 * The writes of removing a domain: the claim, the sign-in's copy when this scope verified it,
 * and the domain detached from the SSO connections that served it (SPEC §8, `planDomainDetach`).
 */
export function planDomainRemoval(
  ctx: Ctx,
  scope: ScopeContext,
  claim: DomainClaimRecord,
  connections: ConnectionRecord[],
): Write[] {
  const writes: Write[] = [
    {
      kind: 'deleteClaim',
      claim,
      conflict: changedMeanwhile(claim.domain),
    },
  ];
  if (claim.status === 'verified') {
    writes.push({
      kind: 'deleteVerified',
      domain: claim.domain,
      scope: scope.ref,
      conflict: changedMeanwhile(claim.domain),
    });
  }
  writes.push(...planDomainDetach(ctx, scope, claim.domain, connections, 'domain_removed'));
  writes.push(...ownConfig(scope, -1, 'domains and SSO connections'));
  if (claim.autoProvisioning.enabled) {
    writes.push({
      kind: 'event',
      event: newEvent(ctx, scope, 'auto_provisioning_disabled', claim.domain, {
        orgId: claim.autoProvisioning.orgId,
        reason: 'domain_removed',
      }),
    });
  }
  writes.push({
    kind: 'event',
    event: newEvent(ctx, scope, 'domain_removed', claim.domain, {
      status: claim.status,
      autoProvisioningDisabled: claim.autoProvisioning.enabled,
      detachedFrom: connections.filter((c) => c.domains.includes(claim.domain)).map((c) => c.id),
    }),
  });
  return writes;
}

/** `DELETE /v1/{scope}/domains/{domain}`. */
export async function removeDomain(
  ctx: Ctx,
  scope: ScopeContext,
  rawDomain: string,
): Promise<void> {
  const claim = await requireClaim(ctx, scope, rawDomain);
  const connections = await ctx.deps.store.getConnections(scope.ref, claim.ssoConnectionIds);
  await ctx.deps.store.apply(planDomainRemoval(ctx, scope, claim, connections));
}
