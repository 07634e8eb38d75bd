/**
 * The identity providers Provisio creates for SSO connections (SPEC §8): their settings, the
 * name derived from a connection, the attribute mapping, what the IdP needs to trust the pool,
 * and the port an adapter implements (Cognito, or the local stack's registry). Pure.
 */
import type { ScopeRef } from '../table/schema.ts';

/** SAML settings: the IdP's metadata, by URL or as a document (exactly one). */
export interface SamlSettings {
  type: 'saml';
  metadataUrl?: string | undefined;
  metadataXml?: string | undefined;
  /** The assertion attribute carrying groups. @default 'groups' */
  groupsClaim?: string | undefined;
}

/** OIDC settings. The client secret goes to Cognito only: Provisio never stores or returns it. */
export interface OidcSettings {
  type: 'oidc';
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The ID token claim carrying groups. @default 'groups' */
  groupsClaim?: string | undefined;
}

export type IdpSettings = SamlSettings | OidcSettings;

/** How a connection's provider came to be: created by Provisio, or bound by the operator. */
export type ProviderSource =
  | { source: 'created'; type: 'saml'; metadataUrl: string | null; groupsClaim: string }
  | { source: 'created'; type: 'oidc'; issuer: string; clientId: string; groupsClaim: string }
  | { source: 'bound' };

/** The port: the user pool's identity providers. */
export interface IdentityProviders {
  /**
   * Creates the provider (attribute mapping, `IdpIdentifiers` = `domains`) and adds it to the
   * app clients, keeping every other client setting. Throws `ValidationError` (field `idp`)
   * when the settings are refused, `ConflictError` when the name or an identifier is taken.
   */
  create(input: {
    providerName: string;
    settings: IdpSettings;
    domains: readonly string[];
  }): Promise<void>;
  /** Updates the settings (when given) and the identifiers of a provider created here. */
  update(input: {
    providerName: string;
    settings?: IdpSettings | undefined;
    domains: readonly string[];
  }): Promise<void>;
  /** Sets only `IdpIdentifiers` (a domain detached from the connection); absent is a no-op. */
  setIdentifiers(providerName: string, domains: readonly string[]): Promise<void>;
  /** Removes the provider from the app clients and deletes it; absent is a no-op. */
  delete(providerName: string): Promise<void>;
}

/** Prefix of every provider name Provisio derives; an operator-bound name may not use it. */
export const CREATED_PROVIDER_PREFIX = 'provisio-';

/**
 * The provider name of a connection: derived, never chosen by a tenant. Cognito allows 32
 * characters, so it is the prefix and the first 23 hex digits of the connection's id.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateIdentityProvider.html
 */
export function providerNameFor(connectionId: string): string {
  const hex = connectionId.toLowerCase().replace(/[^0-9a-f]/g, '');
  const tail = (hex.length >= 23 ? hex : `${hex}${'0'.repeat(23)}`).slice(0, 23);
  return `${CREATED_PROVIDER_PREFIX}${tail}`;
}

/** Default name of the IdP claim or assertion attribute that carries groups. */
export const DEFAULT_GROUPS_CLAIM = 'groups';

/** SAML attribute names for email and name (the claim types IdPs send by default). */
export const SAML_EMAIL = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';
export const SAML_NAME = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name';

/**
 * Pool attribute → IdP attribute. SAML has no standard `email_verified`: a connection's provider
 * is trusted for its verified domains, not for what it says about verification (§8).
 */
export function attributeMapping(
  settings: IdpSettings,
  groupsAttribute: string,
): Record<string, string> {
  const groups = settings.groupsClaim?.trim() || DEFAULT_GROUPS_CLAIM;
  return settings.type === 'oidc'
    ? { email: 'email', email_verified: 'email_verified', name: 'name', [groupsAttribute]: groups }
    : { email: SAML_EMAIL, name: SAML_NAME, [groupsAttribute]: groups };
}

/** Cognito allows 50 identifiers of 40 characters each; longer domains are left out. */
export const MAX_IDENTIFIERS = 50;
export const MAX_IDENTIFIER_LENGTH = 40;

/** The connection's domains as `IdpIdentifiers` (routing by email domain on a hosted page). */
export function idpIdentifiers(domains: readonly string[]): string[] {
  return domains.filter((d) => d.length <= MAX_IDENTIFIER_LENGTH).slice(0, MAX_IDENTIFIERS);
}

/** Where the pool's hosted endpoints live, to tell the IdP where to send people back. */
export interface ServiceProviderContext {
  /** The user pool's domain, `https://<prefix>.auth.<region>.amazoncognito.com` or a custom one. */
  domainUrl: string | undefined;
  userPoolId: string | undefined;
}

/** What the IdP's administrator pastes into the IdP. */
export type ServiceProviderInfo =
  | { type: 'saml'; acsUrl: string | null; entityId: string | null }
  | { type: 'oidc'; redirectUri: string | null };

/**
 * SAML: the ACS URL and audience (SP entity id); OIDC: the redirect URI.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-saml-idp.html
 */
export function serviceProviderInfo(
  type: 'saml' | 'oidc',
  ctx: ServiceProviderContext,
): ServiceProviderInfo {
  const base = ctx.domainUrl?.replace(/\/+$/, '') ?? null;
  if (type === 'oidc') return { type, redirectUri: base ? `${base}/oauth2/idpresponse` : null };
  return {
    type,
    acsUrl: base ? `${base}/saml2/idpresponse` : null,
    entityId: ctx.userPoolId ? `urn:amazon:cognito:sp:${ctx.userPoolId}` : null,
  };
}

/** Operator-bound provider names: `providerName → scope` (configuration, not the admin API). */
export type BoundProviders = ReadonlyMap<string, ScopeRef>;

/** Whether `providerName` is bound to `scope`. */
export function isBoundTo(bound: BoundProviders, providerName: string, scope: ScopeRef): boolean {
  const to = bound.get(providerName);
  return !!to && to.type === scope.type && to.id === scope.id;
}
