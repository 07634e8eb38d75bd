/**
 * SPEC §12 at Cognito's PreAuthentication and PreSignUp (functions/pre-auth/handler.ts), invoked
 * through the local stack's Lambda Invoke API: an enforced password sign-in is refused with
 * `SSO required`, naming the connection, and recorded at most once an hour per address; guests,
 * break-glass owners and the connection's own provider pass; report mode refuses nothing and
 * records once a day; the no-lockout marker of a sign-in let through without SSO is written once
 * a day, and none for a refusal; with DynamoDB hung, the sign-in goes through in time.
 *
 * The connection's enforcement is written onto the verified domain's item directly (the item
 * the trigger reads), not through the connection API, which is built beside this trigger.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { functionSpecs } from '../../functions/registry.ts';
import { cognitoEvent } from '../../local/sign-in-fixtures.ts';
import { ENV } from '../../shared/config.ts';
import { encodeLogEvents, readLogRecords } from '../../shared/log-records.ts';
import type { DomainEnforcement } from '../../shared/model/types.ts';
import { ENFORCEMENT_RECORD } from '../../shared/sign-in/pre-authentication.ts';
import { keys, primaryKey } from '../../shared/table/schema.ts';
import { adminSuite, type Created } from '../support/admin-suite.ts';
import { invocations, invokeFunction, lastInvocationSeq, settled } from '../support/local-stack.ts';
import { eventually, mailTo } from '../support/mail.ts';

const suite = adminSuite();
const { env, call } = suite;

type Attributes = Record<string, string>;

/**
 * Invokes the trigger with a Cognito event; `error` is the message Cognito would show, when it
 * refuses. Then waits for the enforcement recorder, which the trigger's log subscription hands
 * what it decided to record.
 */
async function invoke(triggerSource: Parameters<typeof cognitoEvent>[1], attributes: Attributes) {
  const outcome = await invokeFunction(
    functionSpecs.preAuth.localName,
    cognitoEvent({ email_verified: 'true', ...attributes }, triggerSource),
  );
  await settled();
  return outcome;
}

const signIn = (email: string, attributes: Attributes = {}) =>
  invoke('PreAuthentication_Authentication', { email, ...attributes });

let org: Created;
let boss: string;
let coOwner: string;
let domain: string;
let connection: { id: string; name: string; providerName: string };

const onDomain = (label: string) => `${label}-${randomUUID().slice(0, 8)}@${domain}`;

/** Sets the enforcement the verified domain's item mirrors (as the connection API will). */
async function enforce(mode: 'on' | 'report', breakGlass: string[] = []) {
  const enforcement: DomainEnforcement = {
    connectionId: connection.id,
    connectionName: connection.name,
    providerName: connection.providerName,
    mode,
    breakGlass,
    defaultOrg: { id: org.id, name: org.name },
    companyId: null,
  };
  await env.db.send(
    new UpdateCommand({
      TableName: env.tableName,
      Key: primaryKey(keys.domainVerified(domain)),
      UpdateExpression: 'SET enforcement = :e',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':e': enforcement },
    }),
  );
}

/** Sets no enforcement on the verified domain's item (the connection's `off`). */
async function unenforce() {
  await env.db.send(
    new UpdateCommand({
      TableName: env.tableName,
      Key: primaryKey(keys.domainVerified(domain)),
      UpdateExpression: 'REMOVE enforcement',
      ConditionExpression: 'attribute_exists(pk)',
    }),
  );
}

async function orgEvents(type: string, subject: string) {
  const res = await call('GET', `/v1/orgs/${org.id}/events`, { as: boss, query: { limit: '100' } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (
    res.body.items as { type: string; subject: string; details: Record<string, unknown> }[]
  ).filter((e) => e.type === type && e.subject === subject);
}

async function marker(email: string) {
  const out = await env.db.send(
    new GetCommand({
      TableName: env.tableName,
      Key: primaryKey(keys.nonSsoSignIn(connection.id, email)),
      ConsistentRead: true,
    }),
  );
  return out.Item;
}

beforeAll(async () => {
  ({ boss, org, domain, connection } = await suite.ssoTenant());
  // A second owner, from another domain: every owner is told of a break-glass sign-in.
  coOwner = `co-owner-${randomUUID().slice(0, 8)}@example.test`;
  const invited = await call('POST', `/v1/orgs/${org.id}/invitations`, {
    as: boss,
    body: { email: coOwner, role: 'owner' },
  });
  expect(invited.status, JSON.stringify(invited.body)).toBe(201);
  await env.signInAs(coOwner);
});

describe('SSO enforcement on: PreAuthentication', () => {
  beforeEach(() => enforce('on', [boss]));

  it("refuses a password sign-in on the connection's domain with SSO required, naming the connection, and records it", async () => {
    const email = onDomain('pw');
    const { error } = await signIn(email);
    expect(error).toMatch(/^SSO required/);
    expect(error).toContain(connection.name);
    const denied = await orgEvents('sign_in_denied', email);
    expect(denied).toHaveLength(1);
    expect(denied[0]!.details).toMatchObject({
      reason: 'sso_required',
      connection: connection.name,
    });
  });

  it('records the refusals of an address at most once an hour, and marks no sign-in without SSO', async () => {
    const email = onDomain('again');
    for (let i = 0; i < 3; i++) expect((await signIn(email)).error).toMatch(/^SSO required/);
    expect(await orgEvents('sign_in_denied', email)).toHaveLength(1);
    expect(await marker(email)).toBeUndefined();
    // The throttle is a notice of the person's, mirrored in their summary like every notice.
    const sk = keys.notice(email, 'sso-denied', connection.id).sk;
    const summary = await env.db.send(
      new GetCommand({
        TableName: env.tableName,
        Key: primaryKey(keys.personSummary(email)),
        ConsistentRead: true,
      }),
    );
    expect(summary.Item?.[sk]).toMatchObject({ kind: 'sso-denied', orgId: connection.id });
    // An hour later, the next refusal is recorded again.
    const anHourAgo = new Date(Date.now() - 61 * 60 * 1000).toISOString();
    await env.db.send(
      new UpdateCommand({
        TableName: env.tableName,
        Key: primaryKey(keys.notice(email, 'sso-denied', connection.id)),
        UpdateExpression: 'SET #at = :old',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':old': anHourAgo },
      }),
    );
    await env.db.send(
      new UpdateCommand({
        TableName: env.tableName,
        Key: primaryKey(keys.personSummary(email)),
        UpdateExpression: 'SET #n.#at = :old',
        ExpressionAttributeNames: { '#n': sk, '#at': 'at' },
        ExpressionAttributeValues: { ':old': anHourAgo },
      }),
    );
    expect((await signIn(email)).error).toMatch(/^SSO required/);
    expect(await orgEvents('sign_in_denied', email)).toHaveLength(2);
    expect(await marker(email)).toBeUndefined();
  });

  it('refuses a social sign-in on the domain too', async () => {
    const identities = JSON.stringify([{ providerName: 'Google', primary: 'true' }]);
    const { error } = await signIn(onDomain('social'), { identities });
    expect(error).toMatch(/^SSO required/);
  });

  it("lets through the connection's own provider: that is the SSO sign-in, and marks nothing", async () => {
    const email = onDomain('sso');
    const identities = JSON.stringify([{ providerName: connection.providerName, primary: 'true' }]);
    const { error } = await signIn(email, { identities });
    expect(error).toBeUndefined();
    expect(await marker(email)).toBeUndefined();
  });

  it('lets through a guest from another domain', async () => {
    const { error, payload } = await signIn(`guest-${randomUUID().slice(0, 8)}@example.test`);
    expect(error).toBeUndefined();
    expect(payload.triggerSource).toBe('PreAuthentication_Authentication');
  });

  it('lets a break-glass owner through, records sso_enforcement_bypassed and mails every owner once', async () => {
    const since = await lastInvocationSeq();
    const { error } = await signIn(boss);
    expect(error).toBeUndefined();
    const bypassed = await orgEvents('sso_enforcement_bypassed', boss);
    expect(bypassed).toHaveLength(1);
    // The recorder wrote it, from the trigger's log line; the same batch delivered again (as
    // CloudWatch Logs and Lambda's retries may) writes nothing more.
    const recorded = (
      await invocations({ functionName: functionSpecs.enforcementRecorder.localName, since })
    ).filter((r) =>
      JSON.stringify(
        readLogRecords(r.event as CloudWatchLogsEvent, ENFORCEMENT_RECORD).map((l) => l.data),
      ).includes(boss),
    );
    expect(recorded.map((r) => r.outcome)).toEqual(['success']);
    const again = await invokeFunction(
      functionSpecs.enforcementRecorder.localName,
      recorded[0]!.event,
    );
    expect(again.error).toBeUndefined();
    expect(await orgEvents('sso_enforcement_bypassed', boss)).toHaveLength(1);
    expect(bypassed[0]!.details).toMatchObject({ connection: connection.name });
    for (const owner of [boss, coOwner]) {
      const told = (mails: Awaited<ReturnType<typeof mailTo>>) =>
        mails.filter((m) => m.subject.includes('without SSO'));
      const mails = told(
        await eventually(
          () => mailTo(owner),
          (m) => told(m).length > 0,
        ),
      );
      expect(mails, owner).toHaveLength(1);
      expect(mails[0]!.body.text).toContain(connection.name);
    }
  });
});

describe('SSO enforcement off: the no-lockout marker', () => {
  beforeEach(() => unenforce());

  it('writes the no-lockout marker of a sign-in without SSO once a day', async () => {
    const email = onDomain('marker');
    expect((await signIn(email)).error).toBeUndefined();
    const first = await marker(email);
    const today = new Date().toISOString().slice(0, 10);
    expect(first).toMatchObject({ on: today, ttl: expect.any(Number) });
    expect(first!.ttl * 1000 - Date.parse(today)).toBe(31 * 24 * 3600 * 1000);
    // A marker of an earlier day is replaced; one of today stays as it is.
    await env.db.send(
      new UpdateCommand({
        TableName: env.tableName,
        Key: primaryKey(keys.nonSsoSignIn(connection.id, email)),
        UpdateExpression: 'SET #on = :old, probe = :p',
        ExpressionAttributeNames: { '#on': 'on' },
        ExpressionAttributeValues: { ':old': '2000-01-01', ':p': 1 },
      }),
    );
    await signIn(email);
    const rewritten = await marker(email);
    expect(rewritten).toMatchObject({ on: today });
    expect(rewritten!.probe).toBeUndefined();
    await env.db.send(
      new UpdateCommand({
        TableName: env.tableName,
        Key: primaryKey(keys.nonSsoSignIn(connection.id, email)),
        UpdateExpression: 'SET probe = :p',
        ExpressionAttributeValues: { ':p': 2 },
      }),
    );
    await signIn(email);
    expect((await marker(email))!.probe).toBe(2);
  });
});

describe('the enforcement recorder', () => {
  it("writes only the kinds of record the trigger writes: a forged line's other writes are skipped", async () => {
    const email = onDomain('forged');
    const forged = encodeLogEvents(
      [
        {
          id: 'forged-1',
          timestamp: Date.now(),
          message: JSON.stringify({
            level: 'info',
            message: 'record',
            record: ENFORCEMENT_RECORD,
            data: {
              records: [
                { kind: 'markNonSsoSignIn', connectionId: connection.id, email, on: '2000-01-01' },
              ],
              markers: [{ kind: 'deleteOrg', orgId: org.id }],
            },
          }),
        },
      ],
      `/aws/lambda/${functionSpecs.preAuth.localName}`,
      'forged',
      'forged',
    );
    const out = await invokeFunction(functionSpecs.enforcementRecorder.localName, forged);
    expect(out.error).toBeUndefined();
    expect(await marker(email)).toBeUndefined();
    const still = await call('GET', `/v1/orgs/${org.id}`, { as: boss });
    expect(still.status).toBe(200);
  });
});

describe('SSO enforcement on: PreSignUp', () => {
  beforeEach(() => enforce('on'));

  it('refuses a self-service sign-up of an enforced address', async () => {
    const { error } = await invoke('PreSignUp_SignUp', { email: onDomain('signup') });
    expect(error).toMatch(/^SSO required/);
    expect(error).toContain(connection.name);
  });

  it("never refuses an external provider's sign-up or an operator's AdminCreateUser", async () => {
    for (const source of ['PreSignUp_ExternalProvider', 'PreSignUp_AdminCreateUser'] as const) {
      const { error } = await invoke(source, { email: onDomain('exempt') });
      expect(error, source).toBeUndefined();
    }
  });
});

describe('SSO enforcement in report mode', () => {
  beforeEach(() => enforce('report'));

  it('refuses nothing and records sso_enforcement_would_deny once a day per person', async () => {
    const email = onDomain('report');
    for (let i = 0; i < 3; i++) expect((await signIn(email)).error).toBeUndefined();
    expect(await orgEvents('sso_enforcement_would_deny', email)).toHaveLength(1);
    expect(await orgEvents('sign_in_denied', email)).toHaveLength(0);
    const other = onDomain('report');
    expect((await signIn(other)).error).toBeUndefined();
    expect(await orgEvents('sso_enforcement_would_deny', other)).toHaveLength(1);
  });
});

describe('the table slow or down', () => {
  it('lets the sign-in through within about 1 s, counting EnforcementCheckFailures', async () => {
    // A table endpoint that accepts connections and never answers.
    const sockets: Socket[] = [];
    const server: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as import('node:net').AddressInfo).port;
    const saved = process.env[ENV.dynamodbEndpoint];
    process.env[ENV.dynamodbEndpoint] = `http://127.0.0.1:${port}`;
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk, ...rest) => {
      lines.push(String(chunk));
      return write(chunk, ...(rest as []));
    });
    try {
      vi.resetModules();
      const { handler } = await import('../../functions/pre-auth/handler.ts');
      const input = cognitoEvent(
        { email_verified: 'true', email: onDomain('slow') },
        'PreAuthentication_Authentication',
      );
      const started = Date.now();
      const result = await (handler as unknown as (e: unknown, c: unknown) => Promise<unknown>)(
        structuredClone(input),
        { awsRequestId: 'test', functionName: functionSpecs.preAuth.localName },
      );
      expect(Date.now() - started).toBeLessThan(1800);
      expect(result).toEqual(input);
      expect(lines.some((l) => l.includes('"EnforcementCheckFailures":1'))).toBe(true);
    } finally {
      spy.mockRestore();
      process.env[ENV.dynamodbEndpoint] = saved;
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
