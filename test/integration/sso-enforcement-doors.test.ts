/**
 * SPEC §12, the doors after authentication, on the running local stack: a session that is not an
 * SSO session through the enforcing connection, of an address on an enforced domain, fails to
 * refresh (pre-token on `TokenGeneration_RefreshTokens`), is answered 403 `SSO required` by the
 * HTTP hook and 401 `SSO required` by the admin API; the connection's own sign-ins, break-glass
 * owners and guests pass; report mode refuses nothing. Cognito's PreAuthentication door has its
 * own file (sso-enforcement-pre-auth.test.ts); the local Cognito endpoint's is below.
 *
 * The connection's enforcement is written onto the verified domain's item directly (the item every
 * door reads), not through the connection API, which is built beside these doors.
 */
import { createPrivateKey, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FunctionId, functionSpecs } from '../../functions/registry.ts';
import { preTokenEvent } from '../../local/tokens.ts';
import type { DomainEnforcement } from '../../shared/model/types.ts';
import { keys, primaryKey } from '../../shared/table/schema.ts';
import { uniqueSlug } from '../support/admin-harness.ts';
import { adminSuite, type Created } from '../support/admin-suite.ts';
import { identitiesOf } from '../support/attackers.ts';
import {
  api,
  createUser,
  hookSignIn,
  invokeFunction,
  localStack,
  signIn,
  signUp,
} from '../support/local-stack.ts';

const require = createRequire(import.meta.url);
const suite = adminSuite();
const { env, call } = suite;

type Attributes = Record<string, string>;

let org: Created;
let boss: string;
let domain: string;
let connection: { id: string; name: string; providerName: string };

const onDomain = (label: string) => `${label}-${randomUUID().slice(0, 8)}@${domain}`;
const password = (email: string): Attributes => ({ email, email_verified: 'true' });
const sso = (email: string): Attributes => ({
  email,
  identities: identitiesOf(connection.providerName),
});

/** Sets the enforcement the verified domain's item mirrors (as the connection API will). */
async function enforce(mode: 'on' | 'report' | 'off', breakGlass: string[] = []) {
  const enforcement: DomainEnforcement = {
    connectionId: connection.id,
    connectionName: connection.name,
    providerName: connection.providerName,
    mode: mode === 'off' ? 'on' : mode,
    breakGlass,
    defaultOrg: { id: org.id, name: org.name },
    companyId: null,
  };
  await env.db.send(
    new UpdateCommand({
      TableName: env.tableName,
      Key: primaryKey(keys.domainVerified(domain)),
      ...(mode === 'off'
        ? { UpdateExpression: 'REMOVE enforcement' }
        : {
            UpdateExpression: 'SET enforcement = :e',
            ExpressionAttributeValues: { ':e': enforcement },
          }),
      ConditionExpression: 'attribute_exists(pk)',
    }),
  );
}

/** Invokes a function; `error` is the message Cognito would show when it throws. */
const invoke = (fn: FunctionId, event: unknown) =>
  invokeFunction(functionSpecs[fn].localName, event);

/** Pre Token Generation on a refresh (or another trigger source) of a session with `attributes`. */
const refresh = (attributes: Attributes, triggerSource = 'TokenGeneration_RefreshTokens') =>
  invoke('preToken', preTokenEvent(attributes, { triggerSource, userName: randomUUID() }));

/** An ID token as the local pool issues them, carrying exactly the attributes given. */
async function idToken(attributes: Attributes): Promise<string> {
  const { pem } = require('cognito-local/lib/keys/cognitoLocal.private.json') as { pem: string };
  const { endpoint, userPoolId, clientId } = localStack().cognito;
  const claims: Record<string, unknown> = { ...attributes };
  if (attributes.identities) claims.identities = JSON.parse(attributes.identities);
  return new SignJWT({ token_use: 'id', 'cognito:username': `u-${uniqueSlug('x')}`, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'CognitoLocal' })
    .setIssuer(`${endpoint}/${userPoolId}`)
    .setAudience(clientId)
    .setSubject(randomUUID())
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(createPrivateKey(pem));
}

/** `GET /v1/me` with a token carrying `attributes`. */
async function me(attributes: Attributes) {
  const res = await api('/v1/me', { token: await idToken(attributes) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function orgEvents(type: string, subject: string) {
  const res = await call('GET', `/v1/orgs/${org.id}/events`, { as: boss, query: { limit: '100' } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (
    res.body.items as { type: string; subject: string; details: Record<string, unknown> }[]
  ).filter((e) => e.type === type && e.subject === subject);
}

beforeAll(async () => {
  ({ boss, org, domain, connection } = await suite.ssoTenant());
});

afterAll(() => enforce('off'));

describe('SSO enforcement on: the doors after authentication', () => {
  beforeEach(() => enforce('on', [boss]));

  it('ends a password session of an enforced address at its next refresh, naming the connection', async () => {
    const { error } = await refresh(password(onDomain('pw')));
    expect(error).toMatch(/^SSO required/);
    expect(error).toContain(connection.name);
    // A social session or another provider's is no SSO session through the connection either.
    const social = await refresh({
      ...password(onDomain('social')),
      identities: identitiesOf('Google'),
    });
    expect(social.error).toMatch(/^SSO required/);
  });

  it('refreshes an SSO session through the connection, and a break-glass owner’s password session', async () => {
    expect((await refresh(sso(onDomain('sso')))).error).toBeUndefined();
    const owner = await refresh(password(boss));
    expect(owner.error).toBeUndefined();
    expect(owner.payload.response.claimsAndScopeOverrideDetails.idTokenGeneration).toBeDefined();
  });

  it('refuses nothing at pre-token on other trigger sources (PreAuthentication refused first)', async () => {
    for (const source of ['TokenGeneration_Authentication', 'TokenGeneration_HostedAuth']) {
      expect((await refresh(password(onDomain('pw')), source)).error).toBeUndefined();
    }
  });

  it('answers the hook 403 SSO required for a sign-in without connection, writing only the denial', async () => {
    const email = onDomain('hook');
    const res = await hookSignIn({ email, emailVerified: true });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      title: 'SSO required',
      detail: expect.stringMatching(/^SSO required/),
    });
    expect(res.body.type).toMatch(/sso-required$/);
    expect(await orgEvents('sign_in_denied', email)).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ reason: 'sso_required' }) }),
    ]);
    const social = await hookSignIn({ email, emailVerified: true, connection: 'Google' });
    expect(social.status).toBe(403);
  });

  it("lets the hook's sign-in through the connection's provider in", async () => {
    const email = onDomain('hook-sso');
    const res = await hookSignIn({ email, connection: connection.providerName });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.memberships).toEqual([expect.objectContaining({ orgId: org.id })]);
  });

  it('lets a break-glass owner through the hook, recording the bypass', async () => {
    const res = await hookSignIn({ email: boss, emailVerified: true });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await orgEvents('sso_enforcement_bypassed', boss)).not.toEqual([]);
  });

  it('answers the admin API 401 SSO required for a password or social token of an enforced address', async () => {
    const res = await me(password(onDomain('api')));
    expect(res.status).toBe(401);
    expect(res.body.detail).toMatch(/^SSO required/);
    const social = await me({ ...password(onDomain('api')), identities: identitiesOf('Google') });
    expect(social.status).toBe(401);
    expect(social.body.detail).toMatch(/^SSO required/);
  });

  it("lets the connection's tokens, break-glass owners and guests use the admin API", async () => {
    expect((await me(sso(onDomain('api-sso')))).status).toBe(200);
    expect((await me(password(boss))).status).toBe(200);
    expect((await me(password(`guest-${randomUUID().slice(0, 8)}@example.test`))).status).toBe(200);
  });
});

describe('SSO enforcement on: the local Cognito endpoint runs PreAuthentication and PreSignUp', () => {
  const keeper = () => onDomain('keeper');
  let breakGlass: string;
  beforeAll(() => {
    breakGlass = keeper();
  });
  beforeEach(() => enforce('on', [boss, breakGlass]));

  it("refuses a password InitiateAuth with the trigger's message, as Cognito does", async () => {
    const user = await createUser({ email: onDomain('cognito') });
    await expect(signIn(user)).rejects.toMatchObject({
      name: 'UserLambdaValidationException',
      message: expect.stringMatching(/^PreAuthentication failed with error SSO required/),
    });
  });

  it('refuses a self-service SignUp with the PreSignUp message', async () => {
    await expect(signUp({ email: onDomain('signup') })).rejects.toMatchObject({
      name: 'UserLambdaValidationException',
      message: expect.stringMatching(/^PreSignUp failed with error SSO required/),
    });
  });

  it('lets a break-glass owner and a guest sign in with a password', async () => {
    await expect(signIn(await createUser({ email: breakGlass }))).resolves.toMatchObject({
      idToken: expect.any(String),
    });
    await expect(signIn(await createUser())).resolves.toMatchObject({
      idToken: expect.any(String),
    });
  });
});

describe('SSO enforcement in report mode', () => {
  beforeEach(() => enforce('report'));

  it('refuses nothing at refresh, the hook or the admin API', async () => {
    const email = onDomain('report');
    expect((await refresh(password(email))).error).toBeUndefined();
    expect((await hookSignIn({ email, emailVerified: true })).status).toBe(200);
    expect((await me(password(email))).status).toBe(200);
  });
});
