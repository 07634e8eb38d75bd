/**
 * A dead-letter queue as every Provisio worker has one: encrypted, TLS only, messages kept 14
 * days; the alarm on its depth is the caller's (`ProvisioAlarms.watchDeadLetterQueue`).
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** `what`: whose failures it holds, for the cdk-nag acknowledgement of having no DLQ itself. */
export function deadLetterQueue(scope: Construct, id: string, what: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself a dead-letter queue (${what}). An alarm watches its depth.`,
  });
  return queue;
}
