/**
 * The identity providers the local stack's admin API created (SPEC §8): cognito-local has no
 * identity-provider API, so the stack keeps them in its registry file (local/README.md).
 */
import { join } from 'node:path';
import { inject } from 'vitest';
import { readIdentityProviderRegistry } from '../../shared/adapters/cognito/registry.ts';

/** What the stack's registry holds now. */
export function stackIdentityProviders(): ReturnType<typeof readIdentityProviderRegistry> {
  return readIdentityProviderRegistry(join(inject('localStackDir'), 'identity-providers.json'));
}
