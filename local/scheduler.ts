/**
 * An EventBridge rate rule, locally: invokes a function every `everyMs` with the event a
 * scheduled rule sends.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ScheduledEvent } from 'aws-lambda';
import type { LambdaRuntime } from './lambda-runtime.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './options.ts';

/** A running schedule. */
export interface Schedule {
  stop(): Promise<void>;
}

/** The event of a scheduled rule named `ruleName` firing now. */
export function scheduledEvent(ruleName: string, now = new Date()): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT_ID,
    time: `${now.toISOString().slice(0, 19)}Z`,
    region: LOCAL_REGION,
    resources: [`arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:rule/${ruleName}`],
    detail: {},
  };
}

/** Invokes `functionName` every `everyMs` (the first time after one period, like a new rule). */
export function startSchedule(options: {
  functionName: string;
  everyMs: number;
  runtime: LambdaRuntime;
  ruleName?: string;
}): Schedule {
  const ruleName = options.ruleName ?? `${options.functionName}-schedule`;
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    // EventBridge invokes asynchronously; a slow run does not delay the next.
    running = options.runtime.invoke(options.functionName, scheduledEvent(ruleName));
  }, options.everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      // A run in flight may be cut short: the stack's stop has a deadline.
      await Promise.race([running, sleep(3000)]);
    },
  };
}
