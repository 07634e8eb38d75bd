/**
 * The domain checker's schedule (SPEC §5): an EventBridge rule that invokes the checker
 * function at a fixed rate. Each run checks only the claims that are due, so the rate bounds
 * how late a check can be, not how often a domain is looked up.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface DomainCheckerScheduleProps {
  /** The domain checker function. */
  readonly function: lambda.IFunction;
  /**
   * How often the checker runs: pending domains are due hourly, so more than an hour makes
   * their checks late.
   * @default Duration.hours(1)
   */
  readonly rate?: Duration;
}

export class DomainCheckerSchedule extends Construct {
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: DomainCheckerScheduleProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      description: 'Runs the Provisio domain checker: re-checks the TXT records that are due',
      schedule: events.Schedule.rate(props.rate ?? Duration.hours(1)),
      targets: [
        new targets.LambdaFunction(props.function, {
          // A run left undelivered for an hour is superseded by the next one.
          maxEventAge: Duration.hours(1),
          retryAttempts: 2,
        }),
      ],
    });
  }
}
