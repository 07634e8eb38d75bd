/**
 * The hook secret: `HOOK_SECRET` (the local stack), else the secret at `HOOK_SECRET_ARN` in
 * Secrets Manager (AWS), read through Powertools Parameters and kept for `HOOK_SECRET_MAX_AGE_S`,
 * so that a rotated secret takes effect within that time, without a cold start.
 * https://docs.powertools.aws.dev/lambda/typescript/latest/features/parameters/
 */
import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { ENV } from '../../config.ts';
import { UnavailableError } from '../../errors.ts';

/** How long a secret read from Secrets Manager is used before it is read again. */
export const HOOK_SECRET_MAX_AGE_S = 300;

/** The current hook secret, read once per `HOOK_SECRET_MAX_AGE_S`. */
export type HookSecret = () => Promise<string>;

export function createHookSecret(
  env: Record<string, string | undefined> = process.env,
  /** The provider to read through (tests hand in one over their own client). */
  provider?: () => Promise<SecretsProvider>,
): HookSecret {
  const direct = env[ENV.hookSecret]?.trim();
  if (direct) return async () => direct;
  const arn = env[ENV.hookSecretArn]?.trim();
  if (!arn) {
    throw new Error(
      `Missing required environment variable ${ENV.hookSecret} or ${ENV.hookSecretArn}`,
    );
  }
  // Loaded only in AWS, and with the first request, so the local stack never pays for it.
  let loaded: Promise<SecretsProvider> | undefined;
  const secrets = () => {
    loaded ??= (
      provider ??
      (async () =>
        new (await import('@aws-lambda-powertools/parameters/secrets')).SecretsProvider())
    )();
    return loaded;
  };
  return async () => {
    let value: unknown;
    try {
      value = await (await secrets()).get(arn, { maxAge: HOOK_SECRET_MAX_AGE_S });
    } catch (cause) {
      // A 503, as for the table: the caller retries; nothing is decided without the secret.
      throw new UnavailableError('The hook secret could not be read', { cause });
    }
    const secret = typeof value === 'string' ? value.trim() : '';
    if (!secret) throw new Error(`The secret ${arn} has no string value`);
    return secret;
  };
}
