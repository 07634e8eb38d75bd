/**
 * The HTTP sign-in hook's body (SPEC §5): its zod schema, which the OpenAPI document also
 * publishes, and the `SignIn` it becomes. The hook handler loads this module with its first
 * request, so zod is never part of its cold start.
 */
import * as z from 'zod/mini';
import { normaliseEmail } from '../domains/normalise.ts';
import type { SignIn } from '../model/types.ts';
import { parseBody } from '../validation.ts';
import { cleanGroups, joinName, MAX_GROUPS } from './normalise.ts';

const text = (what: string) => z.optional(z.nullable(z.string(`must be a string (${what})`)));

export const SignInHookRequest = z.object({
  email: z.pipe(
    z.string(),
    z.transform((value: string, ctx) => {
      const email = normaliseEmail(value);
      if (email) return email;
      ctx.issues.push({
        code: 'custom',
        input: value,
        message: 'must be an email address with exactly one @ and a valid domain',
      });
      return z.NEVER;
    }),
  ),
  emailVerified: z.optional(z.boolean('must be a boolean')),
  name: text('the full name'),
  givenName: text('the given name'),
  familyName: text('the family name'),
  connection: text("the connection's provider name"),
  groups: z.optional(
    z.nullable(
      z.array(z.unknown(), 'must be an array of strings').check(
        z.refine((g) => g.every((x) => typeof x === 'string'), 'must be an array of strings'),
        z.maxLength(MAX_GROUPS, `must have at most ${MAX_GROUPS} entries`),
      ),
    ),
  ),
});

/** The HTTP hook body → `SignIn`; throws `ValidationError` naming the field (SPEC §5). */
export function fromHookBody(body: unknown): SignIn {
  const b = parseBody(SignInHookRequest, body);
  const connection = b.connection?.trim() || undefined;
  return {
    email: b.email.email,
    domain: b.email.domain,
    emailVerified: b.emailVerified === true,
    name: joinName(b.name, b.givenName, b.familyName),
    connection,
    groups: b.groups ? cleanGroups(b.groups) : [],
  };
}
