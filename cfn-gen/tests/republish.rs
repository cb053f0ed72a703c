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
    ImageRepublish::new(&stack, "Hub").source("docker.io/library/alpine", "3.20");
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
    assert!(with(
        &errs,
        "`docker.io/library/alpine` is not an ECR repository URI"
    )
    .fix
    .contains(".source("));
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
