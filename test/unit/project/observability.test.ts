/**
 * Log lines carry the invocation they belong to (request id, cold start), even when a process
 * runs several at once, and the first invocation counts a ColdStart metric.
 */
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';

const context = (requestId: string) =>
  ({ awsRequestId: requestId, functionName: 'provisio-test' }) as Context;

describe('observability', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it('tags every log line with its invocation, and counts the cold start once', async () => {
    const lines: Record<string, unknown>[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(JSON.parse(String(chunk)));
      return true;
    });
    const { invocation, log } = await import('../../../shared/observability.ts');
    const handler = invocation(async (event: { n: number }) => {
      await new Promise((r) => setTimeout(r, 5 * (3 - event.n)));
      log.info('handled', { n: event.n });
      return event.n;
    });
    // Three at once, finishing in reverse order: each line keeps its own request id.
    await Promise.all([1, 2].map((n) => handler({ n }, context(`req-${n}`))));
    await handler({ n: 3 }, context('req-3'));
    const handled = lines.filter((l) => l.message === 'handled');
    expect(handled.map((l) => [l.n, l.requestId, l.coldStart])).toEqual([
      [2, 'req-2', false],
      [1, 'req-1', true],
      [3, 'req-3', false],
    ]);
    const coldStarts = lines.filter((l) => 'ColdStart' in l);
    expect(coldStarts).toEqual([
      expect.objectContaining({ ColdStart: 1, Function: 'provisio-test' }),
    ]);
    // Outside an invocation, a line has no request id.
    log.info('outside');
    expect(lines.at(-1)).not.toHaveProperty('requestId');
  });
});
