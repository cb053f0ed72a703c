#!/usr/bin/env python3
"""Run a list of SNS/SQS operations against a moto server, for the fan-out tests.

Usage:
  moto_sns.py --endpoint http://127.0.0.1:PORT < OPERATIONS.json

Reads a JSON list of operations on stdin, runs them in order with dummy
credentials in us-east-1, and prints ONE JSON list on stdout: each
operation's result, in the same order.

  {"op": "queue_arn", "queue_url": URL}                  -> "arn:aws:sqs:..."
  {"op": "subscriptions", "topic_arn": ARN}              -> [{"arn", "protocol", "endpoint", "attributes"}]
  {"op": "publish", "topic_arn": ARN, "message": TEXT,
   "attributes": {NAME: STRING}, "group_id": ID?, "deduplication_id": ID?}
                                                         -> the message id
  {"op": "drain", "queue_url": URL}                      -> [{"body", "attributes"}] (received and deleted)
  {"op": "disable_event_source_mappings", "queue_url": URL} -> how many were disabled

"subscriptions" lists ListSubscriptionsByTopic with each subscription's
GetSubscriptionAttributes. "publish" sends the attributes as String message
attributes. "drain" receives (no wait: moto delivers SNS -> SQS within Publish)
until the queue is empty, deleting what it received; "attributes" are the SQS
message attributes (name -> string value). "disable_event_source_mappings"
turns off the Lambda pollers of a queue: moto would otherwise hand each message
to the function as it arrives, which it runs in Docker (and fails on for an
image function), so the test plays the poller itself. The test decides what each result
should be; this script only talks to moto (the tests link no AWS SDK).
Exit status: 0 when every operation ran; 1 on an API error (stderr names the
operation); 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
import botocore.exceptions  # noqa: E402

REGION = "us-east-1"


def subscriptions(sns, topic_arn: str) -> list[dict]:
    found = []
    for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn):
        for s in page["Subscriptions"]:
            attributes = sns.get_subscription_attributes(SubscriptionArn=s["SubscriptionArn"])["Attributes"]
            found.append(
                {
                    "arn": s["SubscriptionArn"],
                    "protocol": s["Protocol"],
                    "endpoint": s["Endpoint"],
                    "attributes": attributes,
                }
            )
    return found


def drain(sqs, url: str) -> list[dict]:
    received = []
    while True:
        batch = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not batch:
            return received
        for m in batch:
            received.append(
                {
                    "body": m["Body"],
                    "attributes": {
                        k: v.get("StringValue") for k, v in (m.get("MessageAttributes") or {}).items()
                    },
                }
            )
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def disable_event_source_mappings(lam, sqs, url: str) -> int:
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    disabled = 0
    for page in lam.get_paginator("list_event_source_mappings").paginate(EventSourceArn=arn):
        for esm in page["EventSourceMappings"]:
            lam.update_event_source_mapping(UUID=esm["UUID"], Enabled=False)
            disabled += 1
    return disabled


def run(op: dict, sns, sqs, lam) -> object:
    kind = op.get("op")
    if kind == "queue_arn":
        attrs = sqs.get_queue_attributes(QueueUrl=op["queue_url"], AttributeNames=["QueueArn"])
        return attrs["Attributes"]["QueueArn"]
    if kind == "subscriptions":
        return subscriptions(sns, op["topic_arn"])
    if kind == "publish":
        args = {
            "TopicArn": op["topic_arn"],
            "Message": op["message"],
            "MessageAttributes": {
                k: {"DataType": "String", "StringValue": v} for k, v in (op.get("attributes") or {}).items()
            },
        }
        if op.get("group_id"):
            args["MessageGroupId"] = op["group_id"]
        if op.get("deduplication_id"):
            args["MessageDeduplicationId"] = op["deduplication_id"]
        return sns.publish(**args)["MessageId"]
    if kind == "drain":
        return drain(sqs, op["queue_url"])
    if kind == "disable_event_source_mappings":
        return disable_event_source_mappings(lam, sqs, op["queue_url"])
    raise ValueError(f"unknown operation {kind!r}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--endpoint", required=True, help="moto server URL, e.g. http://127.0.0.1:5000")
    args = ap.parse_args()
    try:
        ops = json.load(sys.stdin)
    except ValueError as exc:
        print(f"moto_sns: stdin is not JSON: {exc}", file=sys.stderr)
        return 2
    if not isinstance(ops, list):
        print("moto_sns: stdin must be a JSON list of operations", file=sys.stderr)
        return 2
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    sns = session.client("sns", endpoint_url=args.endpoint)
    sqs = session.client("sqs", endpoint_url=args.endpoint)
    lam = session.client("lambda", endpoint_url=args.endpoint)
    results = []
    for i, op in enumerate(ops):
        try:
            results.append(run(op, sns, sqs, lam))
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError, KeyError, ValueError) as exc:
            print(f"moto_sns: operation {i} {json.dumps(op)} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
    json.dump(results, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
