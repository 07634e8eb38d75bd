/**
 * Reading what the local SES received, and waiting for what arrives asynchronously.
 */
import { localStack } from './local-stack.ts';

/** A mail as aws-ses-v2-local keeps it (`GET /store`). */
export interface SesMail {
  subject: string;
  destination: { to: string[] };
  body: { text?: string; html?: string };
}

/** Every mail the local SES received for this address. */
export async function mailTo(email: string): Promise<SesMail[]> {
  const response = await fetch(`${localStack().ses.endpoint}/store`);
  const { emails } = (await response.json()) as { emails: SesMail[] };
  return emails.filter((m) => m.destination.to.includes(email));
}

/** Probes until `done` holds or the time is up, and returns the last value either way. */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}
