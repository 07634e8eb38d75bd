/**
 * The local stack's identity providers (SPEC §8): cognito-local has no identity-provider API, so
 * the providers Provisio creates are kept in a small JSON file, behind the same
 * `IdentityProviders` interface as the Cognito adapter, with the same rules: names and
 * identifiers unique in the pool, the provider added to the app clients, and never a client
 * secret on disk (Cognito holds it; here it is dropped). local/README.md says more.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { ConflictError, ValidationError } from '../../errors.ts';
import {
  attributeMapping,
  type IdentityProviders,
  type IdpSettings,
  idpIdentifiers,
} from '../../sso/identity-providers.ts';

/** One provider as Cognito would hold it (`DescribeIdentityProvider`), less the secret. */
export interface RegisteredProvider {
  type: 'SAML' | 'OIDC';
  details: Record<string, string>;
  /** Whether an OIDC client secret was given (it is not kept). */
  clientSecretSet: boolean;
  attributeMapping: Record<string, string>;
  identifiers: string[];
  createdAt: string;
  updatedAt: string;
}

/** The registry file. */
export interface Registry {
  providers: Record<string, RegisteredProvider>;
  /** App client id → its `SupportedIdentityProviders` added by Provisio. */
  clients: Record<string, string[]>;
}

/** What the registry file holds now (empty when there is none). */
export async function readIdentityProviderRegistry(file: string): Promise<Registry> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<Registry>;
    return { providers: parsed.providers ?? {}, clients: parsed.clients ?? {} };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { providers: {}, clients: {} };
    throw error;
  }
}

function details(settings: IdpSettings): { details: Record<string, string>; secret: boolean } {
  if (settings.type === 'oidc') {
    return {
      details: {
        client_id: settings.clientId,
        authorize_scopes: 'openid email profile',
        oidc_issuer: settings.issuer,
        attributes_request_method: 'GET',
      },
      secret: !!settings.clientSecret,
    };
  }
  if (!settings.metadataUrl === !settings.metadataXml) {
    throw new ValidationError('idp', 'SAML needs exactly one of MetadataURL and MetadataFile');
  }
  return {
    details: settings.metadataUrl
      ? { MetadataURL: settings.metadataUrl }
      : { MetadataFile: settings.metadataXml! },
    secret: false,
  };
}

/** Cognito refuses an identifier another provider of the pool already uses. */
function checkIdentifiers(registry: Registry, name: string, identifiers: string[]): void {
  for (const [other, p] of Object.entries(registry.providers)) {
    if (other === name) continue;
    const taken = identifiers.find((i) => p.identifiers.includes(i));
    if (taken) {
      throw new ConflictError(
        `The identifier ${taken} is already used by identity provider ${other} of the user pool`,
      );
    }
  }
}

/**
 * The registry in `file`; created providers are added to `clientIds`. Changes are serialised
 * within the process and written atomically (temp file, then rename). One process writes a
 * file: the local stack's handlers run in its process.
 */
export function createIdentityProviderRegistry(options: {
  file: string;
  clientIds: readonly string[];
  groupsAttribute?: string;
  now?: () => Date;
}): IdentityProviders {
  const { file, clientIds } = options;
  const groupsAttribute = options.groupsAttribute ?? 'custom:groups';
  const now = options.now ?? (() => new Date());
  let queue: Promise<unknown> = Promise.resolve();

  /** Runs one read-change-write, after the ones before it. */
  function change(edit: (registry: Registry) => boolean | undefined): Promise<void> {
    const run = queue.then(async () => {
      const registry = await readIdentityProviderRegistry(file);
      if (edit(registry) === false) return;
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, `${JSON.stringify(registry, null, 2)}\n`);
      await rename(tmp, file);
    });
    queue = run.catch(() => {});
    return run;
  }

  return {
    create({ providerName, settings, domains }) {
      return change((r) => {
        if (r.providers[providerName]) {
          throw new ConflictError(`Identity provider ${providerName} already exists in the pool`);
        }
        const identifiers = idpIdentifiers(domains);
        checkIdentifiers(r, providerName, identifiers);
        const d = details(settings);
        const at = now().toISOString();
        r.providers[providerName] = {
          type: settings.type === 'oidc' ? 'OIDC' : 'SAML',
          details: d.details,
          clientSecretSet: d.secret,
          attributeMapping: attributeMapping(settings, groupsAttribute),
          identifiers,
          createdAt: at,
          updatedAt: at,
        };
        for (const id of clientIds) {
          const supported = r.clients[id] ?? [];
          if (!supported.includes(providerName)) supported.push(providerName);
          r.clients[id] = supported;
        }
        return true;
      });
    },
    update({ providerName, settings, domains }) {
      return change((r) => {
        const p = r.providers[providerName];
        // As Cognito's ResourceNotFoundException: the provider was deleted meanwhile.
        if (!p) throw new ConflictError(`Identity provider ${providerName} does not exist`);
        const identifiers = idpIdentifiers(domains);
        checkIdentifiers(r, providerName, identifiers);
        if (settings) {
          if ((settings.type === 'oidc' ? 'OIDC' : 'SAML') !== p.type) {
            throw new ValidationError(
              'idp.type',
              `the provider is ${p.type}; its type cannot change`,
            );
          }
          const d = details(settings);
          p.details = d.details;
          p.clientSecretSet = d.secret || p.clientSecretSet;
          p.attributeMapping = attributeMapping(settings, groupsAttribute);
        }
        p.identifiers = identifiers;
        p.updatedAt = now().toISOString();
        return true;
      });
    },
    setIdentifiers(providerName, domains) {
      return change((r) => {
        const p = r.providers[providerName];
        if (!p) return false;
        const identifiers = idpIdentifiers(domains);
        checkIdentifiers(r, providerName, identifiers);
        p.identifiers = identifiers;
        p.updatedAt = now().toISOString();
        return true;
      });
    },
    delete(providerName) {
      return change((r) => {
        if (!r.providers[providerName]) return false;
        delete r.providers[providerName];
        for (const [id, names] of Object.entries(r.clients)) {
          r.clients[id] = names.filter((n) => n !== providerName);
        }
        return true;
      });
    },
  };
}
