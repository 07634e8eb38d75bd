/**
 * A body validated against its zod schema (`zod/mini`), the first issue turned into a 400 that
 * names the field: the admin API's routes and the sign-in hook answer alike.
 */
import type * as z from 'zod/mini';
import { ValidationError } from './errors.ts';

/** Validates a body against a schema; the first issue names the field (400). */
export function parseBody<S extends z.ZodMiniType>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    throw new ValidationError(
      issue.path.length ? `${fieldName(issue.path)}.${key}` : key,
      'is not a known field',
    );
  }
  const field = issue.path.length ? fieldName(issue.path) : 'body';
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    throw new ValidationError(field, 'is required');
  }
  if (!issue.path.length) throw new ValidationError('body', 'must be a JSON object');
  throw new ValidationError(field, issue.message);
}

function fieldName(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}
