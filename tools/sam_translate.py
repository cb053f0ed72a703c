#!/usr/bin/env python3
"""Translate an AWS SAM template to plain CloudFormation JSON, fully offline.

Usage: sam_translate.py IN.yaml|IN.json OUT.json   (OUT may be "-" for stdout)

Uses the real aws-sam-translator library (the code behind the
AWS::Serverless-2016-10-31 transform). Nothing here talks to AWS: the managed
policy loader returns an empty map, so policy names resolve only through the
map bundled with samtranslator (names it does not know are left as given).
AWS_DEFAULT_REGION defaults to us-east-1 (the region only picks the partition;
the output keeps ${AWS::Region} / ${AWS::Partition} where SAM writes them).

Local code is replaced the way `sam package` would replace it before the
transform runs: a function's local `CodeUri` (a path, as `sam build` reads it)
becomes `s3://sam-package-placeholder/<LogicalId>.zip`, and an image function
that SAM builds from `Metadata: Dockerfile` gets a placeholder `ImageUri`.
A nested application's local `Location` becomes
https://s3.amazonaws.com/sam-package-placeholder/<Child>.cfn.json (see
moto_deploy.py --nested-dir). Each replacement is reported on stderr.

Exit status: 0 on success, 1 when the template is invalid (every translator
error is printed to stderr, one per line), 2 on a usage or I/O error.
"""

from __future__ import annotations

import json
import os
import sys

# Must be set before boto3/samtranslator are imported: boto3 resolves the
# region when the translator asks for the partition. Never let it reach for
# EC2 instance metadata or real credentials.
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

from samtranslator.model.exceptions import InvalidDocumentException  # noqa: E402
from samtranslator.translator.transform import transform  # noqa: E402
from samtranslator.yaml_helper import yaml_parse  # noqa: E402


class OfflineManagedPolicyLoader:
    """Stands in for samtranslator's ManagedPolicyLoader, which would call iam:ListPolicies."""

    def load(self) -> dict[str, str]:
        return {}


def _messages(exc: BaseException) -> list[str]:
    causes = getattr(exc, "causes", None)
    if causes:
        out: list[str] = []
        for cause in causes:
            out.extend(_messages(cause))
        return out
    return [getattr(exc, "message", None) or str(exc) or type(exc).__name__]


PACKAGE_BUCKET = "sam-package-placeholder"
PACKAGE_REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com/sam-package-placeholder"


def nested_template_key(location: str) -> str:
    """The S3 key a nested stack's translated template is expected under:
    `LargeAppPart01.template.yaml` -> `LargeAppPart01.cfn.json`."""
    name = os.path.basename(location)
    for suffix in (".template.yaml", ".template.json", ".yaml", ".yml", ".json"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return f"{name}.cfn.json"


def package_local_code(template: dict) -> None:
    """Stand in for `sam package`: local code becomes an S3 object / ECR image,
    and a nested application's local template (`Location: Child.template.yaml`)
    an S3 URL, https://s3.amazonaws.com/sam-package-placeholder/Child.cfn.json,
    where moto_deploy.py --nested-dir uploads the translated child."""
    for lid, res in (template.get("Resources") or {}).items():
        if not isinstance(res, dict):
            continue
        if res.get("Type") == "AWS::Serverless::Application":
            props = res.setdefault("Properties", {})
            location = props.get("Location")
            if isinstance(location, str) and not location.startswith(("https://", "http://", "s3://")):
                props["Location"] = f"https://s3.amazonaws.com/{PACKAGE_BUCKET}/{nested_template_key(location)}"
                print(f"sam_translate: packaged {lid} Location {location} as {props['Location']}", file=sys.stderr)
            continue
        if res.get("Type") != "AWS::Serverless::Function":
            continue
        props = res.setdefault("Properties", {})
        code_uri = props.get("CodeUri")
        if isinstance(code_uri, str) and not code_uri.startswith("s3://"):
            props["CodeUri"] = f"s3://{PACKAGE_BUCKET}/{lid}.zip"
            print(f"sam_translate: packaged {lid} CodeUri {code_uri} as {props['CodeUri']}", file=sys.stderr)
        metadata = res.get("Metadata") or {}
        if props.get("PackageType") == "Image" and "ImageUri" not in props and "Dockerfile" in metadata:
            props["ImageUri"] = f"{PACKAGE_REGISTRY}:{lid}"
            print(f"sam_translate: packaged {lid} image as {props['ImageUri']}", file=sys.stderr)


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    src, dst = argv[1], argv[2]
    try:
        with open(src, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        print(f"sam_translate: cannot read {src}: {exc}", file=sys.stderr)
        return 2

    try:
        template = yaml_parse(text)  # also parses JSON; understands !Ref/!GetAtt/... short forms
    except Exception as exc:  # yaml.YAMLError and friends
        print(f"sam_translate: {src}: not valid YAML/JSON: {exc}", file=sys.stderr)
        return 1
    if not isinstance(template, dict):
        print(f"sam_translate: {src}: the template is not a mapping", file=sys.stderr)
        return 1

    package_local_code(template)
    try:
        output = transform(template, {}, OfflineManagedPolicyLoader())
    except InvalidDocumentException as exc:
        print(f"sam_translate: {src}: {exc.message}", file=sys.stderr)
        for msg in _messages(exc):
            print(f"  - {msg}", file=sys.stderr)
        return 1
    except Exception as exc:  # translator bugs surface as other exceptions
        print(f"sam_translate: {src}: translation failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1

    rendered = json.dumps(output, indent=2, ensure_ascii=False) + "\n"
    if dst == "-":
        sys.stdout.write(rendered)
        return 0
    tmp = f"{dst}.tmp{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(rendered)
        os.replace(tmp, dst)
    except OSError as exc:
        print(f"sam_translate: cannot write {dst}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
