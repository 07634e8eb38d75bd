/**
 * SPEC §8, every door against the same attackers (test/support/attackers.ts): the Cognito
 * sign-in trigger, the HTTP sign-in hook, the admin API, the pre-token trigger's `orgs` claim and
 * SCIM, on the running local stack. A victim tenant owns an org, a verified domain and an SSO
 * connection; another tenant has a connection of its own (the rogue IdP). Every attacker tries to
 * be the victim's owner (takeover) and a newcomer on the victim's domain (creation); every door
 * must refuse, and write nothing about either person. A new door joins the `doors` below.
 */
import { createPrivateKey, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionSpecs } from '../../functions/registry.ts';
import { cognitoEvent } from '../../local/sign-in-fixtures.ts';
import { preTokenEvent } from '../../local/tokens.ts';
import { keys, primaryKey } from '../../shared/table/schema.ts';
import { uniqueSlug } from '../support/admin-harness.ts';
import { adminSuite, type Created } from '../support/admin-suite.ts';
import {
  ATTACKERS,
  type Attacker,
  type Attributes,
  FRIENDS,
  type Tenants,
  trustTable,
} from '../support/attackers.ts';
import { api, hookSignIn, invokeFunction, localStack } from '../support/local-stack.ts';
import { oktaUser, SCIM_USER, scimClient } from '../support/scim.ts';

const require = createRequire(import.meta.url);
const suite = adminSuite();
const { env, call } = suite;

const TAKEOVER_NAME = 'Mallory Takeover';

// ---- the doors -------------------------------------------------------------------------------

const invoke = invokeFunction;

/** The Cognito PostAuthentication trigger, with the attacker's name in the attributes. */
function signInTrigger(attributes: Attributes) {
  return invoke(
    functionSpecs.signIn.localName,
    cognitoEvent({ name: TAKEOVER_NAME, ...attributes }, 'PostAuthentication_Authentication'),
  );
}

/** The pre-token trigger (event version 2): the `orgs` claim it adds, if any. */
async function orgsClaim(attributes: Attributes) {
  const { error, payload } = await invoke(
    functionSpecs.preToken.localName,
    preTokenEvent({ ...attributes }, { userName: randomUUID() }),
  );
  expect(error).toBeUndefined();
  const details = payload.response.claimsAndScopeOverrideDetails;
  return details?.idTokenGeneration?.claimsToAddOrOverride?.orgs as
    | { id: string; role: string }[]
    | undefined;
}

/** The HTTP sign-in hook (the operator's code signs it), with the attacker's name in the body. */
const hook = (body: Record<string, unknown>) => hookSignIn({ ...body, name: TAKEOVER_NAME });

/** An ID token as the local pool issues them, carrying exactly the attributes given. */
async function idToken(attributes: Attributes): Promise<string> {
  const { pem } = require('cognito-local/lib/keys/cognitoLocal.private.json') as { pem: string };
  const { endpoint, userPoolId, clientId } = localStack().cognito;
  const claims: Record<string, unknown> = { ...attributes };
  if (attributes.identities) {
    try {
      claims.identities = JSON.parse(attributes.identities);
    } catch {
      // An unreadable identities claim is sent as it is.
    }
  }
  return new SignJWT({ token_use: 'id', 'cognito:username': `u-${uniqueSlug('x')}`, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'CognitoLocal' })
    .setIssuer(`${endpoint}/${userPoolId}`)
    .setAudience(clientId)
    .setSubject(randomUUID())
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(createPrivateKey(pem));
}

/** The admin API, reading the victim's org with the attributes' token. */
async function adminRead(attributes: Attributes, path: string) {
  const res = await api(path, { token: await idToken(attributes) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

// ---- the tenants -----------------------------------------------------------------------------

let tenants: Tenants;
let victimOrg: Created;
let boss: string;
let victimDomain: string;
let rogueScimBase: string;
let rogueScimToken: string;

const newcomer = () => `newcomer-${randomUUID().slice(0, 8)}@${victimDomain}`;

async function createConnection(
  scope: string,
  as: string,
  body: Record<string, unknown>,
): Promise<{ id: string; providerName: string }> {
  const res = await call('POST', `/v1/${scope}/sso-connections`, {
    as,
    body: { idp: { type: 'saml', metadataUrl: 'https://idp.example.test/metadata' }, ...body },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

beforeAll(async () => {
  const victim = await suite.ssoTenant('Victim SSO');
  ({ boss, org: victimOrg, domain: victimDomain } = victim);
  const victimConn = victim.connection;

  const rogueOrg = await suite.newOrg({ as: suite.stranger });
  const rogueDomain = await suite.verifiedDomain(`orgs/${rogueOrg.id}`, suite.stranger);
  const rogueConn = await createConnection(`orgs/${rogueOrg.id}`, suite.stranger, {
    name: 'Rogue SSO',
    domains: [rogueDomain],
    scim: true,
  });
  const token = await call(
    'POST',
    `/v1/orgs/${rogueOrg.id}/sso-connections/${rogueConn.id}/scim-token`,
    { as: suite.stranger },
  );
  expect(token.status, JSON.stringify(token.body)).toBe(201);
  rogueScimBase = token.body.baseUrl;
  rogueScimToken = token.body.token;

  tenants = trustTable({
    orgId: victimOrg.id,
    orgName: victimOrg.name,
    connectionId: victimConn.id,
    providerName: victimConn.providerName,
    domain: victimDomain,
    rogueProviderName: rogueConn.providerName,
    rogueDomain,
  });
});

/** The victim's org as its owner sees it: members with names. */
async function victimMembers() {
  const res = await call('GET', `/v1/orgs/${victimOrg.id}/members`, { as: boss });
  expect(res.status).toBe(200);
  return res.body.items as { email: string; name: string | null; role: string }[];
}

/** The person's summary as stored (SPEC §13: the day and method of the last sign-in). */
async function summaryOf(email: string): Promise<Record<string, unknown>> {
  const out = await env.db.send(
    new GetCommand({
      TableName: env.tableName,
      Key: primaryKey(keys.personSummary(email)),
      ConsistentRead: true,
    }),
  );
  return out.Item ?? {};
}

async function accountExists(email: string): Promise<boolean> {
  const out = await env.db.send(
    new GetCommand({
      TableName: env.tableName,
      Key: primaryKey(keys.account(email)),
      ConsistentRead: true,
    }),
  );
  return out.Item !== undefined;
}

// ---- every attacker through every door -----------------------------------------------------

/** What each door answers an attacker, by the rule's reason. */
function expectRefused(a: Attacker) {
  return {
    /** SSO sign-ins through a connection's provider are denied; others let through unchanged. */
    signIn: a.reason === 'outside_connection_domains' ? /^Access denied/ : undefined,
    hook: a.reason === 'outside_connection_domains' ? 403 : 200,
  };
}

describe('every door refuses every attacker (SPEC §8)', () => {
  for (const attacker of ATTACKERS) {
    describe(attacker.name, () => {
      it('the sign-in trigger: no takeover, no rename, no account created', async () => {
        const before = await victimMembers();
        const expected = expectRefused(attacker);
        const takeover = await signInTrigger(attacker.attributes(tenants, boss));
        if (expected.signIn) expect(takeover.error).toMatch(expected.signIn);
        else expect(takeover.error).toBeUndefined();
        const stranger = newcomer();
        const creation = await signInTrigger(attacker.attributes(tenants, stranger));
        if (expected.signIn) expect(creation.error).toMatch(expected.signIn);
        else expect(creation.error).toBeUndefined();
        expect(await victimMembers()).toEqual(before);
        expect(await accountExists(stranger)).toBe(false);
      });

      it('the HTTP hook: no memberships answered, nothing written', async () => {
        if (!attacker.hook) {
          // The hook has no such encoding (its body is the operator's signed word): the
          // attributes-only attackers have no hook form; the same rule is asked all the same.
          expect(attacker.reason).toMatch(/^(email_not_verified|unreadable_identities)$/);
          return;
        }
        const before = await victimMembers();
        const expected = expectRefused(attacker);
        const takeover = await hook(attacker.hook(tenants, boss));
        expect(takeover.status).toBe(expected.hook);
        if (takeover.status === 200) expect(takeover.body.memberships).toEqual([]);
        const stranger = newcomer();
        const creation = await hook(attacker.hook(tenants, stranger));
        expect(creation.status).toBe(expected.hook);
        expect(await victimMembers()).toEqual(before);
        expect(await accountExists(stranger)).toBe(false);
      });

      it('the admin API: 401 with a problem, the org unseen', async () => {
        const res = await adminRead(attacker.attributes(tenants, boss), `/v1/orgs/${victimOrg.id}`);
        expect(res.status).toBe(401);
        expect(res.body.detail).toEqual(expect.any(String));
        const me = await adminRead(attacker.attributes(tenants, boss), '/v1/me');
        expect(me.status).toBe(401);
        const audit = await adminRead(
          attacker.attributes(tenants, boss),
          `/v1/orgs/${victimOrg.id}/domain-audit`,
        );
        expect(audit.status).toBe(401);
      });

      it('the domain audit: the newcomer never listed, the owner’s last sign-in untouched', async () => {
        const before = await summaryOf(boss);
        const stranger = newcomer();
        await signInTrigger(attacker.attributes(tenants, stranger));
        if (attacker.hook) await hook(attacker.hook(tenants, stranger));
        await signInTrigger(attacker.attributes(tenants, boss));
        if (attacker.hook) await hook(attacker.hook(tenants, boss));
        const res = await call('GET', `/v1/orgs/${victimOrg.id}/domain-audit`, { as: boss });
        expect(res.status).toBe(200);
        expect(res.body.items.map((r: { email: string }) => r.email)).not.toContain(stranger);
        const after = await summaryOf(boss);
        expect([after.lastSignInOn, after.lastSignInMethod, after.summaryRev]).toEqual([
          before.lastSignInOn,
          before.lastSignInMethod,
          before.summaryRev,
        ]);
      });

      it('the orgs token claim: none', async () => {
        expect(await orgsClaim(attacker.attributes(tenants, boss))).toBeUndefined();
      });
    });
  }

  it("SCIM: the rogue IdP's own SCIM token cannot create the victim's people", async () => {
    const rogue = scimClient(rogueScimBase, rogueScimToken);
    const res = await rogue.call('POST', '/Users', oktaUser(boss));
    expect(res.status).toBe(400);
    const newRes = await rogue.call('POST', '/Users', {
      schemas: [SCIM_USER],
      userName: newcomer(),
    });
    expect(newRes.status).toBe(400);
    expect((await victimMembers()).map((m) => m.email)).toEqual([boss]);
  });

  it('SCIM: a provider no connection names has no SCIM endpoint (401, whatever the token)', async () => {
    const nowhere = scimClient(`${localStack().apiUrl}/scim/v2/${randomUUID()}`, rogueScimToken);
    expect((await nowhere.call('GET', '/Users')).status).toBe(401);
  });
});

describe('every door still lets the right people in (SPEC §8)', () => {
  for (const friend of FRIENDS) {
    it(`${friend.name}: allowed, with the orgs they hold`, async () => {
      const email = friend.via === 'connection' ? newcomer() : boss;
      const attributes = friend.attributes(tenants, email);
      const signIn = await signInTrigger(attributes);
      expect(signIn.error).toBeUndefined();
      const orgs = await orgsClaim(attributes);
      const me = await adminRead(attributes, '/v1/me');
      expect(me.status, JSON.stringify(me.body)).toBe(200);
      expect(me.body.email).toBe(email);
      const expectedRole = email === boss ? 'owner' : 'member';
      expect(orgs).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: victimOrg.id, role: expectedRole })]),
      );
      const org = await adminRead(attributes, `/v1/orgs/${victimOrg.id}`);
      expect(org.status).toBe(email === boss ? 200 : 404);
    });
  }
});

describe('with SSO enforcement on, the enforcement door refuses every attacker before authentication (SPEC §12)', () => {
  /** Cognito's PreAuthentication trigger, as it is invoked before a sign-in authenticates. */
  const preAuthentication = (attributes: Attributes) =>
    invoke(
      functionSpecs.preAuth.localName,
      cognitoEvent({ ...attributes }, 'PreAuthentication_Authentication'),
    );

  beforeAll(async () => {
    // No lockout: an SSO sign-in through the connection comes first, then enforcement goes on.
    const sso = await hookSignIn({
      email: newcomer(),
      emailVerified: true,
      connection: tenants.connection.providerName,
    });
    expect(sso.status, JSON.stringify(sso.body)).toBe(200);
    const on = await call(
      'PATCH',
      `/v1/orgs/${victimOrg.id}/sso-connections/${tenants.connection.id}`,
      { as: boss, body: { enforcement: 'on' } },
    );
    expect(on.status, JSON.stringify(on.body)).toBe(200);
  });

  for (const attacker of ATTACKERS) {
    it(`refuses ${attacker.name}: SSO required, naming the connection`, async () => {
      const refused = await preAuthentication(attacker.attributes(tenants, boss));
      expect(refused.error).toMatch(/^SSO required.*Victim SSO/);
      const stranger = await preAuthentication(attacker.attributes(tenants, newcomer()));
      expect(stranger.error).toMatch(/^SSO required/);
    });
  }

  it("lets the connection's own provider through, and a guest of another domain", async () => {
    const own = await preAuthentication({
      email: newcomer(),
      identities: JSON.stringify([
        { providerName: tenants.connection.providerName, primary: 'true' },
      ]),
    });
    expect(own.error).toBeUndefined();
    const guest = await preAuthentication({
      email: `guest-${randomUUID().slice(0, 8)}@example.test`,
      email_verified: 'true',
    });
    expect(guest.error).toBeUndefined();
  });
});
