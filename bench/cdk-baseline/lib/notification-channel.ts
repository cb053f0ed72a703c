// One notification channel: an SQS queue (with its dead-letter queue) subscribed to a
// topic, and the notifier Lambda that drains it in batches.
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterAlarm, functionAlarms, opsAlarm } from './ops-alarms';

export interface NotificationChannelProps {
  /** The topic whose messages this channel delivers. */
  readonly topic: sns.ITopic;
  /** Where the channel's alarms go. */
  readonly ops: sns.ITopic;
  /** Channel configuration and message templates, passed to the notifier as environment variables. */
  readonly environment: { [key: string]: string };
}

export class NotificationChannel extends Construct {
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: NotificationChannelProps) {
    super(scope, id);
    const fifo = props.topic.fifo;
    const timeout = cdk.Duration.seconds(30);

    const deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      fifo: fifo || undefined,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: cdk.Duration.days(14),
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });
    const queue = new sqs.Queue(this, 'Queue', {
      fifo: fifo || undefined,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: cdk.Duration.days(4),
      visibilityTimeout: timeout.plus(cdk.Duration.seconds(150)),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 },
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });
    props.topic.addSubscription(
      new subscriptions.SqsSubscription(queue, { rawMessageDelivery: true, deadLetterQueue }),
    );

    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: cdk.RemovalPolicy.RETAIN,
    });
    this.function = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.PROVIDED_AL2023,
      architecture: lambda.Architecture.X86_64,
      handler: 'bootstrap',
      code: lambda.Code.fromAsset(path.join(__dirname, '..', 'notifier')),
      memorySize: 256,
      timeout,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: props.environment,
    });
    this.function.addEventSource(new SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }));

    deadLetterAlarm(this, props.ops, deadLetterQueue,
      `${this.node.path}: a notification could not be delivered after every retry; it is in the dead-letter queue`);
    functionAlarms(this, props.ops, this.function, timeout);
    opsAlarm(this, 'QueueAgeAlarm', props.ops, {
      metric: queue.metricApproximateAgeOfOldestMessage({
        period: cdk.Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1800,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
  }

  /** Let the notifier send email as `identities` (SES identities: addresses or domains). */
  public allowSesSend(...identities: string[]): this {
    const stack = cdk.Stack.of(this);
    this.function.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ses:SendEmail'],
      resources: identities.map((identity) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity })),
    }));
    return this;
  }
}
