// Alarms that notify the operators' topic, both when they fire and when they recover.
import * as cdk from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface OpsAlarmProps {
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparisonOperator?: cloudwatch.ComparisonOperator;
  readonly treatMissingData?: cloudwatch.TreatMissingData;
  readonly description?: string;
}

/** An alarm on `metric` whose state changes go to the `ops` topic. */
export function opsAlarm(scope: Construct, id: string, ops: sns.ITopic, props: OpsAlarmProps): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    metric: props.metric,
    threshold: props.threshold,
    evaluationPeriods: 1,
    comparisonOperator: props.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: props.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: props.description,
  });
  const action = new actions.SnsAction(ops);
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
  return alarm;
}

/** Errors, throttles and a duration close to the timeout of `fn`. */
export function functionAlarms(scope: Construct, ops: sns.ITopic, fn: cdk.aws_lambda.Function, timeout: cdk.Duration): void {
  const period = cdk.Duration.minutes(5);
  opsAlarm(scope, 'ErrorsAlarm', ops, { metric: fn.metricErrors({ period }), threshold: 1 });
  opsAlarm(scope, 'ThrottlesAlarm', ops, { metric: fn.metricThrottles({ period }), threshold: 1 });
  opsAlarm(scope, 'DurationAlarm', ops, {
    metric: fn.metricDuration({ period, statistic: cloudwatch.Stats.MAXIMUM }),
    threshold: timeout.toMilliseconds() * 0.8,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
}

/** Fires as soon as a message lands in the dead-letter queue `dlq`. */
export function deadLetterAlarm(scope: Construct, ops: sns.ITopic, dlq: cdk.aws_sqs.IQueue, description: string): void {
  opsAlarm(scope, 'DeadLetterAlarm', ops, {
    metric: dlq.metricApproximateNumberOfMessagesVisible({
      period: cdk.Duration.minutes(1),
      statistic: cloudwatch.Stats.MAXIMUM,
    }),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    description,
  });
}
