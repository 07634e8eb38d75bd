/**
 * A person as their summary mirrors them, in one GetItem (SPEC §9): what `GET /v1/me` and the
 * pre-token trigger read.
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { PersonState } from '../../sign-in/types.ts';
import { keys, prefix } from '../../table/schema.ts';
import { dynamo } from './errors.ts';
import { readPerson, str } from './items.ts';
import { readSummary } from './person-changes.ts';

export interface PersonView {
  person: PersonState;
  /** The companies the person owns. */
  companies: { id: string; name: string }[];
}

export function createPersonReader(db: DynamoDBDocumentClient, tableName: string) {
  return async (email: string, signal?: AbortSignal): Promise<PersonView> => {
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
    const items = readSummary(out.Item);
    const companies = items
      .filter((i) => str(i.sk).startsWith(prefix.companyOwner))
      .map((i) => ({ id: str(i.companyId), name: str(i.companyName) }));
    return { person: readPerson(items), companies };
  };
}
