/**
 * The identity providers a function manages (SPEC §8), chosen by configuration: the local
 * stack's registry when `IDP_REGISTRY_FILE` is set, else the user pool through Cognito. The
 * Cognito SDK is imported with the first call, never at cold start: only SSO changes (and the
 * stream worker's identifier syncs) need it.
 */
import type { Config } from '../../config.ts';
import type { IdentityProviders } from '../../sso/identity-providers.ts';

/** A lazily built `IdentityProviders`; one client per process. */
export function loadIdentityProviders(config: Config): IdentityProviders {
  let built: Promise<IdentityProviders> | undefined;
  const load = (): Promise<IdentityProviders> => {
    built ??= (async () => {
      if (config.idpRegistryFile) {
        const { createIdentityProviderRegistry } = await import('./registry.ts');
        return createIdentityProviderRegistry({
          file: config.idpRegistryFile,
          clientIds: config.userPoolClientIds,
          groupsAttribute: config.groupsAttribute,
        });
      }
      if (!config.userPoolId) {
        throw new Error(
          'Missing required environment variable USER_POOL_ID (the pool whose identity providers Provisio manages)',
        );
      }
      const [sdk, { createCognitoClient, createCognitoIdentityProviders }] = await Promise.all([
        import('@aws-sdk/client-cognito-identity-provider'),
        import('./identity-providers.ts'),
      ]);
      return createCognitoIdentityProviders({
        sdk,
        client: createCognitoClient(sdk, config),
        userPoolId: config.userPoolId,
        clientIds: config.userPoolClientIds,
        groupsAttribute: config.groupsAttribute,
      });
    })();
    // A failed load (a missing variable) is not kept: the next call says so again.
    built.catch(() => {
      built = undefined;
    });
    return built;
  };
  return {
    create: async (input) => (await load()).create(input),
    update: async (input) => (await load()).update(input),
    setIdentifiers: async (name, domains) => (await load()).setIdentifiers(name, domains),
    delete: async (name) => (await load()).delete(name),
  };
}
