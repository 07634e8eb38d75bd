/**
 * Amazon EventBridge (SPEC §11): every event is put on the configured bus with `Source:
 * "provisio"`, `DetailType` = its type and `Detail` = the event with its seq. PutEvents can
 * accept some entries and refuse others (`FailedEntryCount`): the refused ones are retried
 * with backoff, then the call fails, and the stream record with it (retried, then dead-lettered).
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 */
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { backoffMs, sleep } from '../../backoff.ts';
import type { Config } from '../../config.ts';
import { UnavailableError } from '../../errors.ts';

export const EVENT_SOURCE = 'provisio';

export interface EventBus {
  /** Puts each `{type, detail}` on the bus; throws when some could not be put after retries. */
  put(events: { type: string; at: string; detail: unknown }[]): Promise<void>;
}

const ATTEMPTS = 4;

export function createEventBus(config: Config): EventBus | undefined {
  const busName = config.eventBusName;
  if (!busName) return undefined;
  const client = new EventBridgeClient({
    region: config.region,
    ...(config.eventBridgeEndpoint ? { endpoint: config.eventBridgeEndpoint } : {}),
    maxAttempts: 3,
  });
  return {
    async put(events) {
      // PutEvents takes at most 10 entries.
      for (let i = 0; i < events.length; i += 10) {
        let pending: PutEventsRequestEntry[] = events.slice(i, i + 10).map((e) => ({
          EventBusName: busName,
          Source: EVENT_SOURCE,
          DetailType: e.type,
          Detail: JSON.stringify(e.detail),
          Time: new Date(e.at),
        }));
        for (let attempt = 0; pending.length > 0; attempt++) {
          const out = await client.send(new PutEventsCommand({ Entries: pending }));
          if (!out.FailedEntryCount) break;
          const failed = pending.filter((_, n) => out.Entries?.[n]?.ErrorCode);
          if (attempt + 1 >= ATTEMPTS) {
            const codes = (out.Entries ?? []).map((e) => e.ErrorCode).filter(Boolean);
            throw new UnavailableError(
              `EventBridge refused ${failed.length} event(s) after ${ATTEMPTS} attempts: ${codes.join(', ')}`,
            );
          }
          pending = failed;
          await sleep(backoffMs(attempt, { baseMs: 100, jitter: 'full' }));
        }
      }
    },
  };
}
