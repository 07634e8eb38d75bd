/**
 * TXT look-ups for domain verification (SPEC §5): through the resolvers in `DNS_SERVERS`
 * (`host:port`, comma-separated; the system's when empty), afresh each time. A new c-ares
 * resolver per look-up keeps no answers between calls, negative or positive.
 */
import { Resolver } from 'node:dns/promises';
import { UnavailableError } from '../../errors.ts';

/** The TXT records of `name`, each record's strings joined; `[]` when there are none. */
export type TxtLookup = (name: string) => Promise<string[]>;

/** Answers that mean "no such record", not "could not ask". */
const ABSENT = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN', 'ENONAME']);

export function createTxtLookup(
  servers: readonly string[],
  options: { timeoutMs?: number; tries?: number } = {},
): TxtLookup {
  return async (name) => {
    const resolver = new Resolver({
      timeout: options.timeoutMs ?? 2000,
      tries: options.tries ?? 2,
    });
    if (servers.length) resolver.setServers([...servers]);
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
