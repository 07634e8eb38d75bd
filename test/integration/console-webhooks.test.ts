/**
 * The console's Webhooks screen (SPEC §11), in headless Chromium against the local stack: an
 * owner adds an endpoint (the cloud metadata address refused under its field first), sees and
 * copies its signing secret once, edits its event types, disables and enables it, rotates the
 * secret by keyboard (the new one shown once), lists its deliveries (attempts recorded as the
 * delivery worker records them), asks for a replay (refused while disabled, accepted once
 * enabled), sees it all at 360 px and deletes it; then a company's Webhooks tab, with a real
 * delivery to a receiver on loopback (which the local stack allows, over http). Every screen
 * passes axe-core (no serious or critical violations) and is saved as a screenshot
 * (test/support/browser.ts says where).
 *
 * The org endpoint's host resolves, on the stack's DNS server, to a public address while it is
 * added (creation checks it) and to 127.0.0.1 afterwards, so that whatever the stack delivers
 * to it goes to this machine's port 443 (where nothing listens: the attempt fails) and nothing
 * leaves the machine.
 */
import { randomUUID } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient } from '../../shared/adapters/dynamodb/client.ts';
import { createWebhookDeliveryStore } from '../../shared/adapters/dynamodb/webhook-store.ts';
import type { DeliveryAttemptRecord } from '../../shared/model/webhooks.ts';
import {
  launchBrowser,
  screenshot,
  seriousAxeViolations,
  type TestBrowser,
} from '../support/browser.ts';
import {
  api,
  createUser,
  localStack,
  signIn,
  stackDns,
  type TestUser,
} from '../support/local-stack.ts';
import { startReceiver } from '../support/webhook-receiver.ts';

const suffix = randomUUID().slice(0, 8);
const host = `hooks-${suffix}.example.test`;
const endpoint = `https://${host}/provisio`;

let browser: TestBrowser;
let page: Page;
let owner: TestUser;
let idToken: string;
let orgId: string;
let companyId: string;

async function call(method: string, path: string, body?: unknown) {
  const res = await api(path, {
    method,
    token: idToken,
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

beforeAll(async () => {
  [browser, owner] = await Promise.all([launchBrowser(), createUser()]);
  page = browser.page;
  page.setDefaultTimeout(15_000);
  ({ idToken } = await signIn(owner));
  const org = await call('POST', '/v1/orgs', { name: `hooks-${suffix}` });
  expect(org.status).toBe(201);
  orgId = org.body.id as string;
  const company = await call('POST', '/v1/companies', { name: `Hooks ${suffix}` });
  expect(company.status).toBe(201);
  companyId = company.body.id as string;
  // A public address (Cloudflare's resolver) for the creation check; see the file's comment.
  await stackDns().setAddresses(host, ['1.1.1.1']);
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** Waits until nothing on the page is loading. */
async function settled(): Promise<void> {
  await expect.poll(() => page.locator('.loading').count(), { timeout: 15_000 }).toBe(0);
}

/** No serious or critical accessibility violation, and a screenshot when named. */
async function checkScreen(what: string, name?: string): Promise<void> {
  await settled();
  const violations = await seriousAxeViolations(page);
  expect(violations, `${what}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
  if (name) await screenshot(page, name);
}

/** The error message an input points at with aria-describedby (Field in console/src/ui.tsx). */
async function fieldError(input: Locator): Promise<string> {
  await expect.poll(() => input.getAttribute('aria-invalid')).toBe('true');
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(' ');
  const errorId = ids.find((id) => id.endsWith('-error'));
  expect(errorId, 'the input names its error with aria-describedby').toBeTruthy();
  return ((await page.locator(`[id="${errorId}"]`).textContent()) ?? '').replace('!', '').trim();
}

const row = () => page.getByRole('row').filter({ hasText: endpoint });

/** Chooses `item` in the endpoint's actions menu. */
async function action(item: string): Promise<void> {
  await page.getByRole('button', { name: `Actions for ${endpoint}` }).click();
  await page.getByRole('button', { name: item, exact: true }).click();
}

const webhook = async () => {
  const list = await call('GET', `/v1/orgs/${orgId}/webhooks`);
  return (list.body.items as Record<string, unknown>[]).find((w) => w.url === endpoint);
};

const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;

describe('console: webhooks', { timeout: 90_000 }, () => {
  it('adds an endpoint, showing its signing secret once with a copy button', async () => {
    await page.goto(`${localStack().apiUrl}/console/`);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Choose a profile' }).waitFor();
    await page.goto(`${localStack().apiUrl}/console/#/orgs/${orgId}/members`);
    await page
      .getByRole('navigation', { name: /sections$/ })
      .getByRole('link', { name: 'Webhooks', exact: true })
      .click();
    await page.getByText('No webhook endpoints yet.').waitFor();
    await checkScreen('webhooks, empty');

    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const form = page.getByRole('dialog', { name: 'Add a webhook endpoint' });
    const url = form.getByLabel('Endpoint URL');
    await form.getByLabel('Description (optional)').fill('Billing sync');
    await form.getByRole('radio', { name: 'Only the types I choose' }).check();
    const types = form.getByRole('group', { name: 'Event types' });
    await types.getByRole('checkbox', { name: 'Member added' }).check();
    await types.getByRole('checkbox', { name: 'Member removed' }).check();
    // The cloud metadata address: the API refuses it, naming the field.
    await url.fill('https://169.254.169.254/latest/meta-data');
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    expect(await fieldError(url)).toBe(
      '169.254.169.254 is not a public address (link-local, including cloud metadata).',
    );
    // The dialog scrolled to its button: show its top, with the refused URL.
    await form.evaluate((el: { scrollTop: number }) => {
      el.scrollTop = 0;
    });
    await checkScreen('the endpoint form', '24-webhook-add');

    await url.fill(endpoint);
    await form.getByRole('button', { name: 'Add endpoint' }).click();

    const shown = page.getByRole('dialog', { name: 'Endpoint added: copy its signing secret' });
    const secret = (await shown.getByTestId('webhook-secret').textContent()) ?? '';
    expect(secret).toMatch(SECRET);
    expect(await shown.textContent()).toContain("you won't see it again");
    await shown.getByRole('button', { name: 'Copy signing secret' }).click();
    await shown.getByText('Copied').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    await checkScreen('the secret, shown once', '25-webhook-secret');
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });
    // Shown once: nothing on the page holds it any more, and no answer carries it.
    expect(await page.content()).not.toContain(secret);
    const saved = await webhook();
    expect(saved).toMatchObject({
      description: 'Billing sync',
      types: ['member_added', 'member_removed'],
      enabled: true,
    });
    expect(JSON.stringify(saved)).not.toContain(secret);
    // From now on the host is loopback: any delivery is refused before it connects.
    await stackDns().setAddresses(host, ['127.0.0.1']);

    const r = row();
    expect(await r.textContent()).toContain('Billing sync');
    expect(await r.textContent()).toContain('Member added, Member removed');
    expect(await r.getByText('Enabled').count()).toBe(1);
  });

  it('edits the endpoint: no event type chosen is refused under the types, then all events', async () => {
    await action('Edit');
    const form = page.getByRole('dialog', { name: 'Edit webhook endpoint' });
    expect(await form.getByLabel('Endpoint URL').inputValue()).toBe(endpoint);
    const types = form.getByRole('group', { name: 'Event types' });
    await types.getByRole('checkbox', { name: 'Member added' }).uncheck();
    await types.getByRole('checkbox', { name: 'Member removed' }).uncheck();
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => types.textContent()).toContain('Must name at least one event type.');
    expect(await types.getAttribute('aria-describedby')).toMatch(/-error$/);

    await form.getByRole('radio', { name: 'All events, and types added later' }).check();
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });
    await row().getByText('All events').waitFor();
    expect((await webhook())?.types).toBeNull();
  });

  it('disables and enables the endpoint, each after a confirmation', async () => {
    await action('Disable');
    const disable = page.getByRole('dialog', { name: `Disable the endpoint at ${host}?` });
    await disable.getByRole('button', { name: 'Disable endpoint' }).click();
    await disable.waitFor({ state: 'detached' });
    await row().getByText('Disabled by an owner.').waitFor();
    expect((await webhook())?.enabled).toBe(false);

    // A replay of a disabled endpoint is a 409, shown under the replay form.
    await action('Deliveries and replay');
    const deliveries = page.getByRole('region', { name: `Deliveries to ${endpoint}` });
    await expect
      .poll(() => page.evaluate('document.activeElement && document.activeElement.id'))
      .toBe(await deliveries.getByRole('heading').first().getAttribute('id'));
    await deliveries.getByLabel('From seq').fill('1');
    await deliveries.getByRole('button', { name: 'Replay' }).click();
    await expect
      .poll(() => deliveries.getByRole('alert').textContent())
      .toMatch(/disabled; enable it before replaying/);

    await action('Enable');
    const enable = page.getByRole('dialog', { name: `Enable the endpoint at ${host}?` });
    expect(await enable.textContent()).toContain('Deliveries and replay');
    await checkScreen('enable, confirmed first');
    await enable.getByRole('button', { name: 'Enable endpoint' }).click();
    await enable.waitFor({ state: 'detached' });
    await row().getByText('Enabled').waitFor();
    expect((await webhook())?.enabled).toBe(true);
  });

  it('rotates the signing secret by keyboard, showing the new one once and until when both sign', async () => {
    // The actions menu by keyboard: Enter opens it, arrow keys move, Enter chooses.
    const actions = page.getByRole('button', { name: `Actions for ${endpoint}` });
    await actions.focus();
    await page.keyboard.press('Enter');
    const rotate = page.getByRole('button', { name: 'Rotate signing secret', exact: true });
    for (let i = 0; i < 5; i++) {
      if (await rotate.evaluate((el) => el === el.ownerDocument.activeElement)) break;
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('dialog', { name: `Rotate the signing secret of ${host}?` });
    expect(await confirm.textContent()).toContain(
      'For 24 hours every delivery is signed with both',
    );
    await confirm.getByRole('button', { name: 'Rotate secret' }).click();

    const shown = page.getByRole('dialog', { name: 'New signing secret' });
    const secret = (await shown.getByTestId('webhook-secret').textContent()) ?? '';
    expect(secret).toMatch(SECRET);
    expect(await shown.textContent()).toContain("you won't see it again");
    const until = await shown.locator('time').getAttribute('datetime');
    const hours = (Date.parse(until ?? '') - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.5);
    expect(hours).toBeLessThanOrEqual(24);
    await checkScreen('the rotated secret');
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(secret);
    // Focus is back on the row's actions button.
    expect(await actions.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
  });

  it('lists the deliveries: when, event id and seq, the answer or error, the duration', async () => {
    // Attempts as the delivery worker records them, through its store, on the stack's table.
    const id = (await webhook())?.id as string;
    // Seconds ago: newer than what the stack itself attempted, so they lead the first page.
    const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();
    const attempt = (a: Partial<DeliveryAttemptRecord>): DeliveryAttemptRecord => ({
      webhookId: id,
      eventId: randomUUID(),
      seq: 1,
      type: 'member_added',
      attempt: 1,
      at: ago(3),
      statusCode: null,
      error: null,
      durationMs: 0,
      outcome: 'delivered',
      nextAttemptAt: null,
      replay: false,
      ...a,
    });
    const delivered = attempt({ seq: 1, at: ago(3), statusCode: 204, durationMs: 87 });
    const retrying = attempt({
      seq: 2,
      type: 'member_removed',
      at: ago(2),
      statusCode: 503,
      durationMs: 412,
      outcome: 'retrying',
      nextAttemptAt: new Date(Date.now() + 5 * 60_000).toISOString(),
    });
    const refused = attempt({
      seq: 2,
      type: 'member_removed',
      eventId: retrying.eventId,
      attempt: 2,
      at: ago(1),
      error: `${host} resolves to 127.0.0.1, which is not a public address (loopback)`,
      durationMs: 3,
      outcome: 'retrying',
      nextAttemptAt: new Date(Date.now() + 30 * 60_000).toISOString(),
      replay: true,
    });
    const db = createDynamoClient({
      region: 'us-east-1',
      dynamodbEndpoint: localStack().dynamodb.endpoint,
    });
    try {
      const store = createWebhookDeliveryStore(db, localStack().dynamodb.tableName);
      for (const a of [delivered, retrying, refused]) await store.recordAttempt(a);
    } finally {
      db.destroy();
    }

    const deliveries = page.getByRole('region', { name: `Deliveries to ${endpoint}` });
    await deliveries.getByRole('button', { name: 'Refresh' }).click();
    await settled();
    const table = deliveries.getByRole('table', { name: `Delivery attempts to ${endpoint}` });
    const rows = table.locator('tbody tr');
    // Newest first; the stack's own attempts (to 127.0.0.1:443, refused) may be among them.
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(3);
    const text = (eventId: string, n = 0) =>
      table.locator(`tr[data-event-id="${eventId}"]`).nth(n).textContent();
    expect(await text(delivered.eventId)).toMatch(/Member added.*Delivered HTTP 204.*87 ms/);
    expect(await text(delivered.eventId)).toContain(delivered.eventId);
    expect(await text(refused.eventId, 0)).toMatch(
      /attempt 2, replayed.*Retrying.*not a public address \(loopback\)Next attempt.*3 ms/,
    );
    expect(await text(refused.eventId, 1)).toMatch(/Retrying HTTP 503Next attempt.*412 ms/);
    const order = await table
      .locator('tbody tr')
      .evaluateAll((trs: { getAttribute(n: string): string | null }[]) =>
        trs.map((tr) => tr.getAttribute('data-event-id')),
      );
    expect(order.indexOf(refused.eventId)).toBeLessThan(order.indexOf(delivered.eventId));
  });

  it('asks for a replay from a seq, and fits a 360 px wide screen', async () => {
    const deliveries = page.getByRole('region', { name: `Deliveries to ${endpoint}` });
    await deliveries.getByLabel('From seq').fill('1');
    await deliveries.getByRole('button', { name: 'Replay' }).click();
    await expect
      .poll(() => deliveries.getByTestId('replay-requested').textContent())
      .toMatch(/^Replay from seq 1 requested/);
    await checkScreen('deliveries and replay', '26-webhook-deliveries');

    await page.setViewportSize({ width: 360, height: 780 });
    try {
      await settled();
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
      await checkScreen('webhooks at 360 px', '28-webhooks-360px');
    } finally {
      await page.setViewportSize({ width: 1024, height: 720 });
    }
  });

  it('deletes the endpoint after a confirmation', async () => {
    await action('Delete');
    const confirm = page.getByRole('dialog', { name: `Delete the endpoint at ${host}?` });
    await checkScreen('delete, confirmed first');
    await confirm.getByRole('button', { name: 'Delete endpoint' }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.getByText('No webhook endpoints yet.').waitFor();
    // Its deliveries panel went with it.
    expect(await page.getByRole('region', { name: `Deliveries to ${endpoint}` }).count()).toBe(0);
    expect(await webhook()).toBeUndefined();
  });

  it("lists a company's endpoints and a real delivery to one (http to loopback, as the local stack allows)", async () => {
    const receiver = await startReceiver();
    try {
      const created = await call('POST', `/v1/companies/${companyId}/webhooks`, {
        url: receiver.url,
        description: 'Company audit',
      });
      expect(created.status).toBe(201);
      // A second one, on sign-in events only, that an owner disabled.
      const paused = await call('POST', `/v1/companies/${companyId}/webhooks`, {
        url: `${receiver.url}/sign-ins`,
        types: ['sign_in_denied', 'seat_limit_reached'],
      });
      expect(paused.status).toBe(201);
      const off = await call('PATCH', `/v1/companies/${companyId}/webhooks/${paused.body.id}`, {
        enabled: false,
      });
      expect(off.status).toBe(200);
      // A company-level event for the first: a domain added.
      const domain = `hooks-${suffix}.example.test`;
      expect((await call('POST', `/v1/companies/${companyId}/domains`, { domain })).status).toBe(
        201,
      );
      // Generous: the stream poller may be working through other tests' events first.
      const [first] = await receiver.waitFor(1, 60_000);
      const eventId = String(first?.headers['webhook-id']);

      await page.goto(`${localStack().apiUrl}/console/#/companies/${companyId}/webhooks`);
      // Its row, not the one whose URL merely starts with the same address.
      const r = page.getByRole('row').filter({ hasText: 'Company audit' });
      await r.waitFor();
      expect(await r.textContent()).toContain('All events');
      expect(await r.textContent()).toContain('Company audit');
      const disabled = page.getByRole('row').filter({ hasText: `${receiver.url}/sign-ins` });
      expect(await disabled.textContent()).toContain('Sign-in denied, Seat limit reached');
      expect(await disabled.textContent()).toContain('Disabled by an owner.');
      expect(await page.getByText('and those of every organization in it').count()).toBe(1);

      await page.getByRole('button', { name: `Actions for ${receiver.url}`, exact: true }).click();
      await page.getByRole('button', { name: 'Deliveries and replay', exact: true }).click();
      const deliveries = page.getByRole('region', { name: `Deliveries to ${receiver.url}` });
      const attempt = deliveries.locator(`tr[data-event-id="${eventId}"]`).first();
      // The attempt is recorded once the receiver has answered.
      await expect
        .poll(async () => {
          await deliveries.getByRole('button', { name: 'Refresh' }).click();
          await settled();
          return attempt.count();
        })
        .toBe(1);
      expect(await attempt.textContent()).toMatch(/Delivered HTTP 200.*\d+ ms/);
      await checkScreen("a company's webhooks, and a delivery", '27-company-webhooks');
    } finally {
      await receiver.close();
    }

    expect(browser.pageErrors).toEqual([]);
    expect(browser.cspViolations).toEqual([]);
  });
});
