/**
 * SPEC §11's wiring in the template: the publisher on the stream (event items and replay
 * requests only), the delivery queue and worker (partial batch failures, bounded concurrency,
 * a dead-letter queue), durable delays, the optional EventBridge bus, alarms and least
 * privilege.
 */
import { App, type CfnElement, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FunctionId } from '../../functions/registry.ts';
import { cdkJsonContext } from '../../infra/cdk-context.ts';
import { Provisio, type ProvisioProps } from '../../infra/constructs/provisio.ts';
import { ENV } from '../../shared/config.ts';
import { prefix, WEBHOOK_REPLAY_SK } from '../../shared/table/schema.ts';
import { SKIP_BUNDLING, SYNTH_TIMEOUT_MS } from './helpers.ts';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

function synth(props: Partial<ProvisioProps> | ((stack: Stack) => Partial<ProvisioProps>) = {}) {
  const app = new App({ context: { ...cdkJsonContext(), ...SKIP_BUNDLING } });
  const stack = new Stack(app, 'Product', {
    env: { account: '111122223333', region: 'eu-west-1' },
  });
  const provisio = new Provisio(stack, 'Orgs', {
    senderEmail: 'orgs@product.example',
    removalPolicy: RemovalPolicy.DESTROY,
    console: false,
    ...(typeof props === 'function' ? props(stack) : props),
  });
  return { stack, provisio, template: Template.fromStack(stack) };
}

function actionsOf(
  { stack, provisio, template }: ReturnType<typeof synth>,
  id: FunctionId,
): string[] {
  const roleId = stack.getLogicalId(provisio.functions[id].role!.node.defaultChild as CfnElement);
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies)
    .flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties
          .PolicyDocument.Statement,
    )
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

const envOf = ({ stack, provisio, template }: ReturnType<typeof synth>, id: FunctionId) => {
  const logical = stack.getLogicalId(provisio.functions[id].node.defaultChild as CfnElement);
  return (
    template.toJSON().Resources[logical] as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    }
  ).Properties.Environment.Variables;
};

describe('webhooks without a bus', () => {
  let synthed: ReturnType<typeof synth>;
  beforeAll(() => {
    synthed = synth();
  }, SYNTH_TIMEOUT_MS);

  it('wakes the publisher for new event items and replay requests only', () => {
    synthed.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: Match.stringLikeRegexp('WebhookPublisher') },
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { Keys: { sk: { S: [{ prefix: prefix.event }] } } },
            }),
          },
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { Keys: { sk: { S: [WEBHOOK_REPLAY_SK] } } },
            }),
          },
        ],
      },
    });
  });

  it('delivers from a queue with partial batch failures and bounded concurrency', () => {
    synthed.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: Match.stringLikeRegexp('WebhookDelivery') },
      EventSourceArn: Match.anyValue(),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 50 },
    });
  });

  it('dead-letters a message the worker failed on 5 times, and gives it six function timeouts', () => {
    const queues = synthed.template.findResources('AWS::SQS::Queue', {
      Properties: { RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }) },
    });
    expect(Object.keys(queues)).toHaveLength(1);
    const queue = Object.values(queues)[0] as { Properties: Record<string, unknown> };
    expect(queue.Properties.VisibilityTimeout).toBe(360);
    expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
  });

  it('alarms on both dead-letter queues', () => {
    const alarms = Object.keys(synthed.template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.filter((a) => /WebhookDeliveryDeadLetters/.test(a))).toHaveLength(1);
    expect(alarms.filter((a) => /WebhookPublisherDeadLetters/.test(a))).toHaveLength(1);
  });

  it('gives the publisher reads and SendMessage, and the worker no EventBridge', () => {
    const publisher = actionsOf(synthed, 'webhookPublisher');
    expect(publisher).toEqual(expect.arrayContaining(['dynamodb:Query', 'sqs:SendMessage']));
    expect(publisher.filter((a) => /dynamodb:(Put|Update|Delete)/.test(a))).toEqual([]);
    expect(publisher.filter((a) => a.startsWith('events:'))).toEqual([]);
    const delivery = actionsOf(synthed, 'webhookDelivery');
    expect(delivery).toEqual(expect.arrayContaining(['sqs:SendMessage', 'sqs:DeleteMessage']));
    expect(delivery.filter((a) => a.startsWith('events:'))).toEqual([]);
  });

  it('puts nothing on a bus and tells both workers the queue', () => {
    synthed.template.resourceCountIs('AWS::Events::EventBus', 0);
    expect(envOf(synthed, 'webhookPublisher')[ENV.eventBusName]).toBeUndefined();
    expect(envOf(synthed, 'webhookPublisher')[ENV.webhookQueueUrl]).toBeDefined();
    expect(envOf(synthed, 'webhookDelivery')[ENV.webhookQueueUrl]).toBeDefined();
  });

  it('keeps the sign-in functions off the queue and the bus', () => {
    for (const id of ['signIn', 'signInHook', 'preToken', 'preAuth'] as const) {
      expect(actionsOf(synthed, id).filter((a) => /^(sqs|events):/.test(a))).toEqual([]);
    }
  });
});

describe('webhooks with a bus', () => {
  it(
    'creates one when asked and lets only the publisher put events on it',
    () => {
      const synthed = synth({ eventBus: 'create' });
      synthed.template.resourceCountIs('AWS::Events::EventBus', 1);
      expect(actionsOf(synthed, 'webhookPublisher')).toContain('events:PutEvents');
      expect(envOf(synthed, 'webhookPublisher')[ENV.eventBusName]).toEqual({
        Ref: expect.stringMatching(/Bus/),
      });
      expect(actionsOf(synthed, 'webhookDelivery')).not.toContain('events:PutEvents');
    },
    SYNTH_TIMEOUT_MS,
  );

  it(
    'uses an imported bus',
    () => {
      const app = new App();
      const holder = new Stack(app, 'Holder');
      const bus = events.EventBus.fromEventBusName(holder, 'Bus', 'product-events');
      const synthed = synth({ eventBus: bus });
      synthed.template.resourceCountIs('AWS::Events::EventBus', 0);
      expect(envOf(synthed, 'webhookPublisher')[ENV.eventBusName]).toBe('product-events');
    },
    SYNTH_TIMEOUT_MS,
  );
});
