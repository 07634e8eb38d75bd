/**
 * A host's addresses for webhook deliveries (SPEC §11): A and AAAA records through the
 * resolvers in `DNS_SERVERS` (the system's when empty), afresh each time, so that the address
 * checked is the address connected to and no cached answer outlives a change.
 */
import { UnavailableError } from '../../errors.ts';
import { ABSENT, newResolver, type ResolverOptions } from './resolver.ts';

/** Every IPv4 and IPv6 address of `host`; `[]` when it has none. */
export type AddressLookup = (host: string) => Promise<string[]>;

export function createAddressLookup(
  servers: readonly string[],
  options: ResolverOptions = {},
): AddressLookup {
  return async (host) => {
    const resolver = await newResolver(servers, options);
    const ask = async (resolve: () => Promise<string[]>): Promise<string[]> => {
      try {
        return await resolve();
      } catch (error) {
        const code = (error as { code?: string }).code ?? '';
        if (ABSENT.has(code)) return [];
        throw new UnavailableError(`DNS look-up of ${host} failed (${code || 'error'})`, {
          cause: error,
        });
      }
    };
    try {
      const [v4, v6] = await Promise.all([
        ask(() => resolver.resolve4(host)),
        ask(() => resolver.resolve6(host)),
      ]);
      return [...v4, ...v6];
    } finally {
      resolver.cancel();
    }
  };
}
