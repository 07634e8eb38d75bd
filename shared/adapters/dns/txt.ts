/**
 * TXT look-ups for domain verification (SPEC §5), each through a resolver of its own
 * (`resolver.ts`), so no answer is kept between calls, negative or positive.
 */
import { UnavailableError } from '../../errors.ts';
import { ABSENT, newResolver, type ResolverOptions } from './resolver.ts';

/** The TXT records of `name`, each record's strings joined; `[]` when there are none. */
export type TxtLookup = (name: string) => Promise<string[]>;

export function createTxtLookup(
  servers: readonly string[],
  options: ResolverOptions = {},
): TxtLookup {
  return async (name) => {
    const resolver = await newResolver(servers, options);
    try {
      const records = await resolver.resolveTxt(name);
      return records.map((chunks) => chunks.join(''));
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (ABSENT.has(code)) return [];
      throw new UnavailableError(`DNS look-up of ${name} failed (${code || 'error'})`, {
        cause: error,
      });
    } finally {
      resolver.cancel();
    }
  };
}
