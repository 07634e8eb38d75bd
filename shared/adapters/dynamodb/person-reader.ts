/**
 * A person as their summary mirrors them, in one round trip (SPEC §9): what `GET /v1/me` and the
 * pre-token trigger read. The pre-token trigger also needs the SSO connection that names the
 * token's provider (SPEC §8) and, on a refresh, the verified-domain item of the email's domain
 * (SPEC §12, enforcement): asked for either, the reader fetches them in one BatchGetItem.
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Connection, DomainEnforcement, PersonState } from '../../model/types.ts';
import { keys, prefix } from '../../table/schema.ts';
import { dynamo } from './errors.ts';
import { readConnection, readPerson, readVerifiedDomain, str } from './items.ts';
import { readSummary } from './person-changes.ts';
import { batchGet, foundItem } from './query.ts';

export interface PersonView {
  person: PersonState;
  /** The companies the person owns. */
  companies: { id: string; name: string }[];
  /** The connection naming the provider asked for, when one does. */
  connection?: Connection | undefined;
  /** The enforcement the verified domain asked for mirrors (SPEC §12), when it enforces. */
  enforcement?: DomainEnforcement | undefined;
}

function view(summary: Record<string, unknown> | undefined): PersonView {
  const items = readSummary(summary);
  const companies = items
    .filter((i) => str(i.sk).startsWith(prefix.companyOwner))
    .map((i) => ({ id: str(i.companyId), name: str(i.companyName) }));
  return { person: readPerson(items), companies };
}

export function createPersonReader(db: DynamoDBDocumentClient, tableName: string) {
  return async (
    email: string,
    signal?: AbortSignal,
    options: { provider?: string | undefined; domain?: string | undefined } = {},
  ): Promise<PersonView> => {
    if (options.provider || options.domain) {
      const summaryKey = keys.personSummary(email);
      const providerKey = options.provider ? keys.ssoProvider(options.provider) : undefined;
      const domainKey = options.domain ? keys.domainVerified(options.domain) : undefined;
      const found = await batchGet(
        db,
        tableName,
        [summaryKey, providerKey, domainKey].filter((k) => k !== undefined),
        signal,
      );
      const provider = providerKey && foundItem(found, providerKey);
      const domain = domainKey && foundItem(found, domainKey);
      return {
        ...view(foundItem(found, summaryKey)),
        connection: provider ? readConnection(provider) : undefined,
        enforcement: (domain && readVerifiedDomain(domain).enforcement) || undefined,
      };
    }
    const out = await dynamo(() =>
      db.send(
        new GetCommand({
          TableName: tableName,
          Key: keys.personSummary(email),
          ConsistentRead: true,
        }),
        { abortSignal: signal },
      ),
    );
    return view(out.Item);
  };
}
