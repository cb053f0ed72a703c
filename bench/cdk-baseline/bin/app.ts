#!/usr/bin/env node
import * as cdk from 'aws-cdk-lib';
import { CloudCronExampleStack } from '../lib/cloud-cron-example-stack';

const app = new cdk.App();
new CloudCronExampleStack(app, 'CloudCronExample', {
  description:
    'cloud-cron reference architecture (AWS CDK baseline): a scheduled Lambda publishing to a FIFO and a standard topic, with email and SMS channels',
});
