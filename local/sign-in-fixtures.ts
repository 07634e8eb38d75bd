/**
 * Sign-in fixtures against DynamoDB Local, shared by the tests and the benchmark: a fresh table per test file, seeding through
 * the item writers (the repository layer), and readers to check what a sign-in wrote.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  APIGatewayProxyEventV2,
  PostAuthenticationTriggerEvent,
  PostConfirmationTriggerEvent,
} from 'aws-lambda';
import { createDynamoClient } from '../shared/adapters/dynamodb/client.ts';
import {
  companyItem,
  companyOrgItem,
  domainVerifiedItem,
  invitationItem,
  memberItem,
  orgItem,
  orgNameGuardItem,
  readPerson,
  ssoConnectionItem,
  ssoProviderItem,
  teamMemberItem,
} from '../shared/adapters/dynamodb/items.ts';
import { PersonChanges } from '../shared/adapters/dynamodb/person-changes.ts';
import { queryAll as queryAllItems, scanAll } from '../shared/adapters/dynamodb/query.ts';
import type { Connection, Role, Via } from '../shared/model/types.ts';
import { signHookBody } from '../shared/sign-in/hook-signature.ts';
import { createTableInput, keys } from '../shared/table/schema.ts';

const AT = '2026-01-01T00:00:00.000Z';
const FAR_FUTURE = '2099-01-01T00:00:00.000Z';

export interface SignInFixture {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  org(
    name: string,
    options?: { seatLimit?: number | null; companyId?: string | null; seatsUsed?: number },
  ): Promise<{ id: string; name: string }>;
  company(name: string): Promise<string>;
  verifiedDomain(
    domain: string,
    scope: Connection['scope'],
    options?: {
      autoProvisioning?: { id: string; name: string } | null;
      ssoConnectionIds?: string[];
    },
  ): Promise<void>;
  connection(
    c: Partial<Connection> & Pick<Connection, 'providerName' | 'scope' | 'domains' | 'defaultOrg'>,
  ): Promise<Connection>;
  /** An SSO connection at `scope` serving one verified domain. */
  ssoDomain(
    domain: string,
    c: Partial<Connection> & Pick<Connection, 'providerName' | 'scope' | 'defaultOrg'>,
  ): Promise<Connection>;
  invitation(
    email: string,
    org: { id: string; name: string },
    options?: { role?: Role; team?: string | null; expiresAt?: string },
  ): Promise<void>;
  member(
    email: string,
    org: { id: string; name: string },
    options?: { role?: Role; via?: Via; teams?: { team: string; via: Via }[] },
  ): Promise<void>;
  person(email: string): Promise<ReturnType<typeof readPerson>>;
  orgRecord(orgId: string): Promise<Record<string, unknown> | undefined>;
  members(orgId: string): Promise<Record<string, unknown>[]>;
  events(orgId: string): Promise<Record<string, unknown>[]>;
  outbox(): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

/**
 * Puts one item as the stores would: a membership, team membership or invitation is mirrored in
 * the person summary in the same transaction.
 */
export function putItem(
  db: DynamoDBDocumentClient,
  tableName: string,
  Item: Record<string, unknown> & { pk: string; sk: string },
) {
  const summary = new PersonChanges();
  summary.put(Item);
  return db.send(
    new TransactWriteCommand({
      TransactItems: [{ Put: { TableName: tableName, Item } }, ...summary.items(tableName)],
    }),
  );
}

/** Creates a uniquely named table from the shared definition and returns helpers around it. */
export async function createSignInFixture(
  endpoint: string,
  options: { tableName?: string } = {},
): Promise<SignInFixture> {
  const db = createDynamoClient(
    { region: 'us-east-1', dynamodbEndpoint: endpoint },
    { requestTimeoutMs: 5000, maxAttempts: 3 },
  );
  const tableName = options.tableName ?? `t${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  await db.send(new CreateTableCommand(createTableInput(tableName)));
  await waitUntilTableExists({ client: db, maxWaitTime: 30 }, { TableName: tableName });
  const put = (Item: Record<string, unknown>) =>
    putItem(db, tableName, Item as Record<string, unknown> & { pk: string; sk: string });

  const queryAll = (input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>) =>
    queryAllItems(db, { TableName: tableName, ...input });

  /** Whose seat a membership or an invitation is: the org's id and name, and the role. */
  const seatIn = (org: { id: string; name: string }, role: Role) => ({
    orgId: org.id,
    orgName: org.name,
    role,
  });
  /** A membership and an invitation each hold a seat (SPEC §1). */
  const takeSeat = async (orgId: string) => {
    const o = await db.send(new GetCommand({ TableName: tableName, Key: keys.org(orgId) }));
    await put({ ...o.Item!, seatsUsed: Number(o.Item!.seatsUsed) + 1 });
  };

  const fixture: SignInFixture = {
    db,
    tableName,
    async org(name, options = {}) {
      const id = `org_${randomUUID().slice(0, 8)}`;
      const companyId = options.companyId ?? null;
      await put(
        orgItem({
          id,
          name,
          companyId,
          seatLimit: options.seatLimit ?? null,
          seatsUsed: options.seatsUsed ?? 0,
          ownerCount: 0,
          createdAt: AT,
        }),
      );
      await put(orgNameGuardItem(name, id, companyId));
      if (companyId) await put(companyOrgItem(companyId, id, name));
      return { id, name };
    },
    async company(name) {
      const id = `co_${randomUUID().slice(0, 8)}`;
      await put(companyItem({ id, name, createdAt: AT }));
      return id;
    },
    async verifiedDomain(domain, scope, options = {}) {
      const ap = options.autoProvisioning;
      await put(
        domainVerifiedItem({
          domain,
          scope,
          autoProvisioning: ap ? { orgId: ap.id, orgName: ap.name } : null,
          ssoConnectionIds: options.ssoConnectionIds ?? [],
          verifiedAt: AT,
        }),
      );
    },
    async ssoDomain(domain, c) {
      const connection = await fixture.connection({ domains: [domain], ...c });
      await fixture.verifiedDomain(domain, c.scope, { ssoConnectionIds: [connection.id] });
      return connection;
    },
    async connection(c) {
      const connection: Connection = {
        id: `sso_${randomUUID().slice(0, 8)}`,
        name: c.providerName,
        jit: true,
        scim: false,
        defaultTeam: null,
        ...c,
      };
      await put(ssoConnectionItem({ ...connection, createdAt: AT }));
      await put(ssoProviderItem(connection));
      return connection;
    },
    async invitation(email, org, options = {}) {
      const { role = 'member', team = null } = options;
      await put(
        invitationItem(email, {
          ...seatIn(org, role),
          team,
          invitedBy: 'owner@example.com',
          createdAt: AT,
          sentAt: AT,
          // Pending whenever the tests run, unless a test says otherwise (SPEC §13).
          expiresAt: options.expiresAt ?? FAR_FUTURE,
        }),
      );
      await takeSeat(org.id);
    },
    async member(email, org, options = {}) {
      const { role = 'member', via = 'admin' } = options;
      await put(memberItem(email, { ...seatIn(org, role), via, joinedAt: AT }));
      for (const t of options.teams ?? [])
        await put(teamMemberItem(email, { orgId: org.id, team: t.team, via: t.via }, AT));
      await takeSeat(org.id);
    },
    async person(email) {
      return readPerson(
        await queryAll({
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.person(email) },
          ConsistentRead: true,
        }),
      );
    },
    async orgRecord(orgId) {
      return (
        await db.send(
          new GetCommand({ TableName: tableName, Key: keys.org(orgId), ConsistentRead: true }),
        )
      ).Item;
    },
    async members(orgId) {
      const items = await queryAll({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :m)',
        ExpressionAttributeValues: { ':pk': `ORG#${orgId}`, ':m': 'MEMBER#' },
      });
      return items.filter((i) => i.entity === 'member');
    },
    async events(orgId) {
      return queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
        ExpressionAttributeValues: { ':pk': `ORG#${orgId}`, ':e': 'EVENT#' },
        ConsistentRead: true,
      });
    },
    async outbox() {
      return scanAll(db, {
        TableName: tableName,
        // Notifications only: outbox tasks (SPEC §8 provider syncs) carry no mail.
        FilterExpression: 'entity = :o AND attribute_exists(notification)',
        ExpressionAttributeValues: { ':o': 'outbox' },
        ConsistentRead: true,
      });
    },
    async drop() {
      await db.send(new DeleteTableCommand({ TableName: tableName }));
    },
  };
  return fixture;
}

/** `POST /v1/hooks/sign-in` as API Gateway (HTTP API, payload 2.0) hands it to the hook function. */
export function hookRequest(body: string, signature?: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /v1/hooks/sign-in',
    rawPath: '/v1/hooks/sign-in',
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      ...(signature ? { 'provisio-signature': signature } : {}),
    },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: 'POST',
        path: '/v1/hooks/sign-in',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      requestId: 'r',
      routeKey: 'POST /v1/hooks/sign-in',
      stage: '$default',
      time: '',
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded: false,
  };
}

/** A hook request signed with `secret`, as of now. */
export function signedHookRequest(secret: string, body: string): APIGatewayProxyEventV2 {
  return hookRequest(body, signHookBody(secret, body, Math.floor(Date.now() / 1000)));
}

/** A Cognito trigger event as Cognito sends it. */
export function cognitoEvent(
  attributes: Record<string, string>,
  /** Any Cognito trigger source of a version 1 event (sign-in, confirmation, pre-authentication, sign-up). */
  triggerSource:
    | 'PostAuthentication_Authentication'
    | 'PostConfirmation_ConfirmSignUp'
    | 'PostConfirmation_ConfirmForgotPassword'
    | 'PreAuthentication_Authentication'
    | 'PreSignUp_SignUp'
    | 'PreSignUp_ExternalProvider'
    | 'PreSignUp_AdminCreateUser' = 'PostAuthentication_Authentication',
): PostAuthenticationTriggerEvent | PostConfirmationTriggerEvent {
  return {
    version: '1',
    region: 'us-east-1',
    userPoolId: 'us-east-1_local',
    userName: attributes.sub ?? randomUUID(),
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'local' },
    triggerSource,
    request: { userAttributes: { sub: randomUUID(), ...attributes } },
    response: {},
  } as unknown as PostAuthenticationTriggerEvent;
}

/** The `identities` attribute Cognito sets for a federated user. */
export function identities(providerName: string): string {
  return JSON.stringify([
    {
      userId: randomUUID(),
      providerName,
      providerType: 'SAML',
      issuer: null,
      primary: 'true',
      dateCreated: Date.now(),
    },
  ]);
}

/** A minimal Lambda context. */
export function lambdaContext(functionName = 'provisio-sign-in') {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 5000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
