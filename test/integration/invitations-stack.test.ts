/**
 * SPEC §13 through the local stack: the HTTP API with cognito-local tokens, the admin function
 * behind it, the notifier on the table's stream and the local SES. A CSV bulk invitation mails
 * each invitee once, and repeating it under its Idempotency-Key mails nobody again; a resend
 * mails again.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expectProblem } from '../support/admin-harness.ts';
import { adminSuite } from '../support/admin-suite.ts';
import { eventually, mailTo } from '../support/mail.ts';

const { call, owner, newOrg } = adminSuite();

describe('bulk invitations and resend through the HTTP API (SPEC §13)', () => {
  it('mails each invitee of a CSV once, and nobody again for a repeated key; a resend within 10 minutes is 429', async () => {
    const org = await newOrg({ seatLimit: 10 });
    const t = randomUUID().slice(0, 8);
    const emails = [`ann-${t}@example.test`, `bob-${t}@example.test`];
    const csv = `\uFEFFemail,role,team\n"${emails[0]}",member,"design"\n${emails[1]},owner,\n`;
    const send = () =>
      call('POST', `/v1/orgs/${org.id}/invitations:bulk`, {
        as: owner,
        rawBody: csv,
        headers: { 'content-type': 'text/csv', 'idempotency-key': `stack-${t}` },
      });
    const first = await send();
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.counts).toMatchObject({ invited: 2 });
    for (const email of emails) {
      const mails = await eventually(
        () => mailTo(email),
        (m) => m.length >= 1,
      );
      expect(mails).toHaveLength(1);
    }
    const again = await send();
    expect(again.body).toEqual(first.body);

    const listed = await call('GET', `/v1/orgs/${org.id}/invitations`, { as: owner });
    expect(listed.body.items).toEqual(
      expect.arrayContaining(
        emails.map((email) =>
          expect.objectContaining({ email, status: 'pending', expiresAt: expect.any(String) }),
        ),
      ),
    );

    // Within 10 minutes of the mail: 429 with Retry-After, through API Gateway's headers too.
    const soon = await call(
      'POST',
      `/v1/orgs/${org.id}/invitations/${encodeURIComponent(emails[0]!)}/resend`,
      { as: owner },
    );
    expectProblem(soon, 429);
    expect(Number(soon.headers['retry-after'])).toBeGreaterThan(0);
    // Still one mail each once the notifier has had time for any stray second one.
    await new Promise((r) => setTimeout(r, 1500));
    for (const email of emails) expect(await mailTo(email)).toHaveLength(1);
  });
});
