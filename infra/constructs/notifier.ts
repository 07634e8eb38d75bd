/**
 * The stream notifier's wiring: the table's stream filtered to outbox INSERTs, partial batch
 * responses, bounded retries, a dead-letter queue with an alarm, and SES on the sender only.
 */
import { Arn, Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { attr, OUTBOX_SK } from '../../shared/table/schema.ts';
import type { ProvisioAlarms } from './alarms.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';

export interface ProvisioNotifierProps {
  readonly function: lambda.Function;
  readonly table: dynamodb.ITable;
  /** The SES identity mail is sent from. */
  readonly senderEmail: string;
  readonly alarms: ProvisioAlarms;
  /**
   * How often a failing batch is retried before its records go to the dead-letter queue.
   * @default 10
   */
  readonly retryAttempts?: number;
}

export class ProvisioNotifier extends Construct {
  /** Outbox records the notifier could not deliver after its retries. */
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ProvisioNotifierProps) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(
      this,
      'DeadLetters',
      "the notifier's on-failure destination for outbox records it could not deliver",
    );

    props.function.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: props.retryAttempts ?? 10,
        maxRecordAge: Duration.days(1),
        onFailure: new SqsDlq(this.deadLetterQueue),
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('INSERT'),
            dynamodb: { Keys: { [attr.sk]: { S: lambda.FilterRule.isEqual(OUTBOX_SK) } } },
          }),
        ],
      }),
    );

    // SES authorises SendEmail on the identities involved: the address and its domain.
    const stack = Stack.of(this);
    const identity = (name: string) =>
      Arn.format({ service: 'ses', resource: 'identity', resourceName: name }, stack);
    const domain = props.senderEmail.includes('@')
      ? props.senderEmail.split('@')[1]!
      : props.senderEmail;
    props.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [identity(props.senderEmail), identity(domain)],
      }),
    );
    props.alarms.watchDeadLetterQueue('Notifier', this.deadLetterQueue);
  }
}
