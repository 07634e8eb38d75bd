/**
 * Sending mail through SES (API v2). The client is built once per process and passed in, so
 * tests and the local stack hand in one pointed at aws-ses-v2-local.
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Config } from '../../config.ts';
import { UnavailableError, ValidationError } from '../../errors.ts';
import type { Mailer } from '../../notifications/mail.ts';

/** An SES client for the configured region, or the local stack's endpoint. */
export function createSesClient(config: Pick<Config, 'region' | 'sesEndpoint'>): SESv2Client {
  return new SESv2Client({
    region: config.region,
    ...(config.sesEndpoint ? { endpoint: config.sesEndpoint } : {}),
    maxAttempts: 3,
    // throwOnRequestTimeout: without it the handler only logs when requestTimeout passes (see the DynamoDB client).
    requestHandler: { connectionTimeout: 1000, requestTimeout: 5000, throwOnRequestTimeout: true },
  });
}

const PERMANENT = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'BadRequestException',
  'NotFoundException',
]);

/** A mailer sending from `from`; SES errors become `ValidationError` (permanent) or `UnavailableError` (retry). */
export function createMailer(client: SESv2Client, from: string): Mailer {
  return {
    async send(mail) {
      try {
        const out = await client.send(
          new SendEmailCommand({
            FromEmailAddress: from,
            Destination: { ToAddresses: [mail.to] },
            Content: {
              Simple: {
                Subject: { Data: mail.subject, Charset: 'UTF-8' },
                Body: {
                  Text: { Data: mail.text, Charset: 'UTF-8' },
                  Html: { Data: mail.html, Charset: 'UTF-8' },
                },
              },
            },
          }),
        );
        return out.MessageId ?? '';
      } catch (error) {
        const name = error instanceof Error ? error.name : '';
        if (PERMANENT.has(name))
          throw new ValidationError('to', `SES refused the message: ${(error as Error).message}`);
        throw new UnavailableError('SES is temporarily unavailable', { cause: error });
      }
    },
  };
}
