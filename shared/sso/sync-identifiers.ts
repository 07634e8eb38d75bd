/**
 * The stream worker's outbox task (SPEC §8): after a domain left a connection, its provider's
 * `IdpIdentifiers` follow the domains the connection serves now. It reads the provider's sign-in
 * copy afresh, so a retried or late task converges on the current state and never restores a
 * detached domain.
 */
import type { IdentityProviders } from './identity-providers.ts';

export interface SyncIdentifiersDeps {
  /** The domains the provider's connection serves now; undefined when the connection is gone. */
  providerDomains(providerName: string): Promise<readonly string[] | undefined>;
  identityProviders: Pick<IdentityProviders, 'setIdentifiers'>;
}

/** Sets the provider's identifiers to its connection's domains; a gone connection's provider was deleted with it. */
export async function syncProviderIdentifiers(
  providerName: string,
  deps: SyncIdentifiersDeps,
): Promise<'synced' | 'gone'> {
  const domains = await deps.providerDomains(providerName);
  if (!domains) return 'gone';
  await deps.identityProviders.setIdentifiers(providerName, domains);
  return 'synced';
}
