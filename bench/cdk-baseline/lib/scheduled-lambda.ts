// A container-image Lambda run on an EventBridge Scheduler schedule, with its log group,
// retries, dead-letter queue and alarms (including one for runs that did not happen).
import * as cdk from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterAlarm, functionAlarms, opsAlarm } from './ops-alarms';

export interface ScheduledLambdaProps {
  /** ARN of the ECR repository holding the function's image. */
  readonly repositoryArn: string;
  readonly tag: string;
  readonly schedule: scheduler.ScheduleExpression;
  /** How often the schedule fires, for the missed-run alarm. */
  readonly every: cdk.Duration;
  readonly group: scheduler.IScheduleGroup;
  /** Topics the function publishes to, by the name its environment variable carries. */
  readonly publishesTo: { [name: string]: sns.ITopic };
  readonly ops: sns.ITopic;
}

export class ScheduledLambda extends Construct {
  constructor(scope: Construct, id: string, props: ScheduledLambdaProps) {
    super(scope, id);
    const timeout = cdk.Duration.seconds(60);

    const deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS_MANAGED,
      retentionPeriod: cdk.Duration.days(14),
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });
    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: cdk.RemovalPolicy.RETAIN,
    });
    const environment: { [key: string]: string } = {};
    for (const [name, topic] of Object.entries(props.publishesTo)) {
      environment[`SNS_TOPIC_ARN_${name.toUpperCase()}`] = topic.topicArn;
    }
    const repository = ecr.Repository.fromRepositoryArn(this, 'Repository', props.repositoryArn);
    const fn = new lambda.DockerImageFunction(this, 'Function', {
      code: lambda.DockerImageCode.fromEcr(repository, { tagOrDigest: props.tag }),
      architecture: lambda.Architecture.X86_64,
      memorySize: 256,
      timeout,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment,
      retryAttempts: 2,
      maxEventAge: cdk.Duration.hours(6),
      onFailure: new destinations.SqsDestination(deadLetterQueue),
    });
    for (const topic of Object.values(props.publishesTo)) {
      topic.grantPublish(fn);
    }

    new scheduler.Schedule(this, 'Schedule', {
      scheduleGroup: props.group,
      description: `Runs ${this.node.path}`,
      schedule: props.schedule,
      target: new targets.LambdaInvoke(fn, {
        deadLetterQueue,
        maxEventAge: cdk.Duration.hours(24),
        retryAttempts: 185,
      }),
    });

    deadLetterAlarm(this, props.ops, deadLetterQueue,
      `${this.node.path}: a scheduled run failed after every retry; its event is in the dead-letter queue`);
    functionAlarms(this, props.ops, fn, timeout);
    // A run is missed when fewer than one invocation succeeded over five intervals and a bit.
    const window = cdk.Duration.seconds(props.every.toSeconds() * 5 + 60);
    opsAlarm(this, 'MissedRunAlarm', props.ops, {
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(invocations, 0) - FILL(errors, 0)',
        usingMetrics: {
          invocations: fn.metricInvocations({ period: window, statistic: cloudwatch.Stats.SUM }),
          errors: fn.metricErrors({ period: window, statistic: cloudwatch.Stats.SUM }),
        },
        label: 'Successful runs',
        period: window,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }
}
