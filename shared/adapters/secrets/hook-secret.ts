/**
 * The hook secret: from `HOOK_SECRET` (the local stack), else from Secrets Manager by
 * `HOOK_SECRET_ARN` (AWS). Read once at cold start.
 */
import { ENV } from '../../config.ts';

export async function loadHookSecret(
  env: Record<string, string | undefined> = process.env,
): Promise<string> {
  const direct = env[ENV.hookSecret]?.trim();
  if (direct) return direct;
  const arn = env[ENV.hookSecretArn]?.trim();
  if (!arn)
    throw new Error(
      `Missing required environment variable ${ENV.hookSecret} or ${ENV.hookSecretArn}`,
    );
  // Loaded only in AWS, so the local stack never pays for the client.
  const { SecretsManagerClient, GetSecretValueCommand } = await import(
    '@aws-sdk/client-secrets-manager'
  );
  const client = new SecretsManagerClient({});
  const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  const secret = out.SecretString?.trim();
  if (!secret) throw new Error(`The secret ${arn} has no string value`);
  return secret;
}
