/**
 * Dependencies for unit tests of the admin core: no store (each test hands in what it reads),
 * and an in-memory stand-in for the pool's identity providers that records every call.
 */
import type { AdminDeps, AdminStore } from '../../shared/model/writes.ts';
import type { IdentityProviders } from '../../shared/sso/identity-providers.ts';

/** Identity providers in memory: `calls` in order, `providers` as they now are. */
export function memoryIdentityProviders(): IdentityProviders & {
  calls: { op: string; providerName: string; domains?: readonly string[] }[];
  providers: Map<string, { type: string; domains: readonly string[] }>;
} {
  const calls: { op: string; providerName: string; domains?: readonly string[] }[] = [];
  const providers = new Map<string, { type: string; domains: readonly string[] }>();
  return {
    calls,
    providers,
    async create({ providerName, settings, domains }) {
      calls.push({ op: 'create', providerName, domains });
      providers.set(providerName, { type: settings.type, domains });
    },
    async update({ providerName, settings, domains }) {
      calls.push({ op: 'update', providerName, domains });
      const p = providers.get(providerName);
      providers.set(providerName, { type: settings?.type ?? p?.type ?? 'saml', domains });
    },
    async setIdentifiers(providerName, domains) {
      calls.push({ op: 'setIdentifiers', providerName, domains });
      const p = providers.get(providerName);
      if (p) providers.set(providerName, { ...p, domains });
    },
    async delete(providerName) {
      calls.push({ op: 'delete', providerName });
      providers.delete(providerName);
    },
  };
}

/** AdminDeps for a unit test; `store` is the test's own. */
export function unitDeps(over: Partial<AdminDeps> & { store?: AdminStore } = {}): AdminDeps {
  let n = 0;
  return {
    store: {} as AdminStore,
    lookupTxt: async () => [],
    now: () => new Date('2026-01-01T00:00:00.000Z'),
    newId: () => `id${++n}`,
    newToken: () => 'token',
    identityProviders: memoryIdentityProviders(),
    boundProviders: new Map(),
    serviceProvider: { domainUrl: 'https://auth.example.com', userPoolId: 'eu-west-1_pool' },
    webhooks: {
      store: {
        getWebhook: async () => undefined,
        listWebhooks: async () => ({ items: [], nextCursor: null }),
        listDeliveries: async () => ({ items: [], nextCursor: null }),
      },
      resolve: async () => [],
      policy: { allowLoopback: false },
      newSecret: () => 'whsec_dGVzdA==',
    },
    ...over,
  };
}
