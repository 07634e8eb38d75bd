/**
 * A host's addresses for webhook deliveries (SPEC §11): A and AAAA records through the
 * resolvers in `DNS_SERVERS` (the system's when empty), afresh each time, so that the address
 * checked is the address connected to and no cached answer outlives a change.
 */
import { type ResolverOptions, records, withResolver } from './resolver.ts';

/** Every IPv4 and IPv6 address of `host`; `[]` when it has none. */
export type AddressLookup = (host: string) => Promise<string[]>;

export function createAddressLookup(
  servers: readonly string[],
  options: ResolverOptions = {},
): AddressLookup {
  return (host) =>
    withResolver(servers, options, async (resolver) => {
      const [v4, v6] = await Promise.all([
        records(host, () => resolver.resolve4(host)),
        records(host, () => resolver.resolve6(host)),
      ]);
      return [...v4, ...v6];
    });
}
