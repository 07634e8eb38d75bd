/**
 * A log subscription (functions/registry.ts `logSubscriptions`): the record lines one function
 * logs (shared/observability.ts `logRecord`) are handed to the function that writes them, so the
 * first answers without writing (SPEC §12: the pre-auth trigger stays within 1.25x of its one
 * read). CloudWatch Logs invokes the recorder asynchronously: Lambda retries a failed batch
 * twice, then sends it to a dead-letter queue an alarm watches.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#LambdaFunctionExample
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import { LambdaDestination } from 'aws-cdk-lib/aws-logs-destinations';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LOG_RECORD_FIELD } from '../../shared/observability.ts';
import type { ProvisioAlarms } from './alarms.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';

export interface ProvisioLogRecorderProps {
  /** The log group of the function that writes record lines. */
  readonly source: logs.ILogGroup;
  /** The record lines' kind (the `record` field the filter matches). */
  readonly record: string;
  /** The function that writes them. */
  readonly recorder: lambda.Function;
  readonly alarms: ProvisioAlarms;
  /** The alarms' id prefix. */
  readonly alarmId: string;
}

export class ProvisioLogRecorder extends Construct {
  /** Batches of record lines the recorder could not write after its retries. */
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ProvisioLogRecorderProps) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(
      this,
      'DeadLetters',
      "the recorder's on-failure destination for log batches it could not write",
    );
    props.recorder.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.deadLetterQueue),
    });
    new logs.SubscriptionFilter(this, 'Subscription', {
      logGroup: props.source,
      destination: new LambdaDestination(props.recorder),
      filterPattern: logs.FilterPattern.stringValue(`$.${LOG_RECORD_FIELD}`, '=', props.record),
    });
    props.alarms.watchDeadLetterQueue(props.alarmId, this.deadLetterQueue);
  }
}
