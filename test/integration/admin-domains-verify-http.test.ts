/**
 * `POST /v1/{scope}/domains/{domain}/verify` through the local stack's HTTP API: the stack's own
 * admin function resolves through the loopback DNS server the tests publish records on.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { adminSuite } from '../support/admin-suite.ts';
import { stackDns } from '../support/local-stack.ts';

const { call, owner, newOrg, addDomain } = adminSuite();
let orgId: string;

beforeAll(async () => {
  orgId = (await newOrg()).id;
});

describe('domain verification over HTTP', () => {
  it('verifies once the TXT record is published', async () => {
    const { domain, txtRecord: txt } = await addDomain(`orgs/${orgId}`);
    await stackDns().setTxt(txt.name, ['v=spf1 -all', txt.value]);
    const verified = await call('POST', `/v1/orgs/${orgId}/domains/${domain}/verify`, {
      as: owner,
    });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ domain, status: 'verified' });
  });

  it('answers 409 with what was found when the record is missing or wrong, looking afresh each time', async () => {
    const { domain, txtRecord: txt } = await addDomain(`orgs/${orgId}`);
    await stackDns().setTxt(txt.name, ['provisio-verification=not-yours']);
    const wrong = await call('POST', `/v1/orgs/${orgId}/domains/${domain}/verify`, {
      as: owner,
    });
    expect(wrong.status).toBe(409);
    expect(wrong.headers['content-type']).toBe('application/problem+json');
    expect(wrong.body.found).toEqual(['provisio-verification=not-yours']);
    await stackDns().removeTxt(txt.name);
    const missing = await call('POST', `/v1/orgs/${orgId}/domains/${domain}/verify`, {
      as: owner,
    });
    expect(missing.status).toBe(409);
    expect(missing.body.found).toEqual([]);
    await stackDns().setTxt(txt.name, [txt.value]);
    expect(
      (await call('POST', `/v1/orgs/${orgId}/domains/${domain}/verify`, { as: owner })).status,
    ).toBe(200);
  });
});
