#!/usr/bin/env python3
"""Deploy a (translated, plain CloudFormation) template to a moto server.

Usage:
  moto_deploy.py --endpoint http://127.0.0.1:PORT --stack-name NAME [--parameter KEY=VALUE ...]
                 [--timeout SECONDS] [--nested-dir DIR] TEMPLATE.json

Nested stacks (--nested-dir DIR): like `sam deploy` uploading what `sam package`
wrote, each AWS::CloudFormation::Stack whose TemplateURL is
https://s3.amazonaws.com/sam-package-placeholder/<KEY> (what sam_translate.py makes of a
local `Location`) gets DIR/<KEY>, the translated child, uploaded to moto's S3 there
(with the child's code and the FIFO name workaround applied to it too, and a placeholder
default for each child parameter: moto passes nothing for a Ref to a resource type it
does not model, such as a schedule group). moto then
creates the child stacks itself; "nested" in the output lists each child: its
logical id, S3 key, declared resource count, stack status, created resources (with
physical ids) and what this script created in it ("created_by_deploy_script").

Calls cloudformation:CreateStack (capabilities CAPABILITY_IAM, CAPABILITY_NAMED_IAM,
CAPABILITY_AUTO_EXPAND, OnFailure=DO_NOTHING so a failed stack keeps its events)
with dummy credentials in us-east-1, polls until the stack leaves *_IN_PROGRESS,
then prints ONE JSON object on stdout:

  {
    "stack_name": "...", "stack_id": "arn:...", "status": "CREATE_COMPLETE",
    "status_reason": null,
    "resources": [{"logical_id": "...", "type": "AWS::SNS::Topic",
                   "physical_id": "arn:...", "status": "CREATE_COMPLETE"}, ...],
    "not_created": [{"logical_id": "...", "type": "AWS::Scheduler::Schedule"}, ...],
    "failed_events": [{"logical_id": "...", "type": "...", "status": "...", "reason": "..."}],
    "moto_workarounds": [{"logical_id": "...", "type": "AWS::SNS::Topic", "TopicName": "NAME-Id.fifo"}],
    "answered_custom_resources": [{"logical_id": "...", "type": "Custom::...", "data": {...}}],
    "image_functions": [{"logical_id": "...", "image_uri": "..."}],
    "created_by_deploy_script": [{"logical_id": "...", "type": "AWS::SNS::Subscription",
                                  "physical_id": "<subscription ARN>", "protocol": "sqs",
                                  "topic_arn": "...", "endpoint": "...", "attributes": {...}}, ...],
    "deploy_script_errors": [{"logical_id": "...", "type": "...", "stack_name": "...", "error": "..."}]
  }

"resources" lists what moto reports through ListStackResources (in template order);
"not_created" lists template resources moto's CloudFormation did not create (moto
silently skips resource types it does not model), whether or not this script then
created them. Progress and failures also go to stderr.

Resources moto skips that this script creates itself, once the stack (and each nested
stack) is CREATE_COMPLETE, as CloudFormation would (CREATED_HERE): each
AWS::SQS::QueuePolicy (the queues' Policy attribute), AWS::SNS::TopicPolicy (the
topics' Policy attribute; moto enforces neither) and AWS::SNS::Subscription
(sns:Subscribe with Protocol, TopicArn, Endpoint and the attributes moto applies:
FilterPolicyScope, FilterPolicy, RawMessageDelivery, RedrivePolicy). Their intrinsics
are resolved to what moto created (see Resolver: Ref, Fn::GetAtt X.Arn, Fn::Sub,
Fn::Join, Fn::ImportValue; in a nested stack a Ref to a parameter is the value the
root passed). They are listed under "created_by_deploy_script" (for a nested stack,
in its "nested" entry). One that cannot be resolved or created is listed under
"deploy_script_errors", naming it and why, and the exit status is 1: never skipped
silently.

Custom resources: moto invokes their Lambda in a Docker container, which this machine
does not run, so nothing would answer and the stack would wait forever. Like `sam
deploy` with a working function, moto_deploy answers each `Custom::*` resource itself
with SUCCESS and placeholder data (for `Custom::ImageRepublish`, the copier's answer
shape: `ImageUri` = `<account>.dkr.ecr.<region>.amazonaws.com/<stack>-<id>@sha256:<hex>`
and `Digest`); they are listed under "answered_custom_resources". moto would create a resource
reading such an answer (Fn::GetAtt) before the answer arrives, with a null value, so the
answers (known in advance) are written into the template where they are read; those
places are listed under "resolved_custom_attributes". The copier itself is tested
against real registries and a local response URL in runtime/image-copier.

moto quirk worked around by default (JSON templates): an unnamed FIFO SNS topic or
SQS queue gets an explicit "<stack>-<LogicalId>.fifo" name, because moto would
generate a name without ".fifo" and reject it; an unnamed ECR repository gets the
lower-case "<stack>-<logicalid>", because moto would generate one with upper-case
letters and reject it. --no-fifo-name-workaround disables it.
Exit status: 0 only when the stack reaches CREATE_COMPLETE and every skipped
resource of CREATED_HERE was created; 1 otherwise (including API errors and
timeouts); 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
import botocore.config  # noqa: E402
import botocore.exceptions  # noqa: E402

REGION = "us-east-1"
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]


def log(msg: str) -> None:
    print(f"moto_deploy: {msg}", file=sys.stderr, flush=True)


def template_resources(body: str) -> dict[str, str]:
    """Logical id -> type, in template order (JSON, or YAML via samtranslator's loader)."""
    doc = parse_template(body)
    resources = doc.get("Resources") if isinstance(doc, dict) else None
    if not isinstance(resources, dict):
        return {}
    return {k: (v.get("Type") if isinstance(v, dict) else None) for k, v in resources.items()}


def parse_template(body: str) -> dict | None:
    """A template as a dict (JSON, or YAML via samtranslator's loader), or None."""
    try:
        doc = json.loads(body)
    except ValueError:
        try:
            from samtranslator.yaml_helper import yaml_parse

            doc = yaml_parse(body)
        except Exception:  # noqa: BLE001 - best effort only
            return None
    return doc if isinstance(doc, dict) else None


def _truthy(v: object) -> bool:
    return v is True or (isinstance(v, str) and v.lower() == "true")


def json_resources(body: str) -> tuple[dict, dict] | None:
    """A JSON template and its Resources map, or None when it is not one."""
    try:
        doc = json.loads(body)
    except ValueError:
        return None
    resources = doc.get("Resources") if isinstance(doc, dict) else None
    return (doc, resources) if isinstance(resources, dict) else None


def patch_fifo_names(body: str, stack_name: str) -> tuple[str, list[dict]]:
    """Work around a moto quirk: for a FIFO SNS topic / SQS queue with no explicit name,
    moto's CloudFormation generates "<stack>-<LogicalId>-<random>" without the ".fifo"
    suffix and then rejects it (real CloudFormation appends ".fifo"). Give such resources
    an explicit "<stack>-<LogicalId>.fifo" name. JSON templates only; returns (body, patched)."""
    parsed = json_resources(body)
    if parsed is None:
        return body, []
    doc, resources = parsed
    rules = {
        "AWS::SNS::Topic": ("FifoTopic", "TopicName", 256),
        "AWS::SQS::Queue": ("FifoQueue", "QueueName", 80),
    }
    patched = []
    for lid, res in resources.items():
        # moto generates ECR repository names with upper-case letters (from the stack
        # name and logical id) and then rejects them; real CloudFormation lower-cases.
        if isinstance(res, dict) and res.get("Type") == "AWS::ECR::Repository":
            props = res.setdefault("Properties", {})
            if isinstance(props, dict) and "RepositoryName" not in props:
                props["RepositoryName"] = f"{stack_name}-{lid}".lower()[:256]
                patched.append({"logical_id": lid, "type": res["Type"], "RepositoryName": props["RepositoryName"]})
            continue
        # moto's CloudFormation reads an AWS::KMS::Key's Tags in the KMS API's shape
        # (TagKey/TagValue) and fails on CloudFormation's Key/Value; real CloudFormation
        # takes Key/Value. Hand moto its shape.
        if isinstance(res, dict) and res.get("Type") == "AWS::KMS::Key":
            props = res.get("Properties")
            tags = props.get("Tags") if isinstance(props, dict) else None
            if isinstance(tags, list) and tags and all(isinstance(t, dict) and "Key" in t for t in tags):
                props["Tags"] = [{"TagKey": t["Key"], "TagValue": t.get("Value", "")} for t in tags]
                patched.append({"logical_id": lid, "type": res["Type"], "Tags": "as TagKey/TagValue"})
            continue
        if not isinstance(res, dict) or res.get("Type") not in rules:
            continue
        flag, name_key, limit = rules[res["Type"]]
        props = res.get("Properties")
        if not isinstance(props, dict) or not _truthy(props.get(flag)) or name_key in props:
            continue
        stem = f"{stack_name}-{lid}"[: limit - len(".fifo")]
        props[name_key] = f"{stem}.fifo"
        patched.append({"logical_id": lid, "type": res["Type"], name_key: props[name_key]})
    if not patched:
        return body, []
    return json.dumps(doc), patched


def upload_packaged_code(body: str, endpoint: str) -> list[dict]:
    """Do what `sam deploy` does before CreateStack: put each function's zip
    in S3, here a minimal zip holding a `bootstrap` file, so moto's Lambda
    finds the object the template names."""
    import io
    import zipfile

    try:
        doc = json.loads(body)
    except ValueError:
        return []
    uploads = []
    for lid, res in (doc.get("Resources") or {}).items():
        if res.get("Type") != "AWS::Lambda::Function":
            continue
        code = (res.get("Properties") or {}).get("Code") or {}
        bucket, key = code.get("S3Bucket"), code.get("S3Key")
        if not (isinstance(bucket, str) and isinstance(key, str)):
            continue
        uploads.append({"logical_id": lid, "bucket": bucket, "key": key})
    if not uploads:
        return []
    s3 = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    ).client("s3", endpoint_url=endpoint, config=botocore.config.Config(s3={"addressing_style": "path"}))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("bootstrap", "#!/bin/sh\n# placeholder uploaded by moto_deploy.py\n")
    for u in uploads:
        try:
            s3.create_bucket(Bucket=u["bucket"])
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass
        s3.put_object(Bucket=u["bucket"], Key=u["key"], Body=archive.getvalue())
        log(f"uploaded placeholder code for {u['logical_id']} to s3://{u['bucket']}/{u['key']}")
    return uploads


def placeholder_answer(stack_name: str, logical_id: str, rtype: str) -> dict:
    """The Data a custom resource's function would answer with."""
    import hashlib

    if rtype == "Custom::ImageRepublish":
        digest = "sha256:" + hashlib.sha256(f"{stack_name}/{logical_id}".encode()).hexdigest()
        repo = f"123456789012.dkr.ecr.{REGION}.amazonaws.com/{stack_name.lower()}-{logical_id.lower()}"
        return {"ImageUri": f"{repo}@{digest}", "Digest": digest}
    return {}


def resolve_custom_attributes(body: str, stack_name: str) -> tuple[str, list[dict]]:
    """moto creates a resource that reads a custom resource's attribute (Fn::GetAtt)
    before the custom resource has answered, with the attribute as null. The answers
    here are known in advance (placeholder_answer), so write them into the template
    where they are read, as CloudFormation would once the answer arrived."""
    parsed = json_resources(body)
    if parsed is None:
        return body, []
    doc, resources = parsed
    answers = {
        lid: placeholder_answer(stack_name, lid, res.get("Type", ""))
        for lid, res in resources.items()
        if isinstance(res, dict) and str(res.get("Type", "")).startswith("Custom::")
    }
    resolved: list[dict] = []

    def walk(node: object, where: str) -> object:
        if isinstance(node, dict):
            att = node.get("Fn::GetAtt")
            if len(node) == 1 and isinstance(att, list) and len(att) == 2 and att[0] in answers:
                value = answers[att[0]].get(att[1])
                if isinstance(value, str):
                    resolved.append({"at": where, "attribute": f"{att[0]}.{att[1]}", "value": value})
                    return value
            return {k: walk(v, f"{where}.{k}") for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, f"{where}[{i}]") for i, v in enumerate(node)]
        return node

    for key in ("Resources", "Outputs"):
        if isinstance(doc.get(key), dict):
            doc[key] = walk(doc[key], key)
    return (json.dumps(doc), resolved) if resolved else (body, [])


def answer_custom_resources(endpoint: str, stack_id: str, stack_name: str, declared: dict[str, str]) -> list[dict]:
    """PUT a SUCCESS answer to moto's custom-resource response URL for each Custom::*
    resource, as the resource's Lambda would."""
    import urllib.parse
    import urllib.request

    answered = []
    for lid, rtype in declared.items():
        if not (isinstance(rtype, str) and (rtype.startswith("Custom::") or rtype == "AWS::CloudFormation::CustomResource")):
            continue
        data = placeholder_answer(stack_name, lid, rtype)
        body = json.dumps(
            {
                "Status": "SUCCESS",
                "StackId": stack_id,
                "LogicalResourceId": lid,
                "RequestId": "moto-deploy",
                "PhysicalResourceId": data.get("ImageUri", f"{stack_name}-{lid}"),
                "Data": data,
            }
        ).encode()
        url = f"{endpoint}/cloudformation_{REGION}/cfnresponse?stack={urllib.parse.quote(stack_id, safe='')}"
        req = urllib.request.Request(url, data=body, method="PUT", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            resp.read()
        log(f"answered custom resource {lid} [{rtype}] with SUCCESS {data}")
        answered.append({"logical_id": lid, "type": rtype, "data": data})
    return answered


NESTED_PREFIX = "https://s3.amazonaws.com/sam-package-placeholder/"


def default_nested_parameters(child: str, lid: str) -> str:
    """moto resolves a Ref to a resource type it does not model (a schedule group)
    to nothing and then rejects the nested stack for a missing parameter: give each
    child parameter a placeholder default, used only where moto passes nothing."""
    try:
        doc = json.loads(child)
    except ValueError:
        return child
    patched = []
    for name, param in (doc.get("Parameters") or {}).items():
        if isinstance(param, dict) and "Default" not in param:
            param["Default"] = "moto-placeholder"
            patched.append(name)
    if patched:
        log(f"moto workaround: placeholder defaults for {lid} parameters {', '.join(patched)}")
    return json.dumps(doc)


def upload_nested_templates(
    body: str, nested_dir: str, endpoint: str, stack_name: str, children: dict[str, dict]
) -> list[dict]:
    """Upload the translated child of each nested stack the root names; `children`
    gets each uploaded child template, by the nested stack's logical id."""
    try:
        doc = json.loads(body)
    except ValueError:
        return []
    s3 = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    ).client("s3", endpoint_url=endpoint, config=botocore.config.Config(s3={"addressing_style": "path"}))
    uploaded = []
    for lid, res in (doc.get("Resources") or {}).items():
        if res.get("Type") != "AWS::CloudFormation::Stack":
            continue
        url = (res.get("Properties") or {}).get("TemplateURL")
        if not (isinstance(url, str) and url.startswith(NESTED_PREFIX)):
            continue
        key = url[len(NESTED_PREFIX):]
        with open(os.path.join(nested_dir, key), encoding="utf-8") as fh:
            child = fh.read()
        child, _ = patch_fifo_names(child, f"{stack_name}-{lid}")
        child = default_nested_parameters(child, lid)
        upload_packaged_code(child, endpoint)
        bucket = NESTED_PREFIX.rstrip("/").rsplit("/", 1)[1]
        try:
            s3.create_bucket(Bucket=bucket)
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass
        s3.put_object(Bucket=bucket, Key=key, Body=child.encode("utf-8"))
        children[lid] = json.loads(child)
        uploaded.append({"logical_id": lid, "key": key, "resources": len(template_resources(child))})
        log(f"uploaded nested template {key} for {lid}")
    return uploaded


# ---------------------------------------------------------------------------
# Resources moto's CloudFormation skips, created here after the stack is up
# ---------------------------------------------------------------------------

# What moto_deploy creates itself, in this order (a queue's policy before the
# subscription that waits for it, as the templates' DependsOn say).
CREATED_HERE = ("AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy", "AWS::SNS::Subscription")
# The subscription attributes moto's SNS stores and applies, in the order they are set
# (moto validates a FilterPolicy against the FilterPolicyScope already set).
SUBSCRIPTION_ATTRIBUTES = ("FilterPolicyScope", "FilterPolicy", "RawMessageDelivery", "RedrivePolicy")
PSEUDO_PARAMETERS = {
    "AWS::Region": REGION,
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}


class CannotCreate(Exception):
    """A resource moto skipped that moto_deploy cannot create either (names what and why)."""


class Resolver:
    """Resolves the intrinsics of one deployed template to what moto created:
    Ref of a resource -> its physical id (moto's: a queue's URL, a topic's ARN,
    a function's name), Ref of a parameter -> the stack's value, pseudo parameters,
    Fn::GetAtt X.Arn of a queue / topic / function / EventBridge rule (or of any resource
    whose physical id is its ARN), Fn::Sub, Fn::Join, Fn::ImportValue.
    Anything else raises CannotCreate rather than guessing."""

    def __init__(self, session, endpoint: str, stack_name: str, physical: dict[str, tuple[str, str]], params: dict[str, str]):
        self.session, self.endpoint = session, endpoint
        self.physical, self.params = physical, params
        self.pseudo = dict(PSEUDO_PARAMETERS, **{"AWS::StackName": stack_name})
        self._clients: dict[str, object] = {}
        self._arns: dict[str, str] = {}

    def client(self, service: str):
        if service not in self._clients:
            self._clients[service] = self.session.client(service, endpoint_url=self.endpoint)
        return self._clients[service]

    def ref(self, name: str) -> str:
        if name in self.params:
            return self.params[name]
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.physical:
            return self.physical[name][1]
        raise CannotCreate(f"Ref {name}: neither a parameter nor a resource moto created")

    def arn(self, name: str) -> str:
        if name not in self.physical:
            raise CannotCreate(f"Fn::GetAtt {name}.Arn: {name} is not a resource moto created")
        rtype, physical = self.physical[name]
        if name not in self._arns:
            if rtype == "AWS::SQS::Queue":
                attrs = self.client("sqs").get_queue_attributes(QueueUrl=physical, AttributeNames=["QueueArn"])
                self._arns[name] = attrs["Attributes"]["QueueArn"]
            elif rtype == "AWS::SNS::Topic":
                self._arns[name] = physical
            elif rtype == "AWS::Lambda::Function":
                config = self.client("lambda").get_function(FunctionName=physical)["Configuration"]
                self._arns[name] = config["FunctionArn"]
            elif rtype == "AWS::Events::Rule":
                self._arns[name] = self.client("events").describe_rule(Name=physical)["Arn"]
            elif physical.startswith("arn:"):
                self._arns[name] = physical
            else:
                raise CannotCreate(f"Fn::GetAtt {name}.Arn: moto_deploy does not know the ARN of a {rtype}")
        return self._arns[name]

    def get_att(self, target: object) -> str:
        if isinstance(target, str):
            target = target.split(".", 1)
        if not (isinstance(target, list) and len(target) == 2 and all(isinstance(t, str) for t in target)):
            raise CannotCreate(f"Fn::GetAtt {target!r}: not [LogicalId, Attribute]")
        if target[1] != "Arn":
            raise CannotCreate(f"Fn::GetAtt {target[0]}.{target[1]}: moto_deploy resolves only .Arn")
        return self.arn(target[0])

    def sub(self, arg: object) -> str:
        import re

        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (None, None)
        if not (isinstance(text, str) and isinstance(variables, dict)):
            raise CannotCreate(f"Fn::Sub {arg!r}: not a string or [string, variables]")

        def one(m: re.Match) -> str:
            name = m.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(self.resolve(variables[name]))
            if "." in name:
                return self.get_att(name)
            return self.ref(name)

        return re.sub(r"\$\{([^}]+)\}", one, text)

    def resolve(self, node: object) -> object:
        if isinstance(node, list):
            return [self.resolve(v) for v in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, arg), = node.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                return self.get_att(arg)
            if key == "Fn::Sub":
                return self.sub(arg)
            if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
                return str(arg[0]).join(str(self.resolve(v)) for v in arg[1])
            if key == "Fn::ImportValue":
                name = self.resolve(arg)
                for page in self.client("cloudformation").get_paginator("list_exports").paginate():
                    for export in page["Exports"]:
                        if export["Name"] == name:
                            return export["Value"]
                raise CannotCreate(f"Fn::ImportValue {name}: no stack in moto exports it")
            if key.startswith("Fn::"):
                raise CannotCreate(f"{key}: moto_deploy does not resolve this intrinsic")
        return {k: self.resolve(v) for k, v in node.items()}


def stack_parameters(cfn, stack_id: str, doc: dict) -> dict[str, str]:
    """The stack's parameter values: what moto reports, else the template's defaults."""
    values = {
        k: str(p["Default"])
        for k, p in (doc.get("Parameters") or {}).items()
        if isinstance(p, dict) and "Default" in p
    }
    for p in cfn.describe_stacks(StackName=stack_id)["Stacks"][0].get("Parameters") or []:
        if p.get("ParameterValue") is not None:
            values[p["ParameterKey"]] = p["ParameterValue"]
    return values


def _attribute_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))


def create_skipped(
    session, endpoint: str, cfn, stack_id: str, stack_name: str, doc: dict, created: list[dict]
) -> tuple[list[dict], list[dict]]:
    """Create what moto's CloudFormation skipped of CREATED_HERE in the stack `stack_id`
    (template `doc`, `created` = moto's resources with physical ids), as CloudFormation
    would: each SNS subscription through Subscribe (Protocol, TopicArn, Endpoint and
    SUBSCRIPTION_ATTRIBUTES), each queue policy / topic policy as the queues' / topics'
    Policy attribute. Returns (created, errors); an error names the resource and what
    could not be resolved or created."""
    resources = doc.get("Resources") or {}
    seen = {r["logical_id"] for r in created}
    physical = {r["logical_id"]: (r["type"], r["physical_id"]) for r in created if r.get("physical_id")}
    resolver = Resolver(session, endpoint, stack_name, physical, stack_parameters(cfn, stack_id, doc))
    done: list[dict] = []
    errors: list[dict] = []
    for rtype in CREATED_HERE:
        for lid, res in resources.items():
            if not isinstance(res, dict) or res.get("Type") != rtype or lid in seen:
                continue
            try:
                if "Condition" in res:
                    raise CannotCreate("it has a Condition, which moto_deploy does not evaluate")
                props = resolver.resolve(res.get("Properties") or {})
                if rtype == "AWS::SNS::Subscription":
                    done.append(subscribe(resolver, lid, props))
                elif rtype == "AWS::SQS::QueuePolicy":
                    policy = json.dumps(props["PolicyDocument"], sort_keys=True)
                    for url in props["Queues"]:
                        resolver.client("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
                    done.append({"logical_id": lid, "type": rtype, "physical_id": f"{stack_name}-{lid}", "queues": props["Queues"]})
                else:
                    policy = json.dumps(props["PolicyDocument"], sort_keys=True)
                    for arn in props["Topics"]:
                        resolver.client("sns").set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=policy)
                    done.append({"logical_id": lid, "type": rtype, "physical_id": f"{stack_name}-{lid}", "topics": props["Topics"]})
                log(f"created {lid} [{rtype}] in {stack_name} (moto's CloudFormation skipped it)")
            except (CannotCreate, KeyError, TypeError, botocore.exceptions.ClientError) as exc:
                reason = f"{type(exc).__name__}: {exc}" if not isinstance(exc, CannotCreate) else str(exc)
                errors.append({"logical_id": lid, "type": rtype, "stack_name": stack_name, "error": reason})
                log(f"cannot create {lid} [{rtype}] in {stack_name}: {reason}")
    return done, errors


def subscribe(resolver: Resolver, lid: str, props: dict) -> dict:
    """sns:Subscribe with a subscription's resolved properties."""
    unknown = sorted(set(props) - {"Protocol", "TopicArn", "Endpoint", *SUBSCRIPTION_ATTRIBUTES})
    if unknown:
        raise CannotCreate(f"moto_deploy does not create subscriptions with {', '.join(unknown)}")
    attributes = {name: _attribute_text(props[name]) for name in SUBSCRIPTION_ATTRIBUTES if name in props}
    arn = resolver.client("sns").subscribe(
        TopicArn=props["TopicArn"],
        Protocol=props["Protocol"],
        Endpoint=props["Endpoint"],
        Attributes=attributes,
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    return {
        "logical_id": lid,
        "type": "AWS::SNS::Subscription",
        "physical_id": arn,
        "protocol": props["Protocol"],
        "topic_arn": props["TopicArn"],
        "endpoint": props["Endpoint"],
        "attributes": attributes,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--endpoint", required=True, help="moto server URL, e.g. http://127.0.0.1:5000")
    ap.add_argument("--stack-name", required=True)
    ap.add_argument("--parameter", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the stack (default 120)")
    ap.add_argument(
        "--no-fifo-name-workaround",
        action="store_true",
        help="send the template unchanged (by default unnamed FIFO topics/queues get an explicit .fifo name)",
    )
    ap.add_argument("--nested-dir", help="directory of the translated nested templates (see above)")
    ap.add_argument("template")
    args = ap.parse_args()

    params = []
    for p in args.parameter:
        key, sep, value = p.partition("=")
        if not sep or not key:
            ap.error(f"--parameter needs KEY=VALUE, got {p!r}")
        params.append({"ParameterKey": key, "ParameterValue": value})

    try:
        with open(args.template, encoding="utf-8") as fh:
            body = fh.read()
    except OSError as exc:
        log(f"cannot read {args.template}: {exc}")
        return 2
    declared = template_resources(body)
    patched: list[dict] = []
    if not args.no_fifo_name_workaround:
        body, patched = patch_fifo_names(body, args.stack_name)
        for p in patched:
            log(f"moto workaround: patched {p['logical_id']} [{p['type']}]")

    uploaded = upload_packaged_code(body, args.endpoint)
    children: dict[str, dict] = {}
    nested_uploads = (
        upload_nested_templates(body, args.nested_dir, args.endpoint, args.stack_name, children)
        if args.nested_dir
        else []
    )
    body, resolved = resolve_custom_attributes(body, args.stack_name)
    for r in resolved:
        log(f"moto workaround: {r['at']} reads {r['attribute']}, written in as {r['value']}")

    session = boto3.session.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name=REGION,
    )
    cfn = session.client(
        "cloudformation",
        endpoint_url=args.endpoint,
        config=botocore.config.Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=120),
    )

    result: dict = {
        "stack_name": args.stack_name,
        "stack_id": None,
        "status": None,
        "status_reason": None,
        "resources": [],
        "not_created": [],
        "failed_events": [],
        "moto_workarounds": patched,
        "uploaded_code": uploaded,
        "nested": nested_uploads,
        "resolved_custom_attributes": resolved,
        "created_by_deploy_script": [],
        "deploy_script_errors": [],
    }
    started = time.monotonic()
    try:
        log(f"create_stack {args.stack_name} from {args.template} ({len(declared)} resources) at {args.endpoint}")
        resp = cfn.create_stack(
            StackName=args.stack_name,
            TemplateBody=body,
            Parameters=params,
            Capabilities=CAPABILITIES,
            OnFailure="DO_NOTHING",
        )
        result["stack_id"] = resp["StackId"]
        result["answered_custom_resources"] = answer_custom_resources(
            args.endpoint, resp["StackId"], args.stack_name, declared
        )
        deadline = started + args.timeout
        while True:
            stack = cfn.describe_stacks(StackName=resp["StackId"])["Stacks"][0]
            status = stack["StackStatus"]
            if not status.endswith("_IN_PROGRESS"):
                break
            if time.monotonic() > deadline:
                log(f"timed out after {args.timeout:.0f}s in {status}")
                break
            time.sleep(0.25)
        result["status"] = status
        result["status_reason"] = stack.get("StackStatusReason")

        summaries = []
        for page in cfn.get_paginator("list_stack_resources").paginate(StackName=resp["StackId"]):
            summaries.extend(page["StackResourceSummaries"])
        order = {lid: i for i, lid in enumerate(declared)}
        summaries.sort(key=lambda s: (order.get(s["LogicalResourceId"], len(order)), s["LogicalResourceId"]))
        # moto lists each resource type it skipped as an entry with an empty logical id: drop those.
        summaries = [s for s in summaries if s.get("LogicalResourceId")]
        result["resources"] = [
            {
                "logical_id": s["LogicalResourceId"],
                "type": s["ResourceType"],
                "physical_id": s.get("PhysicalResourceId"),
                "status": s.get("ResourceStatus"),
            }
            for s in summaries
        ]
        lam = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        ).client("lambda", endpoint_url=args.endpoint)
        result["image_functions"] = []
        for r in result["resources"]:
            if r["type"] == "AWS::Lambda::Function" and r["physical_id"]:
                code = lam.get_function(FunctionName=r["physical_id"]).get("Code", {})
                if code.get("ImageUri"):
                    result["image_functions"].append({"logical_id": r["logical_id"], "image_uri": code["ImageUri"]})
        for n in nested_uploads:
            physical = next((r["physical_id"] for r in result["resources"] if r["logical_id"] == n["logical_id"]), None)
            n["status"], n["created"], n["created_by_deploy_script"] = None, [], []
            if physical:
                n["status"] = cfn.describe_stacks(StackName=physical)["Stacks"][0]["StackStatus"]
                for page in cfn.get_paginator("list_stack_resources").paginate(StackName=physical):
                    n["created"].extend(
                        {
                            "logical_id": c["LogicalResourceId"],
                            "type": c["ResourceType"],
                            "physical_id": c.get("PhysicalResourceId"),
                        }
                        for c in page["StackResourceSummaries"]
                        if c.get("LogicalResourceId")
                    )
        seen = {s["LogicalResourceId"] for s in summaries}
        result["not_created"] = [{"logical_id": k, "type": t} for k, t in declared.items() if k not in seen]

        # What moto's CloudFormation skipped of CREATED_HERE, created as CloudFormation
        # would: in the root, then in each nested stack moto created.
        if status == "CREATE_COMPLETE":
            doc = parse_template(body)
            if doc is not None:
                done, errors = create_skipped(
                    session, args.endpoint, cfn, resp["StackId"], args.stack_name, doc, result["resources"]
                )
                result["created_by_deploy_script"] = done
                result["deploy_script_errors"].extend(errors)
            for n in nested_uploads:
                physical = next(r["physical_id"] for r in result["resources"] if r["logical_id"] == n["logical_id"])
                if n["status"] != "CREATE_COMPLETE":
                    continue
                child_name = physical.split("/")[1] if physical.count("/") >= 2 else physical
                done, errors = create_skipped(
                    session, args.endpoint, cfn, physical, child_name, children[n["logical_id"]], n["created"]
                )
                n["created_by_deploy_script"] = done
                result["deploy_script_errors"].extend(errors)

        if status != "CREATE_COMPLETE":
            events = []
            for page in cfn.get_paginator("describe_stack_events").paginate(StackName=resp["StackId"]):
                events.extend(page["StackEvents"])
            for ev in reversed(events):  # oldest first
                st = ev.get("ResourceStatus", "")
                if "FAILED" in st or "ROLLBACK" in st:
                    result["failed_events"].append(
                        {
                            "logical_id": ev.get("LogicalResourceId"),
                            "type": ev.get("ResourceType"),
                            "status": st,
                            "reason": ev.get("ResourceStatusReason"),
                        }
                    )
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        result["status_reason"] = f"{type(exc).__name__}: {exc}"
        log(f"API error: {exc}")

    elapsed = time.monotonic() - started
    log(f"stack {args.stack_name}: {result['status']} in {elapsed:.1f}s"
        + (f" ({result['status_reason']})" if result["status_reason"] else ""))
    for ev in result["failed_events"]:
        log(f"  FAILED {ev['logical_id']} [{ev['type']}] {ev['status']}: {ev['reason']}")
    for r in result["not_created"]:
        log(f"  not created by moto: {r['logical_id']} [{r['type']}]")
    for r in result["deploy_script_errors"]:
        log(f"  ERROR: cannot create {r['logical_id']} [{r['type']}] in {r['stack_name']}: {r['error']}")
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    ok = result["status"] == "CREATE_COMPLETE" and not result["status_reason"] and not result["deploy_script_errors"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
