/**
 * The attacker table of SPEC §8: identities that must vouch for nobody, and the friends that
 * must still get in. One list, run through the pure rule (test/unit/trust/vouch.test.ts) and
 * through every door of the running stack (test/integration/trust-doors.test.ts): a new door
 * joins that file and meets every attacker at once.
 *
 * Each entry gives the Cognito attributes (a trigger's `userAttributes`, or a token's claims) for
 * a victim connection: a tenant whose org owns `victim@<domain>` and whose connection serves
 * `<domain>` through `providerName`. The rogue IdP is another tenant's connection, which serves
 * its own verified domain only.
 */

import type { Connection } from '../../shared/model/types.ts';
import type { DistrustReason } from '../../shared/trust/vouch.ts';

/** The name of another tenant's connection's provider (a rogue IdP with a connection of its own). */
export const ROGUE_PROVIDER_SUFFIX = '-rogue';

export interface TrustFixture {
  /** The victim tenant's connection. */
  connection: Connection;
  /** Another tenant's connection: its provider is real, but speaks for its own domain only. */
  rogue: Connection;
  /** Looks a provider up among the connections, as a door does. */
  connectionFor: (provider: string | null | undefined) => Connection | undefined;
}

export function trustTable(victim: {
  orgId: string;
  orgName: string;
  connectionId: string;
  providerName: string;
  domain: string;
  rogueProviderName?: string;
  rogueDomain?: string;
}): TrustFixture {
  const connection: Connection = {
    id: victim.connectionId,
    name: 'Victim SSO',
    providerName: victim.providerName,
    scope: { type: 'org', id: victim.orgId },
    domains: [victim.domain],
    jit: true,
    scim: false,
    defaultOrg: { id: victim.orgId, name: victim.orgName },
    defaultTeam: null,
  };
  const rogue: Connection = {
    ...connection,
    id: `${victim.connectionId}${ROGUE_PROVIDER_SUFFIX}`,
    name: 'Rogue SSO',
    providerName: victim.rogueProviderName ?? `${victim.providerName}${ROGUE_PROVIDER_SUFFIX}`,
    domains: [victim.rogueDomain ?? `rogue-${victim.domain}`],
  };
  return {
    connection,
    rogue,
    connectionFor: (p) =>
      p === connection.providerName ? connection : p === rogue.providerName ? rogue : undefined,
  };
}

/** Cognito's `identities` attribute for a user of one federated provider (as a JSON string). */
export const identitiesOf = (providerName: string): string =>
  JSON.stringify([
    {
      userId: 'u-1',
      providerName,
      providerType: providerName === 'Google' ? 'Google' : 'SAML',
      issuer: null,
      primary: 'true',
      dateCreated: '1700000000000',
    },
  ]);

export interface Attributes {
  email: string;
  email_verified?: string;
  identities?: string;
}

export interface Attacker {
  name: string;
  /** The attributes the attacker presents, to take over `victimEmail`. */
  attributes: (t: Tenants, victimEmail?: string) => Attributes;
  reason: DistrustReason;
  /** How the HTTP hook (a signed body from the operator's own code) says the same, if it can. */
  hook?: (
    t: Tenants,
    victimEmail?: string,
  ) => { email: string; emailVerified: boolean; connection?: string };
}

/** The victim's connection and another tenant's (the rogue IdP's). */
export type Tenants = Pick<TrustFixture, 'connection' | 'rogue'>;

const victimOf = (t: Tenants, victimEmail?: string) =>
  victimEmail ?? `victim@${t.connection.domains[0]}`;
const rogueOf = (t: Tenants) => t.rogue.providerName;

export const ATTACKERS: readonly Attacker[] = [
  {
    name: 'a password user whose email is not verified',
    attributes: (t, v) => ({ email: victimOf(t, v), email_verified: 'false' }),
    reason: 'email_not_verified',
    hook: (t, v) => ({ email: victimOf(t, v), emailVerified: false }),
  },
  {
    name: 'a token with no email_verified at all',
    attributes: (t, v) => ({ email: victimOf(t, v) }),
    reason: 'email_not_verified',
  },
  {
    name: 'a social provider that did not verify the email',
    attributes: (t, v) => ({
      email: victimOf(t, v),
      email_verified: 'false',
      identities: identitiesOf('Google'),
    }),
    reason: 'email_not_verified',
    hook: (t, v) => ({ email: victimOf(t, v), emailVerified: false, connection: 'Google' }),
  },
  {
    name: 'a federated provider no connection names, claiming a verified email',
    attributes: (t, v) => ({
      email: victimOf(t, v),
      email_verified: 'true',
      identities: identitiesOf('EvilCorpOIDC'),
    }),
    reason: 'unbound_provider',
    hook: (t, v) => ({ email: victimOf(t, v), emailVerified: true, connection: 'EvilCorpOIDC' }),
  },
  {
    name: "another tenant's connection (a rogue IdP) asserting the victim's domain",
    attributes: (t, v) => ({
      email: victimOf(t, v),
      email_verified: 'true',
      identities: identitiesOf(rogueOf(t)),
    }),
    reason: 'outside_connection_domains',
    hook: (t, v) => ({ email: victimOf(t, v), emailVerified: true, connection: rogueOf(t) }),
  },
  {
    name: 'identities that cannot be read',
    attributes: (t, v) => ({ email: victimOf(t, v), email_verified: 'true', identities: '[{' }),
    reason: 'unreadable_identities',
  },
];

export interface Friend {
  name: string;
  attributes: (t: Tenants, email: string) => Attributes;
  via: 'password' | 'social' | 'connection';
}

export const FRIENDS: readonly Friend[] = [
  {
    name: 'a password user with a verified email',
    attributes: (_c, email) => ({ email, email_verified: 'true' }),
    via: 'password',
  },
  {
    name: 'a social provider that verified the email',
    attributes: (_c, email) => ({
      email,
      email_verified: 'true',
      identities: identitiesOf('Google'),
    }),
    via: 'social',
  },
  {
    name: "the connection's own provider, for its domain, without email_verified",
    attributes: (t, email) => ({ email, identities: identitiesOf(t.connection.providerName) }),
    via: 'connection',
  },
];
