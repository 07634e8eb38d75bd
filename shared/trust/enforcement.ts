/**
 * SPEC §12, SSO enforcement: whether an identity must sign in through its domain's SSO
 * connection. Pure, beside the trust rule (vouch.ts): a door reads the verified-domain item of
 * the email's domain (one GetItem; it mirrors the serving connection's enforcement) and asks
 * `enforce`. The doors: Cognito PreAuthentication and PreSignUp, the pre-token trigger on a
 * refresh, the HTTP hook and the admin API's caller.
 *
 * - No enforcement on the domain (no connection, `off`, or a connection left with no domain):
 *   allow.
 * - A sign-in through the enforcing connection's own provider: allow (it is the SSO sign-in).
 * - Any other sign-in (password, social, another provider) of an address on the domain:
 *   `report` mode records that it would be refused and refuses nothing; `on` refuses it
 *   (`SSO required`), unless the address is one of the connection's break-glass owners
 *   (`bypass`: let through, recorded, owners told).
 *
 * People outside the connection's domains never meet it (the domain item is theirs).
 */
import type { DomainEnforcement } from '../model/types.ts';

export type EnforcementDecision =
  | { action: 'allow' }
  | { action: 'report'; enforcement: DomainEnforcement }
  | { action: 'bypass'; enforcement: DomainEnforcement }
  | { action: 'deny'; enforcement: DomainEnforcement; message: string };

/** The start of every refusal's message, as Cognito shows it and the API answers it. */
export const SSO_REQUIRED = 'SSO required';

/** The refusal a person meets at a door of an enforced domain. */
export const ssoRequiredMessage = (e: Pick<DomainEnforcement, 'connectionName'>): string =>
  `${SSO_REQUIRED}: sign in with ${e.connectionName}, your organization's single sign-on.`;

/**
 * SPEC §12: what enforcement says of a sign-in of `email` (normalised) through `provider`
 * (`null`: a password user), given the enforcement its domain's item mirrors.
 */
export function enforce(
  email: string,
  provider: string | null | undefined,
  enforcement: DomainEnforcement | null | undefined,
): EnforcementDecision {
  if (!enforcement) return { action: 'allow' };
  if (provider && provider === enforcement.providerName) return { action: 'allow' };
  if (enforcement.mode === 'report') return { action: 'report', enforcement };
  if (enforcement.breakGlass.includes(email)) return { action: 'bypass', enforcement };
  return { action: 'deny', enforcement, message: ssoRequiredMessage(enforcement) };
}

/** At most this many break-glass owners per connection (SPEC §12). */
export const MAX_BREAK_GLASS = 3;

/** How far back a sign-in through the connection must be for `on` to be allowed (no lockout). */
export const RECENT_SSO_SIGN_IN_DAYS = 30;
