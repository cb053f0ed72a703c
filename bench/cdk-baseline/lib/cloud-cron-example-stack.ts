// The CloudCronExample architecture of cloud-cron's reference stacks, written with the
// AWS CDK: a container-image Lambda runs every five minutes and publishes alerts to a
// FIFO topic and report rows to a standard topic; alerts are emailed (SES), report rows
// are texted (Twilio); every alarm goes to a KMS-encrypted operators' topic, which is
// itself emailed.
import * as cdk from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { NotificationChannel } from './notification-channel';
import { opsAlarm } from './ops-alarms';
import { ScheduledLambda } from './scheduled-lambda';

export class CloudCronExampleStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);

    // The operators' topic: alarms publish to it, encrypted with a key CloudWatch may use.
    const opsKey = new kms.Key(this, 'OpsKey', {
      description: `Encrypts alarm notifications on topic ${id}/Ops`,
      enableKeyRotation: true,
      alias: `${id}-Ops`,
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });
    opsKey.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    const ops = new sns.Topic(this, 'Ops', { masterKey: opsKey });
    ops.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [ops.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
    }));
    new NotificationChannel(this, 'OpsEmail', {
      topic: ops,
      ops,
      environment: {
        CLOUDCRON_CHANNEL: JSON.stringify({ kind: 'email', from: 'cloud-cron@example.com', to: ['ops@example.com'] }),
        CLOUDCRON_TEMPLATE_SUBJECT: '[cloud-cron] {{ task }}',
        CLOUDCRON_TEMPLATE_TEXT: '{{ task }} at {{ scheduled_time }}:\n\n{{ payload | tojson }}',
      },
    }).allowSesSend('cloud-cron@example.com', 'example.com');

    // The task's topics, encrypted with the AWS managed key for SNS.
    const snsKey = kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns');
    const alerts = new sns.Topic(this, 'Alerts', { fifo: true, masterKey: snsKey });
    const reports = new sns.Topic(this, 'Reports', { masterKey: snsKey });

    // The schedule group and its delivery alarms.
    const group = new scheduler.ScheduleGroup(this, 'ScheduleGroup');
    const period = cdk.Duration.minutes(5);
    opsAlarm(group, 'TargetErrorsAlarm', ops, { metric: group.metricTargetErrors({ period }), threshold: 1 });
    opsAlarm(group, 'ThrottledAlarm', ops, { metric: group.metricThrottled({ period }), threshold: 1 });
    opsAlarm(group, 'DroppedAlarm', ops, { metric: group.metricDropped({ period }), threshold: 1 });
    opsAlarm(group, 'DeadLetterFailedAlarm', ops, { metric: group.metricFailedToBeSentToDLQ(undefined, { period }), threshold: 1 });

    new ScheduledLambda(this, 'Report', {
      repositoryArn: 'arn:aws:ecr:us-west-2:123456789012:repository/my-lambda',
      tag: 'latest',
      schedule: scheduler.ScheduleExpression.rate(cdk.Duration.minutes(5)),
      every: cdk.Duration.minutes(5),
      group,
      publishesTo: { alerts, reports },
      ops,
    });

    new NotificationChannel(this, 'AlertEmail', {
      topic: alerts,
      ops,
      environment: {
        CLOUDCRON_CHANNEL: JSON.stringify({ kind: 'email', from: 'me@example.com', to: ['alice@example.com', 'bob@example.com'] }),
        CLOUDCRON_TEMPLATE_SUBJECT: '[{{ task }}] {{ payload.level | upper }}: {{ payload.text | truncate(length=60) }}',
        CLOUDCRON_TEMPLATE_TEXT: '{{ payload.level | upper }}: {{ payload.text }}\n\nScheduled run of {{ scheduled_time }}',
      },
    }).allowSesSend('me@example.com', 'example.com');

    // The Twilio auth token stays in SSM; the notifier reads it at run time.
    const twilioToken = ssm.StringParameter.fromSecureStringParameterAttributes(this, 'TwilioToken', {
      parameterName: '/cloudcron/twilio/token',
    });
    const sms = new NotificationChannel(this, 'ReportSms', {
      topic: reports,
      ops,
      environment: {
        CLOUDCRON_CHANNEL: JSON.stringify({
          kind: 'sms',
          accountSid: 'AC00000000000000000000000000000000',
          sender: { from: '+15550001111' },
          to: ['+15550002222'],
          auth: { type: 'authToken' },
        }),
        CLOUDCRON_SECRET_TWILIO_CREDENTIAL: 'ssm:/cloudcron/twilio/token',
        CLOUDCRON_TEMPLATE_BODY: '{{ payload.day }} {{ payload.metric }}: {{ payload.value }}',
      },
    });
    twilioToken.grantRead(sms.function);
  }
}
