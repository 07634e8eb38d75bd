/**
 * Property-based fuzzing of both sign-in entry points against DynamoDB Local: whatever arrives,
 * the hook answers 200, 400 or 403 (never 500) and writes nothing on a 400; the Cognito trigger
 * returns the event or refuses with one of its documented messages, never anything else.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cognitoEvent,
  createSignInFixture,
  identities,
  lambdaContext,
  type SignInFixture,
  signedHookRequest,
} from '../../local/sign-in-fixtures.ts';
import { scanAll } from '../../shared/adapters/dynamodb/query.ts';
import { ENV } from '../../shared/config.ts';
import { anyValue, nastyString } from '../support/arbitraries.ts';
import { dynamodbEndpoint } from '../support/endpoints.ts';

const SECRET = 'fuzz-secret';
type Hook = (
  event: APIGatewayProxyEventV2,
  context: unknown,
) => Promise<APIGatewayProxyStructuredResultV2>;
type Trigger = (event: unknown, context: unknown) => Promise<unknown>;

let fx: SignInFixture;
let hook: Hook;
let trigger: Trigger;

beforeAll(async () => {
  fx = await createSignInFixture(dynamodbEndpoint());
  process.env[ENV.tableName] = fx.tableName;
  process.env[ENV.dynamodbEndpoint] = dynamodbEndpoint();
  process.env[ENV.hookSecret] = SECRET;
  hook = (await import('../../functions/sign-in-hook/handler.ts')).handler as unknown as Hook;
  trigger = (await import('../../functions/sign-in/handler.ts')).handler as unknown as Trigger;
  // Something for fuzzed sign-ins to land in: an auto-provisioned domain and an SSO connection.
  const org = await fx.org('fuzz-org', { seatLimit: 3 });
  await fx.verifiedDomain('fuzz.example', { type: 'org', id: org.id }, { autoProvisioning: org });
  await fx.connection({
    providerName: 'FuzzIdp',
    scope: { type: 'org', id: org.id },
    domains: ['fuzz.example'],
    defaultOrg: org,
  });
});

afterAll(async () => {
  await fx?.drop();
});

async function itemCount(): Promise<number> {
  const items = await scanAll(fx.db, { TableName: fx.tableName, ConsistentRead: true });
  return items.length;
}

describe('fuzzing the HTTP hook', () => {
  it('never answers 500 and writes nothing on a 400', async () => {
    const body = fc.record(
      {
        email: anyValue,
        emailVerified: fc.oneof(fc.boolean(), anyValue),
        name: anyValue,
        givenName: anyValue,
        familyName: anyValue,
        connection: fc.oneof(fc.constant('FuzzIdp'), anyValue),
        groups: fc.oneof(fc.array(nastyString, { maxLength: 8 }), anyValue),
      },
      { requiredKeys: [] },
    );
    const raw = fc.oneof(
      body.map((b) => JSON.stringify(b)),
      nastyString,
      anyValue.map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(raw, async (text) => {
        const before = await itemCount();
        const response = await hook(
          signedHookRequest(SECRET, text),
          lambdaContext('provisio-sign-in-hook'),
        );
        expect([200, 400, 403]).toContain(response.statusCode);
        if (response.statusCode === 400) {
          const problem = JSON.parse(String(response.body));
          expect(typeof problem.field).toBe('string');
          expect(await itemCount()).toBe(before);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('fuzzing the Cognito trigger', () => {
  it('returns the event or refuses with a documented message, whatever the attributes', async () => {
    const attributes = fc.dictionary(
      fc.constantFrom(
        'email',
        'email_verified',
        'name',
        'given_name',
        'family_name',
        'identities',
        'custom:groups',
        'sub',
        'other',
      ),
      fc.oneof(
        nastyString,
        fc.constant(identities('FuzzIdp')),
        fc.constant(identities('Google')),
        fc.constant('["fuzz-org:dev"]'),
        fc.constant('true'),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        attributes,
        fc.constantFrom(
          'PostAuthentication_Authentication',
          'PostConfirmation_ConfirmSignUp',
        ) as fc.Arbitrary<'PostAuthentication_Authentication'>,
        async (attrs, source) => {
          const event = cognitoEvent(attrs as Record<string, string>, source);
          try {
            expect(await trigger(event, lambdaContext())).toBe(event);
          } catch (error) {
            expect(error).toBeInstanceOf(Error);
            expect((error as Error).message).toMatch(/^(Access denied|No seats available)/);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
