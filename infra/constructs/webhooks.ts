/**
 * SPEC §11's wiring: the publisher on the table's stream (filtered to new event items and
 * replay requests), the delivery queue and its worker (partial batch failures, a dead-letter
 * queue), and the optional EventBridge bus. Delays beyond SQS's 15 minutes are the worker's own:
 * it queues a message again with `DelaySeconds` until it is due, so a retry 10 hours away is
 * kept by SQS, not by a running function. The sign-in path touches none of it.
 */
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { envFor, PUBLISHER_BATCH_SIZE } from '../../shared/config.ts';
import { attr, prefix, WEBHOOK_REPLAY_SK } from '../../shared/table/schema.ts';
import type { ProvisioAlarms } from './alarms.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';

export interface ProvisioWebhooksProps {
  readonly publisher: lambda.Function;
  readonly delivery: lambda.Function;
  readonly table: dynamodb.ITable;
  readonly alarms: ProvisioAlarms;
  /**
   * An EventBridge bus every event is put on, or `'create'` for a new one.
   * @default - no bus: webhooks only
   */
  readonly eventBus?: events.IEventBus | 'create';
  /**
   * How many delivery functions may run at once (the queue's event source).
   * @default 50
   */
  readonly maxDeliveryConcurrency?: number;
}

/** How often SQS hands a message to the worker before it goes to the dead-letter queue. */
const MAX_RECEIVES = 5;

export class ProvisioWebhooks extends Construct {
  /** Deliveries: one message per endpoint and event (and per later attempt). */
  public readonly queue: sqs.Queue;
  /** Messages the delivery worker failed on `MAX_RECEIVES` times. */
  public readonly deliveryDeadLetterQueue: sqs.Queue;
  /** Stream records the publisher could not fan out (queue or EventBridge) after its retries. */
  public readonly publisherDeadLetterQueue: sqs.Queue;
  /** The bus events are put on, if any. */
  public readonly eventBus: events.IEventBus | undefined;

  constructor(scope: Construct, id: string, props: ProvisioWebhooksProps) {
    super(scope, id);
    this.deliveryDeadLetterQueue = deadLetterQueue(
      this,
      'DeliveryDeadLetters',
      'webhook deliveries the worker itself failed on, not endpoints that failed',
    );
    this.publisherDeadLetterQueue = deadLetterQueue(
      this,
      'PublisherDeadLetters',
      'the publisher’s on-failure destination for event records it could not queue or put on EventBridge',
    );
    const functionTimeout = props.delivery.timeout ?? Duration.seconds(60);
    this.queue = new sqs.Queue(this, 'Deliveries', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS: at least six times the function's timeout, so a message is not handed out twice
      // while a batch is still at work.
      // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
      visibilityTimeout: Duration.seconds(functionTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deliveryDeadLetterQueue, maxReceiveCount: MAX_RECEIVES },
    });

    props.delivery.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(0),
        reportBatchItemFailures: true,
        maxConcurrency: props.maxDeliveryConcurrency ?? 50,
      }),
    );
    for (const [name, value] of Object.entries(envFor.webhookQueue(this.queue.queueUrl))) {
      props.delivery.addEnvironment(name, value);
    }
    // Queues the next attempt itself.
    this.queue.grantSendMessages(props.delivery);

    props.publisher.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        // A batch's records are published at once (the handler processes them in parallel):
        // every event of the deployment passes here, most with no subscriber at all.
        batchSize: PUBLISHER_BATCH_SIZE,
        parallelizationFactor: 4,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 10,
        maxRecordAge: Duration.days(1),
        onFailure: new SqsDlq(this.publisherDeadLetterQueue),
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('INSERT'),
            dynamodb: { Keys: { [attr.sk]: { S: lambda.FilterRule.beginsWith(prefix.event) } } },
          }),
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('INSERT'),
            dynamodb: { Keys: { [attr.sk]: { S: lambda.FilterRule.isEqual(WEBHOOK_REPLAY_SK) } } },
          }),
        ],
      }),
    );
    for (const [name, value] of Object.entries(envFor.webhookQueue(this.queue.queueUrl))) {
      props.publisher.addEnvironment(name, value);
    }
    this.queue.grantSendMessages(props.publisher);

    this.eventBus = props.eventBus === 'create' ? new events.EventBus(this, 'Bus') : props.eventBus;
    if (this.eventBus) {
      this.eventBus.grantPutEventsTo(props.publisher);
      for (const [name, value] of Object.entries(envFor.eventBus(this.eventBus.eventBusName))) {
        props.publisher.addEnvironment(name, value);
      }
    }

    props.alarms.watchDeadLetterQueue('WebhookDelivery', this.deliveryDeadLetterQueue);
    props.alarms.watchDeadLetterQueue('WebhookPublisher', this.publisherDeadLetterQueue);
  }
}
