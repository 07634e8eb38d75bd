/**
 * TXT look-ups for domain verification (SPEC §5), each through a resolver of its own
 * (`resolver.ts`), so no answer is kept between calls, negative or positive.
 */
import { type ResolverOptions, records, withResolver } from './resolver.ts';

/** The TXT records of `name`, each record's strings joined; `[]` when there are none. */
export type TxtLookup = (name: string) => Promise<string[]>;

export function createTxtLookup(
  servers: readonly string[],
  options: ResolverOptions = {},
): TxtLookup {
  return (name) =>
    withResolver(servers, options, async (resolver) => {
      const found = await records(name, () => resolver.resolveTxt(name));
      return found.map((chunks) => chunks.join(''));
    });
}
