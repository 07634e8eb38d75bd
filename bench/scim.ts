/**
 * The SCIM function (functions/scim/handler.ts, its client built at module scope as deployed)
 * against DynamoDB Local, next to floors measured in the same run:
 *
 * - create (`POST /Users`, a new person joining the default org): the handler reads the token,
 *   then the connection (its scope is in the token item), then the userName guard, the person
 *   and the org at once, and writes one transaction. Floor: one BatchGetItem of the items a
 *   create must know (token, userName guard, person, org) and the same transaction for a fresh
 *   person.
 * - read (`GET /Users/{id}`): the token and the user at once, then the connection. Floor: one
 *   BatchGetItem of the token and the user.
 * - PATCH of 1,000 member adds (`PATCH /Groups/{id}`, 1,000 `add` operations of one member
 *   each, on an empty group that maps to no team): the handler reads the token, the
 *   connection, the group, then the 1,000 added users (SPEC §10: members must be users of the
 *   connection), and writes the group. Floor: one BatchGetItem of the token and the group, ten
 *   BatchGetItems of 100 users at once, and the same group write (captured, replayed on a
 *   group of its own).
 *
 * No target: the token-then-connection order is a deliberate read more (see docs/scim.md).
 */
import { BatchGetCommand, BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createSignInFixture, lambdaContext } from '../local/sign-in-fixtures.ts';
import { createDynamoClient } from '../shared/adapters/dynamodb/client.ts';
import { scimTokenItem, scimUserItem } from '../shared/adapters/dynamodb/items.ts';
import { ENV, readConfig } from '../shared/config.ts';
import { hashScimToken, newScimToken } from '../shared/sso/scim-token.ts';
import { keys } from '../shared/table/schema.ts';
import { installMeter } from './meter.ts';
import { sendNumbered } from './numbering.ts';
import { type VersusFloor, versusFloor } from './versus-floor.ts';

/** How long one DynamoDB request may take in the SCIM measurements (the local stack's default). */
const BENCH_DYNAMODB_TIMEOUT_MS = 2000;

type Handler = (
  event: APIGatewayProxyEventV2,
  context: unknown,
) => Promise<{ statusCode: number; body?: string }>;

const DOMAIN = 'scim.bench';

export async function measureScim(
  endpoint: string,
  options: { iterations: number; warmup: number; tableName: string },
): Promise<VersusFloor[]> {
  // The same table name as the other measurements: the handlers read their configuration once.
  const fx = await createSignInFixture(endpoint, { tableName: options.tableName });
  try {
    const org = await fx.org('bench-scim');
    const scope = { type: 'org', id: org.id } as const;
    const conn = await fx.connection({
      providerName: 'BenchScim',
      scope,
      domains: [DOMAIN],
      defaultOrg: org,
      jit: false,
      scim: true,
    });
    await fx.verifiedDomain(DOMAIN, scope, { ssoConnectionIds: [conn.id] });
    const token = newScimToken();
    await fx.db.send(
      new PutCommand({
        TableName: fx.tableName,
        Item: scimTokenItem({
          connectionId: conn.id,
          scope,
          tokenHash: hashScimToken(token),
          createdAt: new Date().toISOString(),
          createdBy: 'bench',
        }),
      }),
    );
    Object.assign(process.env, {
      [ENV.tableName]: fx.tableName,
      [ENV.dynamodbEndpoint]: endpoint,
      [ENV.awsRegion]: 'us-east-1',
      // DynamoDB Local on a busy machine answers a batch of 100 reads slower than the deployed
      // 500 ms budget allows; handler and floor get the local stack's budget alike.
      [ENV.dynamodbTimeoutMs]: String(BENCH_DYNAMODB_TIMEOUT_MS),
    });
    // Its own configuration, read now: the process's (loadConfig) was read and kept by the
    // first handler the bench imported, before this budget was set.
    const scim = await import('../functions/scim/handler.ts');
    const handler = scim.createHandler(scim.createScimDeps(readConfig())) as unknown as Handler;
    const floorDb = createDynamoClient({
      region: 'us-east-1',
      dynamodbEndpoint: endpoint,
      dynamodbTimeoutMs: BENCH_DYNAMODB_TIMEOUT_MS,
    });

    const event = (method: string, path: string, body?: unknown): APIGatewayProxyEventV2 =>
      ({
        version: '2.0',
        routeKey: 'ANY /scim/v2/{proxy+}',
        rawPath: `/scim/v2/${conn.id}${path}`,
        rawQueryString: '',
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-proto': 'https' },
        requestContext: {
          domainName: 'api.bench',
          http: { method, path: `/scim/v2/${conn.id}${path}` },
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        isBase64Encoded: false,
      }) as unknown as APIGatewayProxyEventV2;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await handler(event(method, path, body), lambdaContext('provisio-scim'));
      if (res.statusCode >= 300)
        throw new Error(`SCIM ${method} ${path}: ${res.statusCode} ${res.body}`);
      return res.body ? (JSON.parse(res.body) as { id: string }) : undefined;
    };
    const userBody = (email: string) => ({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: email,
      name: { givenName: 'Bench', familyName: 'Person' },
      emails: [{ primary: true, type: 'work', value: email }],
      active: true,
    });

    // The transaction of one create, captured to be replayed as the floor for fresh people.
    const meter = installMeter();
    let createTransaction: string | undefined;
    let readUser: { id: string } | undefined;
    try {
      meter.reset();
      await call('POST', '/Users', userBody(`first@${DOMAIN}`));
      const tx = meter.requests().find((r) => r.op.startsWith('TransactWrite'));
      if (!tx) throw new Error('SCIM create: no transaction seen');
      createTransaction = JSON.stringify(tx.input);
      readUser = await call('POST', '/Users', userBody(`read@${DOMAIN}`));
    } finally {
      meter.uninstall();
    }
    const firstEmail = `first@${DOMAIN}`;
    const floorCreate = async (i: number) => {
      // Each id of the captured create (user, events, outbox; not the org) made new, alike everywhere.
      const ids = new Map<string, string>();
      const fresh = createTransaction!
        .replaceAll(firstEmail, `floor-${i}@${DOMAIN}`)
        .replaceAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => {
          if (id === org.id) return id;
          if (!ids.has(id)) ids.set(id, crypto.randomUUID());
          return ids.get(id)!;
        });
      await floorDb.send(
        new BatchGetCommand({
          RequestItems: {
            [fx.tableName]: {
              Keys: [
                keys.scimToken(conn.id),
                keys.scimUserName(conn.id, `floor-${i}@${DOMAIN}`),
                keys.personSummary(`floor-${i}@${DOMAIN}`),
                keys.org(org.id),
              ],
              ConsistentRead: true,
            },
          },
        }),
      );
      const input = JSON.parse(fresh);
      // Seats: the floor's people join too, so the org's counter is not a conflict source. The
      // events are numbered afresh, their counters read as the path reads them (SPEC §11).
      await sendNumbered(floorDb, fx.tableName, input);
    };

    const created = await versusFloor(
      {
        name: 'SCIM create (POST /Users, joins the default org)',
        floor: 'BatchGetItem of 4 items + its TransactWriteItems',
        run: (i) => call('POST', '/Users', userBody(`user-${i}@${DOMAIN}`)),
        floorRun: floorCreate,
      },
      options,
    );

    const user = readUser;
    const read = await versusFloor(
      {
        name: 'SCIM read (GET /Users/{id})',
        floor: 'BatchGetItem of the token and the user',
        run: () => call('GET', `/Users/${user!.id}`),
        floorRun: () =>
          floorDb.send(
            new BatchGetCommand({
              RequestItems: {
                [fx.tableName]: {
                  Keys: [keys.scimToken(conn.id), keys.scimUser(conn.id, user!.id)],
                  ConsistentRead: true,
                },
              },
            }),
          ),
      },
      options,
    );
    const patched = await measureGroupPatch({
      tableName: fx.tableName,
      connectionId: conn.id,
      call,
      floorDb,
      iterations: Math.max(10, Math.round(options.iterations / 10)),
      warmup: Math.max(2, Math.round(options.warmup / 10)),
    });
    floorDb.destroy();
    return [created, read, patched];
  } finally {
    await fx.drop();
  }
}

/** How many `add` operations the group PATCH carries (SPEC §10 allows 1,000 at most). */
const PATCH_ADDS = 1_000;

/** `PATCH /Groups/{id}` with 1,000 member adds against its floor (see the module comment). */
async function measureGroupPatch(setup: {
  tableName: string;
  connectionId: string;
  call: (method: string, path: string, body?: unknown) => Promise<{ id: string } | undefined>;
  floorDb: ReturnType<typeof createDynamoClient>;
  iterations: number;
  warmup: number;
}): Promise<VersusFloor> {
  const { tableName, connectionId, call, floorDb } = setup;
  // The members: SCIM users put straight into the table (only the PATCH is measured).
  const at = new Date().toISOString();
  const userIds = Array.from({ length: PATCH_ADDS }, (_, i) => `bench-member-${i}`);
  for (let i = 0; i < userIds.length; i += 25) {
    await floorDb.send(
      new BatchWriteCommand({
        RequestItems: {
          [tableName]: userIds.slice(i, i + 25).map((id) => ({
            PutRequest: {
              Item: scimUserItem(connectionId, {
                id,
                userName: `${id}@${DOMAIN}`,
                externalId: null,
                email: `${id}@${DOMAIN}`,
                active: true,
                attributes: { userName: `${id}@${DOMAIN}`, active: true },
                created: at,
                lastModified: at,
                version: 1,
              }),
            },
          })),
        },
      }),
    );
  }
  const rounds = setup.warmup + setup.iterations;
  // An empty group per round for the handler and one for the floor, both at version 1.
  const newGroup = async (name: string) =>
    (await call('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: name,
    }))!.id;
  const groups: string[] = [];
  const floorGroups: string[] = [];
  for (let i = 0; i <= rounds; i++) {
    groups.push(await newGroup(`bench-patch-${i}`));
    floorGroups.push(await newGroup(`bench-patch-floor-${i}`));
  }
  const body = {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: userIds.map((value) => ({ op: 'add', path: 'members', value: [{ value }] })),
  };

  // The group write of one PATCH, captured to be replayed as the floor's write.
  const meter = installMeter();
  let write: { op: string; input: string; groupId: string };
  try {
    meter.reset();
    const groupId = groups[rounds]!;
    await call('PATCH', `/Groups/${groupId}`, body);
    const sent = meter.requests().filter((r) => /^(TransactWrite|Put)/.test(r.op));
    if (sent.length !== 1) throw new Error(`SCIM group PATCH: ${sent.length} writes seen, not 1`);
    write = { op: sent[0]!.op, input: JSON.stringify(sent[0]!.input), groupId };
  } finally {
    meter.uninstall();
  }
  const floorWrite = (groupId: string) => {
    const input = JSON.parse(write.input.replaceAll(write.groupId, groupId));
    return write.op.startsWith('TransactWrite')
      ? sendNumbered(floorDb, tableName, input)
      : floorDb.send(new PutCommand(input));
  };

  return versusFloor(
    {
      name: `SCIM PATCH of ${PATCH_ADDS.toLocaleString('en')} member adds (PATCH /Groups/{id})`,
      floor: 'BatchGetItem of token + group, 10 × 100 users at once, the group write',
      run: (i) => call('PATCH', `/Groups/${groups[i]}`, body),
      floorRun: async (i) => {
        const groupId = floorGroups[i]!;
        await floorDb.send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: {
                Keys: [keys.scimToken(connectionId), keys.scimGroup(connectionId, groupId)],
                ConsistentRead: true,
              },
            },
          }),
        );
        const batches: string[][] = [];
        for (let b = 0; b < userIds.length; b += 100) batches.push(userIds.slice(b, b + 100));
        await Promise.all(
          batches.map((batch) =>
            floorDb.send(
              new BatchGetCommand({
                RequestItems: {
                  [tableName]: {
                    Keys: batch.map((id) => keys.scimUser(connectionId, id)),
                    ConsistentRead: true,
                  },
                },
              }),
            ),
          ),
        );
        await floorWrite(groupId);
      },
    },
    { iterations: setup.iterations, warmup: setup.warmup },
  );
}
