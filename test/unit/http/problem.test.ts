import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../../shared/errors.ts';
import { describeError } from '../../../shared/http/problem.ts';

describe('describeError (the log line of a 5xx)', () => {
  it('names the causes, so a 503 says which call failed and why', () => {
    const timeout = Object.assign(new Error('socket timed out after 2000 ms'), {
      name: 'TimeoutError',
      code: 'ETIMEDOUT',
    });
    const described = describeError(
      new UnavailableError('The table is temporarily unavailable', { cause: timeout }),
    ) as Record<string, unknown>;
    expect(described).toMatchObject({
      name: 'UnavailableError',
      message: 'The table is temporarily unavailable',
      cause: { name: 'TimeoutError', message: 'socket timed out after 2000 ms', code: 'ETIMEDOUT' },
    });
    expect(described.stack).toEqual(expect.stringContaining('UnavailableError'));
    expect((described.cause as Record<string, unknown>).stack).toBeUndefined();
  });

  it('stops after three causes, and writes what is not an error as text', () => {
    let error: Error = new Error('root');
    for (let i = 0; i < 6; i += 1) error = new Error(`level ${i}`, { cause: error });
    let depth = 0;
    for (let d = describeError(error) as { cause?: unknown }; d.cause; d = d.cause as never) {
      depth += 1;
    }
    expect(depth).toBe(3);
    expect(describeError({ odd: true })).toBe('[object Object]');
  });
});
