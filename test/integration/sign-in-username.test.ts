/**
 * SPEC §3.1: a username is unique across all accounts, guaranteed by a conditional write and
 * retried on collision — never by a read-then-write.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignInFixture, type SignInFixture } from '../../local/sign-in-fixtures.ts';
import { usernameGuardItem } from '../../shared/adapters/dynamodb/items.ts';
import { createSignInStore } from '../../shared/adapters/dynamodb/sign-in-store.ts';
import { processSignIn } from '../../shared/sign-in/process.ts';
import { keys } from '../../shared/table/schema.ts';
import { dynamodbEndpoint } from '../support/endpoints.ts';

let fx: SignInFixture;

beforeAll(async () => {
  fx = await createSignInFixture(dynamodbEndpoint());
});
afterAll(async () => {
  await fx?.drop();
});

const signIn = (email: string) => ({
  email,
  domain: email.split('@')[1]!,
  emailVerified: true,
  name: 'Ada Lovelace',
  connection: undefined,
  groups: [],
});

describe('usernames', () => {
  it('retries with another username when the one it proposed is taken', async () => {
    // Every random digit is 0: the first proposal is ada0000, the retry ada00000.
    const store = createSignInStore(fx.db, fx.tableName, { random: () => 0 });
    await fx.db.send(
      new PutCommand({
        TableName: fx.tableName,
        Item: usernameGuardItem('ada0000', 'someone@else.test'),
      }),
    );
    await processSignIn(signIn('ada@collide.test'), store);
    const account = await fx.person('ada@collide.test');
    expect(account.account?.username).toBe('ada00000');
    const guard = await fx.db.send(
      new GetCommand({ TableName: fx.tableName, Key: keys.usernameGuard('ada00000') }),
    );
    expect(guard.Item?.email).toBe('ada@collide.test');
    // The taken name still belongs to its owner.
    const taken = await fx.db.send(
      new GetCommand({ TableName: fx.tableName, Key: keys.usernameGuard('ada0000') }),
    );
    expect(taken.Item?.email).toBe('someone@else.test');
  });

  it('gives two people racing for the same username different ones', async () => {
    const store = createSignInStore(fx.db, fx.tableName, { random: () => 7 });
    await Promise.all([
      processSignIn(signIn('bob@race-a.test'), store),
      processSignIn(signIn('bob@race-b.test'), store),
    ]);
    const a = (await fx.person('bob@race-a.test')).account?.username;
    const b = (await fx.person('bob@race-b.test')).account?.username;
    expect(new Set([a, b])).toEqual(new Set(['bob7777', 'bob77777']));
  });
});
