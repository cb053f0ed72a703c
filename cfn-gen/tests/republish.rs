//! `ImageRepublish`: the repository, the copier's least-privilege role, the
//! custom resource, the digest-pinned image functions run, and every
//! synth-time check.

use cfn_gen::{
    App, Architecture, BuiltinFunctions, ImageRepublish, NotificationChannel, Problem, Schedule,
    ScheduledLambda, SecretRef, Stack, TimeUnit, Topic,
};
use serde_json::{json, Value};

const VENDOR: &str = "123456789012.dkr.ecr.us-west-2.amazonaws.com/my-lambda";
const DIGEST: &str = "sha256:3b5f1c4e9a7d2b8c6e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";

/// An app whose image copier is this workspace's.
fn new_app() -> App {
    App::new().builtin_functions(BuiltinFunctions::default().image_copier(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../runtime/image-copier"
    )))
}

fn problems(app: &App) -> Vec<Problem> {
    match app.synth() {
        Ok(s) => s.warnings,
        Err(e) => e.errors().cloned().collect(),
    }
}

fn with<'a>(problems: &'a [Problem], needle: &str) -> &'a Problem {
    let found: Vec<&Problem> = problems
        .iter()
        .filter(|p| p.message.contains(needle))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one problem containing {needle:?}, got: {problems:#?}"
    );
    found[0]
}

fn job(stack: &Stack, image: &ImageRepublish) -> ScheduledLambda {
    // Alarms that notify nobody are a synth warning.
    stack.alarms_to(&cfn_gen::OpsTopic::new(stack, "Ops"));
    ScheduledLambda::new(stack, "Report")
        .image(image)
        .schedule(Schedule::rate(5, TimeUnit::Minutes))
}

fn resources<'a>(t: &'a Value, ty: &str) -> Vec<&'a Value> {
    t["Resources"]
        .as_object()
        .expect("resources")
        .values()
        .filter(|r| r["Type"] == ty)
        .collect()
}

#[test]
fn a_republished_image_is_copied_into_an_immutable_repository_and_run_by_digest() {
    let app = new_app();
    let stack = Stack::new(&app, "Images");
    let image = ImageRepublish::new(&stack, "Vendor").source(VENDOR, DIGEST);
    job(&stack, &image);
    let synthesis = app.synth().expect("valid");
    assert!(synthesis.warnings.is_empty(), "{:#?}", synthesis.warnings);
    let t = synthesis.stacks[0].template.to_json();

    let repo = &resources(&t, "AWS::ECR::Repository")[0]["Properties"];
    assert_eq!(repo["ImageTagMutability"], "IMMUTABLE");
    assert_eq!(repo["ImageScanningConfiguration"]["ScanOnPush"], true);
    assert_eq!(repo["EncryptionConfiguration"]["EncryptionType"], "AES256");
    let lifecycle: Value = serde_json::from_str(
        repo["LifecyclePolicy"]["LifecyclePolicyText"]
            .as_str()
            .expect("text"),
    )
    .expect("lifecycle JSON");
    let rules = lifecycle["rules"].as_array().expect("rules");
    assert!(
        rules
            .iter()
            .all(|r| r["selection"]["tagStatus"] == "untagged"),
        "only untagged images ever expire: the copy in use is tagged"
    );
    let pull = &repo["RepositoryPolicyText"]["Statement"][0];
    assert_eq!(pull["Principal"]["Service"], "lambda.amazonaws.com");

    let copy = &resources(&t, "Custom::ImageRepublish")[0]["Properties"];
    assert_eq!(copy["SourceImage"], format!("{VENDOR}@{DIGEST}"));
    assert_eq!(
        copy["Architecture"], "amd64",
        "Lambda refuses indexes: one platform by default"
    );
    assert_eq!(copy["TargetTag"], "cloudcron-{digest}");

    let copier_role = resources(&t, "AWS::IAM::Role")
        .into_iter()
        .find(|r| {
            r["Properties"]["Description"]
                .as_str()
                .is_some_and(|d| d.contains("Images/Vendor"))
        })
        .expect("copier role");
    let statements = copier_role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements");
    let star: Vec<&Value> = statements
        .iter()
        .filter(|s| s["Resource"] == json!(["*"]))
        .collect();
    assert_eq!(star.len(), 1);
    assert_eq!(star[0]["Action"], json!(["ecr:GetAuthorizationToken"]));
    let source_pull = statements
        .iter()
        .find(|s| {
            s["Resource"]
                == json!([{"Fn::Sub": "arn:${AWS::Partition}:ecr:us-west-2:123456789012:repository/my-lambda"}])
        })
        .expect("pull on exactly the source repository");
    assert!(!source_pull["Action"]
        .as_array()
        .expect("actions")
        .contains(&json!("ecr:PutImage")));

    let function = resources(&t, "AWS::Serverless::Function")
        .into_iter()
        .find(|f| f["Properties"].get("PackageType").is_some())
        .expect("image function");
    let uri = &function["Properties"]["ImageUri"]["Fn::GetAtt"];
    assert_eq!(uri[1], "ImageUri");
    assert!(uri[0].as_str().expect("id").starts_with("VendorCopy"));
}

#[test]
fn republish_checks() {
    let app = new_app();
    let stack = Stack::new(&app, "Images");
    let other = Stack::new(&app, "Other");
    let arm = ImageRepublish::new(&stack, "Arm")
        .source(VENDOR, DIGEST)
        .architecture(Architecture::Arm64);
    job(&stack, &arm);
    let index = ImageRepublish::new(&stack, "Index")
        .source(VENDOR, DIGEST)
        .whole_index();
    let topic = Topic::standard(&stack, "T");
    NotificationChannel::slack(&stack, "Slack", &topic)
        .image(&index)
        .webhook_url(SecretRef::ssm("/x"))
        .body("x");
    ImageRepublish::new(&stack, "Hub").source("https://ghcr.io/org/app", "3.20");
    ImageRepublish::new(&stack, "BadDigest").source(VENDOR, "sha256:abc");
    ImageRepublish::new(&stack, "Empty");
    let elsewhere = ImageRepublish::new(&other, "Vendor").source(VENDOR, DIGEST);
    ScheduledLambda::new(&stack, "Cross")
        .image(&elsewhere)
        .schedule(Schedule::rate(1, TimeUnit::Hours));
    let errs = problems(&app);
    let arch = with(
        &errs,
        "runs on x86_64 but Images/Arm copies the arm64 image",
    );
    assert_eq!(arch.path, "Images/Report");
    assert!(with(&errs, "whole multi-architecture index")
        .fix
        .contains(".architecture("));
    assert!(with(&errs, "starts with `https://`")
        .fix
        .contains(".source_image("));
    assert!(with(&errs, "`sha256:abc` is not a digest")
        .fix
        .contains("64"));
    assert_eq!(with(&errs, "has no source").path, "Images/Empty");
    assert!(with(&errs, "in another stack").fix.contains("republish"));
}

#[test]
fn a_tag_without_a_refresh_token_is_a_warning_that_says_how_releases_arrive() {
    let app = new_app();
    let stack = Stack::new(&app, "Images");
    let image = ImageRepublish::new(&stack, "Vendor").source(VENDOR, "latest");
    job(&stack, &image);
    let warnings = problems(&app);
    let w = with(&warnings, "copies tag `latest`");
    assert!(w.fix.contains(".refresh("));

    let app = new_app();
    let stack = Stack::new(&app, "Images");
    let image = ImageRepublish::new(&stack, "Vendor")
        .source(VENDOR, "latest")
        .refresh("2026-11-28");
    job(&stack, &image);
    let synthesis = app.synth().expect("valid");
    assert!(synthesis.warnings.is_empty(), "{:#?}", synthesis.warnings);
    assert!(
        synthesis.stacks[0]
            .text
            .contains("RefreshToken: \"2026-11-28\""),
        "a date-like string stays a quoted string"
    );
}

#[test]
fn an_image_from_another_region_must_be_republished() {
    let app = new_app();
    let stack = Stack::new(&app, "Images").region("eu-west-1");
    ScheduledLambda::new(&stack, "Report")
        .image(format!("{VENDOR}@{DIGEST}"))
        .schedule(Schedule::rate(5, TimeUnit::Minutes));
    let errs = problems(&app);
    let e = with(
        &errs,
        "is in region us-west-2, but the stack deploys to eu-west-1",
    );
    assert_eq!(e.path, "Images/Report");
    assert!(e.fix.contains("ImageRepublish"), "{}", e.fix);

    // Republished, the same image is fine: the copy lives in the stack's region.
    let app = new_app();
    let stack = Stack::new(&app, "Images").region("eu-west-1");
    let image = ImageRepublish::new(&stack, "Vendor").source(VENDOR, DIGEST);
    job(&stack, &image);
    app.synth()
        .expect("a republished image is in the stack's region");
}

/// The copier's role statements of the `ImageRepublish` at `path`.
fn copier_statements(t: &Value, path: &str) -> Vec<Value> {
    let role = resources(t, "AWS::IAM::Role")
        .into_iter()
        .find(|r| {
            r["Properties"]["Description"]
                .as_str()
                .is_some_and(|d| d.contains(path))
        })
        .expect("copier role");
    role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements")
        .clone()
}

#[test]
fn public_registries_are_copied_without_any_source_grant() {
    let app = new_app();
    let stack = Stack::new(&app, "Images");
    let cases = [
        ("Alpine", "alpine:3.20", "docker.io/library/alpine:3.20"),
        ("Hub", "docker.io/vendor/app:v2", "docker.io/vendor/app:v2"),
        ("Ghcr", "ghcr.io/org/app:v1", "ghcr.io/org/app:v1"),
        (
            "PublicEcr",
            "public.ecr.aws/lambda/provided:al2023",
            "public.ecr.aws/lambda/provided:al2023",
        ),
        (
            "Own",
            "registry.example.com:8443/team/app@sha256:3b5f1c4e9a7d2b8c6e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d",
            "registry.example.com:8443/team/app@sha256:3b5f1c4e9a7d2b8c6e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d",
        ),
    ];
    for (id, reference, _) in cases {
        ImageRepublish::new(&stack, id)
            .source_image(reference)
            .refresh("2026-12-01");
    }
    let synthesis = app.synth().expect("valid");
    let t = synthesis.stacks[0].template.to_json();
    let copies = resources(&t, "Custom::ImageRepublish");
    for (id, _, expected) in cases {
        assert!(
            copies
                .iter()
                .any(|c| c["Properties"]["SourceImage"] == expected),
            "{id}: {expected} not among {copies:#?}"
        );
        assert!(copies
            .iter()
            .all(|c| c["Properties"].get("SourceCredentials").is_none()));
        let statements = copier_statements(&t, &format!("Images/{id}"));
        let text = Value::Array(statements.clone()).to_string();
        assert!(!text.contains("secretsmanager"), "{id}: {text}");
        assert!(!text.contains("kms:"), "{id}: {text}");
        // ECR: the login (for the target) and push/pull on the target repository only.
        let ecr: Vec<&Value> = statements
            .iter()
            .filter(|s| s["Action"].to_string().contains("ecr:"))
            .collect();
        assert_eq!(ecr.len(), 2, "{id}: {ecr:#?}");
        for s in ecr {
            assert!(
                s["Resource"] == json!(["*"]) || s["Resource"].to_string().contains("Fn::GetAtt"),
                "{id}: an ECR statement on something else than the target: {s}"
            );
        }
    }
}

#[test]
fn credentials_are_read_from_exactly_their_secret_with_its_key() {
    let app = new_app();
    let stack = Stack::new(&app, "Images");
    let key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    ImageRepublish::new(&stack, "Private")
        .source("ghcr.io/vendor/app", "v1.4.2")
        .credentials(SecretRef::secrets_manager("registry/ghcr"))
        .credentials_key(key)
        .refresh("2026-12-01");
    let synthesis = app.synth().expect("valid");
    let t = synthesis.stacks[0].template.to_json();
    let copy = &resources(&t, "Custom::ImageRepublish")[0]["Properties"];
    assert_eq!(copy["SourceImage"], "ghcr.io/vendor/app:v1.4.2");
    assert_eq!(copy["SourceCredentials"], "registry/ghcr");
    let statements = copier_statements(&t, "Images/Private");
    let read = statements
        .iter()
        .find(|s| s["Action"] == json!(["secretsmanager:GetSecretValue"]))
        .expect("secret read");
    assert_eq!(
        read["Resource"],
        json!([{"Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:registry/ghcr-??????"}])
    );
    let decrypt = statements
        .iter()
        .find(|s| s["Action"] == json!(["kms:Decrypt"]))
        .expect("decrypt");
    assert_eq!(decrypt["Resource"], json!([key]));
    assert!(
        !synthesis.stacks[0].text.contains("password"),
        "nothing but the secret's name reaches the template"
    );
}

#[test]
fn malformed_sources_and_credentials_are_named_with_a_fix() {
    let app = new_app();
    let stack = Stack::new(&app, "Images");
    let sources = [
        ("Scheme", "https://ghcr.io/org/app", "v1"),
        ("Upper", "ghcr.io/Org/App", "v1"),
        ("Tagged", "ghcr.io/org/app:v1", "v1"),
        ("Port", "ghcr.io:99999/org/app", "v1"),
        ("Empty", "ghcr.io/org//app", "v1"),
        (
            "EcrRegion",
            "123456789012.dkr.ecr.us-est-1.amazonaws.com/app",
            "v1",
        ),
    ];
    for (id, repository, tag) in sources {
        ImageRepublish::new(&stack, id)
            .source(repository, tag)
            .refresh("1");
    }
    ImageRepublish::new(&stack, "EcrCreds")
        .source(VENDOR, DIGEST)
        .credentials(SecretRef::secrets_manager("registry/x"));
    ImageRepublish::new(&stack, "SsmCreds")
        .source_image("ghcr.io/org/app@".to_owned() + DIGEST)
        .credentials(SecretRef::ssm("/registry/x"));
    ImageRepublish::new(&stack, "KeyOnly")
        .source_image("ghcr.io/org/app@".to_owned() + DIGEST)
        .credentials_key("alias/registry");
    let token = format!("ghp_{}", "A".repeat(36));
    ImageRepublish::new(&stack, "TokenAsName")
        .source_image("ghcr.io/org/app@".to_owned() + DIGEST)
        .credentials(SecretRef::secrets_manager(&token));
    let errs = problems(&app);
    let at = |path: &str| -> Vec<&Problem> {
        errs.iter()
            .filter(|p| p.path == format!("Images/{path}"))
            .collect()
    };
    for (id, needle) in [
        ("Scheme", "starts with `https://`"),
        ("Upper", "upper-case"),
        ("Tagged", "has a tag or digest"),
        ("Port", "invalid port"),
        ("Empty", "invalid component"),
        ("EcrRegion", "did you mean `us-east-1`"),
        ("EcrCreds", "the copier logs in to ECR with its role"),
        ("SsmCreds", "must be a Secrets Manager secret"),
        ("KeyOnly", "no .credentials() secret"),
        ("TokenAsName", "looks like"),
    ] {
        let found = at(id);
        assert_eq!(
            found.len(),
            if id == "KeyOnly" { 2 } else { 1 },
            "{id}: {found:#?}"
        );
        assert!(
            found.iter().any(|p| p.message.contains(needle)),
            "{id}: `{needle}` not in {found:#?}"
        );
        assert!(found.iter().all(|p| !p.fix.is_empty()), "{id}");
    }
    assert!(at("KeyOnly")
        .iter()
        .any(|p| p.message.contains("not a KMS key ARN")));
    let leaked = errs
        .iter()
        .any(|p| p.message.contains(&token) || p.fix.contains(&token));
    assert!(!leaked, "a token given as a secret name is never echoed");
}

#[test]
fn the_fix_for_a_foreign_image_is_an_image_republish_that_validates() {
    for uri in [
        "ghcr.io/org/app:v1".to_owned(),
        "alpine:3.20".to_owned(),
        format!("public.ecr.aws/lambda/provided@{DIGEST}"),
        format!("{VENDOR}@{DIGEST}"), // right registry, wrong region
    ] {
        let app = new_app();
        let stack = Stack::new(&app, "Images").region("eu-west-1");
        stack.alarms_to(&cfn_gen::OpsTopic::new(&stack, "Ops"));
        ScheduledLambda::new(&stack, "Report")
            .image(uri.clone())
            .schedule(Schedule::rate(5, TimeUnit::Minutes));
        let errs = problems(&app);
        let call = format!(".source_image(\"{uri}\")");
        let e = errs
            .iter()
            .find(|p| p.fix.contains(&call))
            .unwrap_or_else(|| panic!("{uri}: no fix with {call}: {errs:#?}"));
        assert!(
            e.fix
                .contains("ImageRepublish::new(&stack, \"Image\").source_image("),
            "{}",
            e.fix
        );

        // The fix, applied as written.
        let app = new_app();
        let stack = Stack::new(&app, "Images").region("eu-west-1");
        let image = ImageRepublish::new(&stack, "Image")
            .source_image(uri.clone())
            .refresh("2026-12-01");
        job(&stack, &image);
        let synthesis = app
            .synth()
            .unwrap_or_else(|e| panic!("{uri}: the suggested fix fails: {e}"));
        assert!(
            synthesis.warnings.is_empty(),
            "{uri}: {:#?}",
            synthesis.warnings
        );
    }
}

#[test]
fn the_readme_shows_the_compiled_doc_example() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let source =
        std::fs::read_to_string(root.join("src/constructs/image_republish.rs")).expect("source");
    let readme = std::fs::read_to_string(root.join("../README.md")).expect("README.md");
    let doc: Vec<&str> = source
        .lines()
        .filter_map(|l| {
            l.strip_prefix("/// ")
                .or_else(|| (l == "///").then_some(""))
        })
        .collect();
    let start = doc
        .iter()
        .position(|l| l.contains("ImageRepublish, SecretRef, Stack}"))
        .expect("the registries example");
    let end = start
        + doc[start..]
            .iter()
            .position(|l| *l == "```")
            .expect("end of the example");
    let example = doc[start..end].join("\n");
    assert!(
        readme.contains(&example),
        "README.md lacks the ImageRepublish registries example:\n{example}"
    );
}
