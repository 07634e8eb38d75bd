/**
 * The hook secret through Powertools Parameters: read once, kept for its max age, read again
 * after it (a rotated secret takes effect without a cold start). The requests are the real SDK
 * client's, answered by a middleware in Secrets Manager's place (no network).
 */

import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import * as sm from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createHookSecret,
  HOOK_SECRET_MAX_AGE_S,
} from '../../../shared/adapters/secrets/hook-secret.ts';
import { ENV } from '../../../shared/config.ts';

const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:hook';

/** Secrets Manager answering with `values` in turn, recording each SecretId asked for. */
function secretsManager(values: (string | Error)[]) {
  const asked: unknown[] = [];
  const client = new sm.SecretsManagerClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
  });
  client.middlewareStack.add(
    () => async (args) => {
      asked.push((args.input as { SecretId: string }).SecretId);
      const next = values.shift() ?? 'exhausted';
      if (next instanceof Error) throw next;
      return { output: { $metadata: {}, SecretString: next }, response: {} };
    },
    { step: 'initialize', name: 'answer' },
  );
  return { provider: async () => new SecretsProvider({ awsSdkV3Client: client }), asked };
}

describe('the hook secret', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['Date'] }));
  afterEach(() => vi.useRealTimers());

  it('is read once, kept for its max age, then read again: a rotation takes effect', async () => {
    const { provider, asked } = secretsManager([' first-secret ', 'rotated-secret']);
    const secret = createHookSecret({ [ENV.hookSecretArn]: ARN }, provider);
    expect(await secret()).toBe('first-secret');
    vi.advanceTimersByTime((HOOK_SECRET_MAX_AGE_S - 1) * 1000);
    expect(await secret()).toBe('first-secret');
    expect(asked).toEqual([ARN]);
    vi.advanceTimersByTime(2000);
    expect(await secret()).toBe('rotated-secret');
    expect(asked).toEqual([ARN, ARN]);
  });

  it('is the local stack’s HOOK_SECRET without any request', async () => {
    const { provider, asked } = secretsManager([]);
    const secret = createHookSecret(
      { [ENV.hookSecret]: ' local ', [ENV.hookSecretArn]: ARN },
      provider,
    );
    expect(await secret()).toBe('local');
    expect(asked).toEqual([]);
  });

  it('answers 503 when Secrets Manager cannot be read, and says which variable is missing', async () => {
    const { provider } = secretsManager([
      Object.assign(new Error('throttled'), { name: 'ThrottlingException' }),
    ]);
    await expect(createHookSecret({ [ENV.hookSecretArn]: ARN }, provider)()).rejects.toMatchObject({
      statusCode: 503,
    });
    expect(() => createHookSecret({})).toThrow(/HOOK_SECRET or HOOK_SECRET_ARN/);
  });
});
