/**
 * The delivery records that make notification mail exactly-once, against DynamoDB Local.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignInFixture, type SignInFixture } from '../../local/sign-in-fixtures.ts';
import { createDeliveryStore } from '../../shared/adapters/dynamodb/delivery-store.ts';
import type { DeliveryStore } from '../../shared/notifications/deliver.ts';
import { DELIVERY_LEASE_MS } from '../../shared/notifications/deliver.ts';
import { dynamodbEndpoint } from '../support/endpoints.ts';

let fx: SignInFixture;
let store: DeliveryStore;

beforeAll(async () => {
  fx = await createSignInFixture(dynamodbEndpoint());
  store = createDeliveryStore(fx.db, fx.tableName);
});
afterAll(async () => {
  await fx?.drop();
});

const T0 = new Date('2026-11-23T10:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

describe('delivery records', () => {
  it('lets one claim win; a second sees it in flight until the lease runs out', async () => {
    expect(await store.claim('o1', 'a@x', T0, DELIVERY_LEASE_MS)).toBe('claimed');
    expect(await store.claim('o1', 'a@x', later(1000), DELIVERY_LEASE_MS)).toBe('in-flight');
    expect(await store.claim('o1', 'a@x', later(DELIVERY_LEASE_MS + 1), DELIVERY_LEASE_MS)).toBe(
      'claimed',
    );
  });

  it('never re-claims a sent delivery, however late', async () => {
    expect(await store.claim('o2', 'a@x', T0, DELIVERY_LEASE_MS)).toBe('claimed');
    await store.markSent('o2', 'a@x', 'msg-1', later(10));
    expect(await store.claim('o2', 'a@x', later(10 * DELIVERY_LEASE_MS), DELIVERY_LEASE_MS)).toBe(
      'already-sent',
    );
  });

  it('frees a released claim at once, and releasing a sent delivery changes nothing', async () => {
    expect(await store.claim('o3', 'a@x', T0, DELIVERY_LEASE_MS)).toBe('claimed');
    await store.release('o3', 'a@x');
    expect(await store.claim('o3', 'a@x', later(1), DELIVERY_LEASE_MS)).toBe('claimed');
    await store.markSent('o3', 'a@x', 'msg-2', later(2));
    await store.release('o3', 'a@x');
    expect(await store.claim('o3', 'a@x', later(3), DELIVERY_LEASE_MS)).toBe('already-sent');
  });

  it('lists org owners and company owners as recipients, the invitee for an invitation', async () => {
    const companyId = await fx.company('Recipients Co');
    const org = await fx.org('recipients-org', { companyId });
    await fx.member('owner@x.test', org, { role: 'owner' });
    await fx.member('member@x.test', org, { role: 'member' });
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const { companyOwnerItem } = await import('../../shared/adapters/dynamodb/items.ts');
    await fx.db.send(
      new PutCommand({
        TableName: fx.tableName,
        Item: companyOwnerItem(companyId, 'Recipients Co', 'boss@x.test', T0.toISOString()),
      }),
    );
    const n = {
      type: 'member_added' as const,
      orgId: org.id,
      orgName: org.name,
      companyId: null,
      email: 'new@x.test',
      name: null,
      details: {},
    };
    expect((await store.recipients(n)).sort()).toEqual(['boss@x.test', 'owner@x.test']);
    expect(await store.recipients({ ...n, type: 'invitation' })).toEqual(['new@x.test']);
  });
});
