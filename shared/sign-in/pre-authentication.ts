/**
 * SPEC §12 at Cognito's PreAuthentication and PreSignUp triggers: what SSO enforcement says of
 * a password, social or other provider's sign-in (or a self-service sign-up) before it
 * authenticates, and what that records. Pure: the trigger reads the verified-domain item of the
 * email's domain (one GetItem), asks `decidePreAuthentication`, logs `records` and `markers` as
 * one record line (`ENFORCEMENT_RECORD`) and throws `refusal` when there is one; the enforcement
 * recorder, which the log subscription hands the line, writes `records` in one transaction and
 * each of `markers` on its own. Every record is guarded by a notice, so a line delivered twice
 * is written once.
 *
 * Cognito runs PreAuthentication before it checks the password, so anyone who knows an address
 * can make it refuse: a refusal is recorded at most once per address and connection an hour
 * (a throttled notice, as report mode's), and it marks no sign-in without SSO.
 */
import type { VerifiedDomain } from '../model/types.ts';
import { SYSTEM_ACTOR } from '../model/types.ts';
import type { Write } from '../model/writes.ts';
import { type EnforcementDecision, enforce } from '../trust/enforcement.ts';
import { isEnterpriseProvider } from '../trust/vouch.ts';
import { NOTICE_QUIET_MS } from './decide.ts';

/**
 * What the trigger is asked: `sign-in` (PreAuthentication), `sign-up` (a self-service
 * `PreSignUp_SignUp`), or `exempt` (`PreSignUp_ExternalProvider`, an operator's
 * `PreSignUp_AdminCreateUser`: never refused, nothing read).
 */
export type PreAuthenticationKind = 'sign-in' | 'sign-up' | 'exempt';

/** The trigger sources of PreAuthentication and PreSignUp, as Cognito names them. */
export function preAuthenticationKind(triggerSource: string): PreAuthenticationKind {
  if (triggerSource === 'PreSignUp_SignUp') return 'sign-up';
  if (triggerSource.startsWith('PreAuthentication_')) return 'sign-in';
  return 'exempt';
}

export interface PreAuthentication {
  kind: PreAuthenticationKind;
  /** The normalised email. */
  email: string;
  /**
   * The primary federated provider; `null` for a password user (a PreAuthentication's usual
   * case); `undefined` when the identities could not be read (not the SSO sign-in, then).
   */
  provider: string | null | undefined;
}

export interface PreAuthenticationOutcome {
  decision: EnforcementDecision;
  /** The error message to throw (Cognito shows it), when the sign-in is refused. */
  refusal: string | undefined;
  /**
   * What to record, in one transaction. A report's notice fails its condition when the person
   * was reported within 24 h, a refusal's when the address was refused through the same
   * connection within the hour, a break-glass sign-in's when this very sign-in was recorded
   * already: the whole transaction is then refused, and nothing is recorded.
   */
  records: Write[];
  /**
   * No-lockout markers (SPEC §12), each written on its own: at most one a day succeeds. None
   * for a refusal.
   */
  markers: Write[];
}

/** The record line's kind (shared/observability.ts `logRecord`; functions/registry.ts). */
export const ENFORCEMENT_RECORD = 'sso-enforcement';

/** The writes a record line may carry: the recorder writes nothing else. */
export const RECORDED_KINDS = ['event', 'putNotice', 'outbox', 'markNonSsoSignIn'] as const;

/** How long a refusal's record (`sign_in_denied`) stays quiet for an address and connection. */
export const REFUSAL_QUIET_MS = 60 * 60 * 1000;

/** The day of `at` (UTC), as markers carry it. */
export const dayOf = (at: Date): string => at.toISOString().slice(0, 10);

/**
 * SPEC §12: what the trigger does with a sign-in or sign-up of `p` on `domain` (its verified
 * item, as read; undefined when the domain is not verified anywhere).
 */
export function decidePreAuthentication(
  p: PreAuthentication,
  domain: VerifiedDomain | undefined,
  ctx: { now: Date; newId: () => string },
): PreAuthenticationOutcome {
  const decision: EnforcementDecision =
    p.kind === 'exempt' ? { action: 'allow' } : enforce(p.email, p.provider, domain?.enforcement);
  const at = ctx.now.toISOString();
  const records: Write[] = [];
  const event = (
    type: 'sign_in_denied' | 'sso_enforcement_bypassed' | 'sso_enforcement_would_deny',
    details: Record<string, unknown>,
  ) => {
    const e = decision.action === 'allow' ? undefined : decision.enforcement;
    if (!e) return;
    records.push({
      kind: 'event',
      event: {
        id: ctx.newId(),
        at,
        type,
        orgId: e.defaultOrg.id,
        companyId: e.companyId,
        actor: SYSTEM_ACTOR,
        subject: p.email,
        details: { connection: e.connectionName, provider: p.provider ?? null, ...details },
      },
    });
  };
  const via = p.kind === 'sign-up' ? { via: 'sign-up' } : {};
  let refusal: string | undefined;
  switch (decision.action) {
    case 'deny': {
      refusal = decision.message;
      // The notice's condition fails within the hour: the whole record is then refused.
      records.push({
        kind: 'putNotice',
        email: p.email,
        notice: 'sso-denied',
        orgId: decision.enforcement.connectionId,
        at,
        cutoff: new Date(ctx.now.getTime() - REFUSAL_QUIET_MS).toISOString(),
      });
      event('sign_in_denied', { reason: 'sso_required', message: decision.message, ...via });
      break;
    }
    case 'report': {
      const e = decision.enforcement;
      records.push({
        kind: 'putNotice',
        email: p.email,
        notice: 'sso-would-deny',
        orgId: e.defaultOrg.id,
        at,
        cutoff: new Date(ctx.now.getTime() - NOTICE_QUIET_MS).toISOString(),
      });
      event('sso_enforcement_would_deny', via);
      break;
    }
    case 'bypass': {
      // A sign-up is no sign-in: the break-glass owner's password sign-in that follows is told.
      if (p.kind !== 'sign-in') break;
      const e = decision.enforcement;
      // Not a throttle: its condition refuses only this same record written a second time.
      records.push({
        kind: 'putNotice',
        email: p.email,
        notice: 'sso-bypassed',
        orgId: e.connectionId,
        at,
        cutoff: at,
      });
      event('sso_enforcement_bypassed', {});
      records.push({
        kind: 'outbox',
        notification: {
          id: ctx.newId(),
          at,
          type: 'sso_enforcement_bypassed',
          orgId: e.defaultOrg.id,
          orgName: e.defaultOrg.name,
          companyId: e.companyId,
          email: p.email,
          name: null,
          details: { connectionName: e.connectionName, provider: p.provider ?? null },
        },
      });
      break;
    }
    case 'allow':
      break;
  }
  const markers = decision.action === 'deny' ? [] : markersOf(p, domain, dayOf(ctx.now));
  return { decision, refusal, records, markers };
}

/**
 * SPEC §12 no lockout: a sign-in without SSO let through on a domain an SSO connection serves
 * (enforcement `off`, `report`, or a break-glass owner's under `on`) marks the day for each such
 * connection; a refused one is no sign-in and marks nothing. A sign-in through the
 * enforcing connection's own provider is the SSO sign-in; so, presumably, is one through any
 * enterprise provider while the domain's item names no enforcing provider to compare with
 * (Cognito runs no PreAuthentication for federated sign-ins in any case).
 */
function markersOf(p: PreAuthentication, domain: VerifiedDomain | undefined, on: string): Write[] {
  if (p.kind !== 'sign-in' || !domain?.ssoConnectionIds.length) return [];
  const enforcing = domain.enforcement?.providerName;
  if (enforcing ? p.provider === enforcing : isEnterpriseProvider(p.provider)) return [];
  return domain.ssoConnectionIds.map((connectionId) => ({
    kind: 'markNonSsoSignIn',
    connectionId,
    email: p.email,
    on,
  }));
}
