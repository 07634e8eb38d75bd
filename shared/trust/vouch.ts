/**
 * SPEC §8, the one trust decision: whom a set of identity attributes vouches for.
 *
 * Every door asks this function and nothing else: the sign-in decision (Cognito trigger and
 * HTTP hook, shared/sign-in/decide.ts), the admin API's caller (shared/admin/http/caller.ts), the
 * `orgs` token claim (functions/pre-token/handler.ts), SCIM's membership effects
 * (shared/scim/provisioning.ts) and SSO enforcement. Pure: the door reads the connection that
 * names the identity's provider (when `needsConnection` says so) and hands it in.
 *
 * The rule:
 * - a password user (no federated provider) is trusted when the email is verified;
 * - a Cognito social provider is trusted when it says the email is verified;
 * - a connection's provider is trusted for an email on that connection's verified domains
 *   only, whatever it says about verification (a connection with no domain is inactive and
 *   vouches for nobody);
 * - any other federated provider (no connection names it) vouches for nobody.
 *
 * The attacker table in test/unit/trust/vouch.test.ts runs every case; test/integration/
 * trust-doors.test.ts runs the same attackers through every door.
 */
import { type NormalisedEmail, normaliseEmail } from '../domains/normalise.ts';
import type { Connection } from '../model/types.ts';

/**
 * Cognito's built-in social providers. Their `email_verified` is the provider's word; any other
 * federated provider is either an SSO connection's or proves nothing about the address.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-social-idp.html
 */
export const SOCIAL_PROVIDERS: ReadonlySet<string> = new Set([
  'Google',
  'Facebook',
  'LoginWithAmazon',
  'SignInWithApple',
]);

/** What a door knows of an identity, as the token, trigger event or signed hook body says. */
export interface IdentityClaims {
  /** The email as claimed (normalised here). */
  email: unknown;
  /** Whether the claims say the email is verified (the door parses its own encoding strictly). */
  emailVerified: boolean;
  /**
   * The primary federated provider's name; `null` for a user with no federated identity (a
   * password user); `undefined` when the identities could not be read (fails closed).
   */
  provider: string | null | undefined;
}

/** Why an identity vouches for nobody. */
export type DistrustReason =
  /** No usable email. */
  | 'no_email'
  /** Identities present but unreadable: nothing can be said of the provider. */
  | 'unreadable_identities'
  /** A password user or a social provider whose email is not verified. */
  | 'email_not_verified'
  /** A federated provider that is not social and that no SSO connection names. */
  | 'unbound_provider'
  /** A connection's provider asserting an email outside the connection's verified domains. */
  | 'outside_connection_domains';

export type Vouch =
  | {
      trusted: true;
      email: string;
      domain: string;
      /** How the address was proven. */
      via: 'password' | 'social' | 'connection';
      /** The connection whose provider vouched (`via: 'connection'` only). */
      connection: Connection | undefined;
    }
  | {
      trusted: false;
      reason: DistrustReason;
      /** A sentence for the person or the log, naming what was not proven. */
      message: string;
      /** The normalised email, when there was one (for audit records only, never for writes). */
      email: NormalisedEmail | undefined;
      /** The connection that names the provider, when one does (its sign-in is denied). */
      connection: Connection | undefined;
    };

/** A federated provider that is not one of Cognito's social providers. */
export const isEnterpriseProvider = (provider: string | null | undefined): provider is string =>
  !!provider && !SOCIAL_PROVIDERS.has(provider);

/** Whether the door must look up the connection naming `provider` before asking `vouch`. */
export const needsConnection = isEnterpriseProvider;

/** Whether a connection's provider speaks for an address on `domain` (SPEC §8, §10). */
export const connectionServes = (connection: Pick<Connection, 'domains'>, domain: string) =>
  connection.domains.includes(domain);

/**
 * SPEC §8: whom `claims` vouch for. `connection` is the SSO connection that names
 * `claims.provider` (undefined when none does, or when the provider is not federated).
 */
export function vouch(claims: IdentityClaims, connection: Connection | undefined): Vouch {
  const email = normaliseEmail(claims.email);
  const distrust = (reason: DistrustReason, message: string): Vouch => ({
    trusted: false,
    reason,
    message,
    email,
    connection:
      isEnterpriseProvider(claims.provider) && connection?.providerName === claims.provider
        ? connection
        : undefined,
  });
  if (!email) return distrust('no_email', 'The identity carries no usable email address');
  const provider = claims.provider;
  if (provider === undefined) {
    return distrust('unreadable_identities', "The identity's providers could not be read");
  }
  if (!isEnterpriseProvider(provider)) {
    if (!claims.emailVerified) {
      return distrust(
        'email_not_verified',
        provider
          ? `${provider} has not verified the email address`
          : 'The email address is not verified',
      );
    }
    return {
      trusted: true,
      email: email.email,
      domain: email.domain,
      via: provider ? 'social' : 'password',
      connection: undefined,
    };
  }
  if (!connection || connection.providerName !== provider) {
    return distrust(
      'unbound_provider',
      `The identity comes from provider ${provider}, which no SSO connection names: it vouches for no email address`,
    );
  }
  if (!connectionServes(connection, email.domain)) {
    return distrust(
      'outside_connection_domains',
      `Identity provider ${provider} speaks only for the verified domains of SSO connection "${connection.name}", not for ${email.domain}`,
    );
  }
  return { trusted: true, email: email.email, domain: email.domain, via: 'connection', connection };
}

/**
 * The primary provider's name in Cognito's `identities` attribute (a JSON array, or its text);
 * `null` when there is none (a password user). Unreadable identities are reported as
 * `undefined`: the door must fail closed.
 */
export function primaryProvider(identities: unknown): string | null | undefined {
  if (identities === undefined || identities === null || identities === '') return null;
  let parsed: unknown = identities;
  if (typeof identities === 'string') {
    try {
      parsed = JSON.parse(identities);
    } catch {
      return undefined;
    }
  }
  // Cognito sets no `identities` for a password user; an empty or odd array is not that.
  if (!Array.isArray(parsed) || parsed.length === 0) return undefined;
  const entries = parsed.filter(
    (e): e is Record<string, unknown> => typeof e === 'object' && e !== null,
  );
  const primary = entries.find((e) => e.primary === true || e.primary === 'true') ?? entries[0];
  const name = primary?.providerName;
  return typeof name === 'string' && name.trim() ? name.trim() : undefined;
}

/** Cognito's `email_verified` as attributes and tokens carry it: `"true"` or `true` only. */
export const isVerifiedFlag = (value: unknown): boolean => value === true || value === 'true';

/** Cognito user attributes (a trigger event's, or a token's claims) → the claims `vouch` reads. */
export const cognitoIdentity = (attributes: {
  email?: unknown;
  email_verified?: unknown;
  identities?: unknown;
}): IdentityClaims => ({
  email: attributes.email,
  emailVerified: isVerifiedFlag(attributes.email_verified),
  provider: primaryProvider(attributes.identities),
});
