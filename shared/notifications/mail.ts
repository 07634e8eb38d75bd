/**
 * The mail port (SPEC §4): what the notifier hands the mailer. The SES adapter
 * (`shared/adapters/ses/mailer.ts`) implements it.
 */

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /** Sends one mail; resolves to SES's message id. */
  send(mail: Mail): Promise<string>;
}
