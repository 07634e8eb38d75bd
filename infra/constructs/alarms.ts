/**
 * CloudWatch alarms on what needs a person: function errors and throttles, dead letters, and
 * checks that failed open.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

const PERIOD = Duration.minutes(5);
/** The namespace shared/observability.ts emits its metrics in. */
const METRICS_NAMESPACE = 'Provisio';

export interface ProvisioAlarmsProps {
  /**
   * Where alarms (and their return to OK) are sent.
   * @default - alarms change state without notifying anyone
   */
  readonly alarmTopic?: sns.ITopic;
}

export interface FunctionAlarmOptions {
  /**
   * Errors within five minutes that raise the alarm.
   * @default 1
   */
  readonly errorsThreshold?: number;
}

/** Creates alarms and routes them to the alarm topic. */
export class ProvisioAlarms extends Construct {
  /** Every alarm created, in creation order. */
  public readonly alarms: cloudwatch.Alarm[] = [];
  private readonly action: cloudwatch.IAlarmAction | undefined;

  constructor(scope: Construct, id: string, props: ProvisioAlarmsProps = {}) {
    super(scope, id);
    this.action = props.alarmTopic ? new actions.SnsAction(props.alarmTopic) : undefined;
  }

  /** Alarms on the function's errors and on any throttled invocation. */
  watchFunction(id: string, fn: lambda.IFunction, options: FunctionAlarmOptions = {}): void {
    this.add(`${id}Errors`, {
      metric: fn.metricErrors({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
      threshold: options.errorsThreshold ?? 1,
      alarmDescription: `${id}: function errors`,
    });
    this.add(`${id}Throttles`, {
      metric: fn.metricThrottles({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      alarmDescription: `${id}: throttled invocations`,
    });
  }

  /**
   * Alarms on a count the functions emit themselves (Embedded Metric Format, no dimensions;
   * shared/observability.ts): one in five minutes is enough, as for a check that failed open.
   */
  watchCount(id: string, metricName: string, alarmDescription: string): void {
    this.add(id, {
      metric: new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        period: PERIOD,
        statistic: cloudwatch.Stats.SUM,
      }),
      threshold: 1,
      alarmDescription,
    });
  }

  /** Alarms as soon as a dead-letter queue holds a message. */
  watchDeadLetterQueue(id: string, queue: sqs.IQueue): void {
    this.add(`${id}DeadLetters`, {
      metric: queue.metricApproximateNumberOfMessagesVisible({
        period: PERIOD,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      alarmDescription: `${id}: messages in the dead-letter queue`,
    });
  }

  private add(
    id: string,
    props: Pick<cloudwatch.AlarmProps, 'metric' | 'threshold' | 'alarmDescription'>,
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      ...props,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (this.action) {
      alarm.addAlarmAction(this.action);
      alarm.addOkAction(this.action);
    }
    this.alarms.push(alarm);
  }
}
