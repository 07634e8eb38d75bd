/**
 * The local stack's identity providers (SPEC §8): cognito-local has no identity-provider API, so
 * the providers Provisio creates are kept in a small JSON file, behind the same
 * `IdentityProviders` interface as the Cognito adapter, with the same rules: names and
 * identifiers unique in the pool, the provider added to the app clients, and never a client
 * secret on disk (Cognito holds it; here it is dropped). local/README.md says more.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DEFAULT_GROUPS_ATTRIBUTE } from '../../config.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import {
  attributeMapping,
  type IdentityProviders,
  type IdpSettings,
  idpIdentifiers,
} from '../../sso/identity-providers.ts';
// Types only from the SDK there, so importing it loads no SDK.
import { providerDetails } from './identity-providers.ts';

/** One provider as Cognito would hold it (`DescribeIdentityProvider`), less the secret. */
export interface RegisteredProvider {
  type: 'SAML' | 'OIDC';
  /** `ProviderDetails` as sent to Cognito, without `client_secret`. */
  details: Record<string, string>;
  /** Whether an OIDC client secret was given (it is not kept). */
  clientSecretSet: boolean;
  attributeMapping: Record<string, string>;
  /** `IdpIdentifiers`. */
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

/** Cognito's limit on a provider name (the names Provisio derives have 32 characters). */
const MAX_PROVIDER_NAME_LENGTH = 32;

/** The details Cognito would keep, the OIDC client secret dropped. */
function keptDetails(settings: IdpSettings): { details: Record<string, string>; secret: boolean } {
  const { client_secret: secret, ...details } = providerDetails(settings);
  return { details, secret: !!secret };
}

/** Cognito refuses (DuplicateProviderException) an identifier another provider already uses. */
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
 * The changes to each file, one after another, for the whole process: the local stack runs the
 * admin and notifier handlers in one process, each with its own registry on the same file.
 */
const queues = new Map<string, Promise<unknown>>();
let writes = 0;

/**
 * The registry in `options.file`; created providers are added to `options.clientIds`. Each
 * change is a read-change-write, serialised per file within the process and written atomically
 * (a temp file, then rename), so a reader never sees half a file. A missing file (or directory)
 * is an empty registry.
 *
 * Same semantics as the Cognito adapter: creating an existing name, or with an identifier
 * another provider uses, is a `ConflictError`; a SAML provider needs exactly one of metadataUrl
 * and metadataXml (`ValidationError`); a change of type is a `ValidationError('idp.type')`;
 * updating a provider that is gone is a `ConflictError` (as the Cognito adapter makes of
 * ResourceNotFoundException); `setIdentifiers` and `delete` of one that is gone do nothing.
 */
export function createIdentityProviderRegistry(options: {
  file: string;
  /** The app clients a created provider is added to. */
  clientIds: readonly string[];
  /** @default custom:groups */
  groupsAttribute?: string;
  now?: () => Date;
}): IdentityProviders {
  const file = resolve(options.file);
  const { clientIds } = options;
  const groupsAttribute = options.groupsAttribute ?? DEFAULT_GROUPS_ATTRIBUTE;
  const now = options.now ?? (() => new Date());

  /** Runs one read-change-write after the ones before it; `edit` returns false to write nothing. */
  function change(edit: (registry: Registry) => boolean): Promise<void> {
    const run = (queues.get(file) ?? Promise.resolve()).then(async () => {
      const registry = await readIdentityProviderRegistry(file);
      if (!edit(registry)) return;
      await mkdir(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.${++writes}.tmp`;
      await writeFile(tmp, `${JSON.stringify(registry, null, 2)}\n`);
      await rename(tmp, file);
    });
    const settled = run.catch(() => {});
    queues.set(file, settled);
    // The last change of a file forgets its queue.
    void settled.then(() => {
      if (queues.get(file) === settled) queues.delete(file);
    });
    return run;
  }

  return {
    create({ providerName, settings, domains }) {
      return change((r) => {
        if (!providerName || providerName.length > MAX_PROVIDER_NAME_LENGTH) {
          throw new ValidationError(
            'idp',
            `a provider name has 1 to ${MAX_PROVIDER_NAME_LENGTH} characters`,
          );
        }
        if (r.providers[providerName]) {
          throw new ConflictError(`Identity provider ${providerName} already exists in the pool`);
        }
        const d = keptDetails(settings);
        const identifiers = idpIdentifiers(domains);
        checkIdentifiers(r, providerName, identifiers);
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
        // As the Cognito adapter makes of ResourceNotFoundException: deleted meanwhile.
        if (!p) {
          throw new ConflictError(
            `Identity provider ${providerName} is no longer in the user pool; delete the connection and create it again`,
          );
        }
        const identifiers = idpIdentifiers(domains);
        checkIdentifiers(r, providerName, identifiers);
        if (settings) {
          if ((settings.type === 'oidc' ? 'OIDC' : 'SAML') !== p.type) {
            throw new ValidationError(
              'idp.type',
              `the provider is ${p.type}; its type cannot change`,
            );
          }
          const d = keptDetails(settings);
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
