//! `ImageRepublish`: a vendor's release image (from another ECR repository,
//! Docker Hub, GHCR, public ECR or any registry, public or with credentials
//! from Secrets Manager) copied into an ECR repository of the stack during
//! `sam deploy`, and used from there pinned by digest.
//!
//! Resources: the ECR repository (immutable tags, scan on push, encrypted,
//! a lifecycle policy that expires untagged images only, a repository policy
//! letting this account's Lambda functions pull), the copier function (the
//! `image-copier` binary of the package the app's
//! [`BuiltinFunctions`](crate::BuiltinFunctions) names, built by `sam build`
//! with cargo-lambda, running `runtime/image-copier`) with its
//! role and log group, and the `Custom::ImageRepublish` resource whose
//! `ImageUri` attribute is `<repository>@sha256:<digest>`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use crate::builtin_functions::Builtin;
use crate::construct::{Construct, Node, Stack};
use crate::constructs::code::{Architecture, Code, ImageSource, Republished};
use crate::constructs::ecr_uri::{is_digest, is_repository_name, parse_ecr_uri};
use crate::constructs::function::is_kms_key_arn;
use crate::constructs::function::{Function, FunctionIds, FunctionParts, FunctionSettings};
use crate::constructs::grant::{Grantee, RolePolicy};
use crate::constructs::image_source::{
    normalize_repository, split_reference, RegistryKind, SourceRepository,
};
use crate::constructs::secret::{self, SecretGrants};
use crate::resources::{ecr, iam};
use crate::synth::SynthContext;
use crate::template::{DeletionPolicy, Output, Resource, Template};
use crate::validate::{regions, Report};
use crate::value::Value;
use cloud_cron_contract::notifier::SecretRef;

/// The tag every copy gets: one per digest, so tags stay immutable.
const TARGET_TAG: &str = "cloudcron-{digest}";

/// Days an untagged image (a layer of nothing in use) is kept.
const UNTAGGED_DAYS: u32 = 14;

#[derive(Debug, Clone)]
struct Props {
    repository: String,
    reference: String,
    architecture: Option<Architecture>,
    refresh: Option<String>,
    empty_on_delete: bool,
    credentials: Option<SecretRef>,
    credentials_key: Option<String>,
}

struct Inner {
    node: Node,
    copier: Function,
    props: RefCell<Props>,
}

/// A copy of an image from another registry in a repository of this stack,
/// made during `sam deploy` and pinned by digest. Sources: another ECR
/// repository (any account or region the copier's role may read), Docker Hub,
/// GHCR, public ECR or any other OCI registry, anonymously (with the bearer
/// token each registry hands out) or with credentials read from a Secrets
/// Manager secret at copy time ([`credentials`](Self::credentials)).
///
/// ```
/// use cfn_gen::{App, BuiltinFunctions, ImageRepublish, Schedule, ScheduledLambda, Stack, TimeUnit};
/// # let image_copier = concat!(env!("CARGO_MANIFEST_DIR"), "/../runtime/image-copier");
/// // the package with the `image-copier` binary (see BuiltinFunctions)
/// let app = App::new().builtin_functions(BuiltinFunctions::package(image_copier));
/// let stack = Stack::new(&app, "Demo");
/// let image = ImageRepublish::new(&stack, "VendorImage")
///     .source("123456789012.dkr.ecr.us-west-2.amazonaws.com/my-lambda", "latest")
///     .refresh("2026-11-28");
/// ScheduledLambda::new(&stack, "Report")
///     .image(&image)
///     .schedule(Schedule::rate(5, TimeUnit::Minutes));
/// let out = app.synth().expect("valid");
/// assert!(out.stacks[0].text.contains("Custom::ImageRepublish"));
/// ```
///
/// From a public or private registry elsewhere:
///
/// ```
/// use cfn_gen::{App, BuiltinFunctions, ImageRepublish, SecretRef, Stack};
/// // the package with the `image-copier` binary (see BuiltinFunctions)
/// let image_copier = concat!(env!("CARGO_MANIFEST_DIR"), "/../runtime/image-copier");
/// let app = App::new().builtin_functions(BuiltinFunctions::package(image_copier));
/// let stack = Stack::new(&app, "Demo");
/// // Docker Hub's official image: `alpine` reads as docker.io/library/alpine.
/// ImageRepublish::new(&stack, "Alpine").source_image("alpine:3.20").refresh("2026-12-01");
/// // Public ECR and GHCR, anonymously.
/// ImageRepublish::new(&stack, "Provided")
///     .source_image("public.ecr.aws/lambda/provided:al2023")
///     .refresh("2026-12-01");
/// // A private GHCR package: the secret holds {"username": .., "password": ..}.
/// ImageRepublish::new(&stack, "Vendor")
///     .source("ghcr.io/vendor/app", "v1.4.2")
///     .credentials(SecretRef::secrets_manager("registry/ghcr"))
///     .refresh("2026-12-01");
/// let out = app.synth().expect("valid");
/// assert!(out.stacks[0].text.contains("docker.io/library/alpine:3.20"));
/// assert!(out.stacks[0].text.contains("SourceCredentials: registry/ghcr"));
/// ```
///
/// How a new upstream release reaches the stack: the copy is made when the
/// resource is created and whenever its properties change. Pin a digest
/// (`.source(REPO, "sha256:...")`) and every release is a template change;
/// or copy a tag and bump `.refresh(..)` when you want the tag resolved
/// again. Nothing changes silently: the functions use the copied digest
/// until the next copy.
///
/// Lambda refuses multi-architecture image indexes, so one platform is
/// copied: `x86_64` unless `.architecture(..)` says otherwise (use the
/// function's own). `.whole_index()` copies the index whole, for other
/// consumers than Lambda.
#[derive(Clone)]
pub struct ImageRepublish(Rc<Inner>);

impl ImageRepublish {
    /// A new republished image in `stack`; give it a `.source(..)`.
    pub fn new(stack: &Stack, id: &str) -> ImageRepublish {
        let mut settings = FunctionSettings::new(Duration::from_secs(900), 512)
            .with_code(Code::Builtin(stack.builtin_code(Builtin::ImageCopier)));
        settings.description = Some(
            "Copies an image into this stack's ECR repository (cloud-cron ImageRepublish)".into(),
        );
        let node = stack.claim(id);
        let copier = Function::within(
            &node,
            FunctionIds::children(&node, "Copier", "Copier"),
            settings,
            "the copier is runtime/image-copier of this workspace",
            Some("CloudFormation invokes the copier for a custom resource, and the copier always answers CloudFormation (SUCCESS or FAILED, also on panic and time-out), so no event is left to dead-letter"),
        );
        let inner = Rc::new(Inner {
            node,
            copier,
            props: RefCell::new(Props {
                repository: String::new(),
                reference: String::new(),
                architecture: Some(Architecture::X86_64),
                refresh: None,
                empty_on_delete: false,
                credentials: None,
                credentials_key: None,
            }),
        });
        stack.add(inner.clone());
        ImageRepublish(inner)
    }

    fn update(self, f: impl FnOnce(&mut Props)) -> ImageRepublish {
        f(&mut self.0.props.borrow_mut());
        self
    }

    /// The image to copy: a repository and a tag (`latest`, `v1.4.2`) or a
    /// digest (`sha256:...`). The repository is read as `docker pull` reads
    /// it: `ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO` (private ECR, read with
    /// the copier's role), `ghcr.io/ORG/APP`, `public.ecr.aws/ALIAS/APP`,
    /// `host[:port]/PATH`, and Docker Hub as `docker.io/ORG/APP`, `ORG/APP` or
    /// `APP` (an official image: `docker.io/library/APP`).
    pub fn source(
        self,
        repository_uri: impl Into<String>,
        tag_or_digest: impl Into<String>,
    ) -> ImageRepublish {
        let (repository, reference) = (repository_uri.into(), tag_or_digest.into());
        self.update(|p| {
            p.repository = repository;
            p.reference = reference;
        })
    }

    /// The image to copy as one reference, `REPOSITORY:TAG` or
    /// `REPOSITORY@sha256:DIGEST` (`alpine:3.20`,
    /// `ghcr.io/org/app@sha256:...`); without either, `latest`. The
    /// repository reads as in [`source`](Self::source).
    pub fn source_image(self, reference: impl Into<String>) -> ImageRepublish {
        let (repository, reference) = split_reference(&reference.into());
        self.source(repository, reference)
    }

    /// Log in to the source registry with the credentials in this Secrets
    /// Manager secret, for a private repository outside ECR (GHCR, Docker
    /// Hub, a registry of your own). The secret's `SecretString` is
    /// `{"username": "...", "password": "..."}` (a password or an access
    /// token); the copier reads it at copy time and sends it to the registry's
    /// token service (or to the registry, where it asks for basic auth). Its
    /// role may `secretsmanager:GetSecretValue` on exactly this secret. The
    /// value is never in the template, an environment variable or a log.
    pub fn credentials(self, secret: SecretRef) -> ImageRepublish {
        self.update(|p| p.credentials = Some(secret))
    }

    /// The customer managed KMS key (`arn:aws:kms:REGION:ACCOUNT:key/ID`) that
    /// encrypts the credentials secret: the copier may also `kms:Decrypt`
    /// with it. Not needed for the default key `aws/secretsmanager`.
    pub fn credentials_key(self, key_arn: impl Into<String>) -> ImageRepublish {
        let key_arn = key_arn.into();
        self.update(|p| p.credentials_key = Some(key_arn))
    }

    /// Copy this platform from a multi-architecture index (the default is
    /// `x86_64`); it must match the architecture of the functions using it.
    pub fn architecture(self, architecture: Architecture) -> ImageRepublish {
        self.update(|p| p.architecture = Some(architecture))
    }

    /// Copy an index whole, every platform (Lambda cannot run the result).
    pub fn whole_index(self) -> ImageRepublish {
        self.update(|p| p.architecture = None)
    }

    /// Any text; change it (e.g. to today's date) to copy a moving tag again
    /// on the next deploy.
    pub fn refresh(self, token: impl Into<String>) -> ImageRepublish {
        let token = token.into();
        self.update(|p| p.refresh = Some(token))
    }

    /// Delete the repository and its images with the stack (by default both
    /// are kept, so a stack deletion never breaks another user of the copy).
    pub fn empty_on_delete(self) -> ImageRepublish {
        self.update(|p| p.empty_on_delete = true)
    }

    /// Where it sits in the construct tree.
    pub fn node(&self) -> &Node {
        &self.0.node
    }

    /// The copied image, `<repository uri>@sha256:<digest>`.
    pub fn image_uri(&self) -> Value {
        Value::get_att(
            self.0.node.child_logical_id("Copy"),
            cloud_cron_contract::image_republish::data::IMAGE_URI,
        )
    }

    /// The stack's repository's ARN.
    pub fn repository_arn(&self) -> Value {
        Value::get_att(self.0.node.child_logical_id("Repository"), "Arn")
    }

    /// Let `grantee` pull the copied image (for a role other than a Lambda
    /// function's: the repository policy already lets this account's
    /// functions pull): `ecr:GetAuthorizationToken`, which has no resource
    /// to scope, and the pull actions on exactly this repository.
    pub fn grant_pull(&self, grantee: &dyn Grantee) {
        grant_ecr_access(&self.repository_arn(), &PULL, grantee);
    }

    pub(crate) fn republished(&self) -> Republished {
        Republished {
            node: self.0.node.clone(),
            image_uri: self.image_uri(),
            repository_arn: self.repository_arn(),
            architecture: self.0.props.borrow().architecture,
        }
    }
}

/// What pulling an image takes, on its repository.
pub(crate) const PULL: [&str; 3] = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
];

/// What pushing an image takes, beside pulling.
const PUSH: [&str; 4] = [
    "ecr:CompleteLayerUpload",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
];

/// `ecr:GetAuthorizationToken`, which every ECR client needs and which
/// has no resource to scope.
fn grant_ecr_login(grantee: &dyn Grantee) {
    grantee.add_to_role_policy(
        iam::Statement::allow(
            ["ecr:GetAuthorizationToken"],
            vec![Value::String("*".into())],
        )
        .sid("EcrLoginHasNoResource"),
    );
}

/// Logging in, and `actions` on exactly the repository `repository_arn`.
pub(crate) fn grant_ecr_access(repository_arn: &Value, actions: &[&str], grantee: &dyn Grantee) {
    grant_ecr_login(grantee);
    grantee.add_to_role_policy(iam::Statement::allow(
        actions.iter().copied(),
        vec![repository_arn.clone()],
    ));
}

impl Inner {
    /// The normalised source reference the copier gets.
    fn source_image(p: &Props) -> String {
        let repository =
            normalize_repository(&p.repository).map_or_else(|_| p.repository.clone(), |r| r.uri());
        if p.reference.starts_with("sha256:") {
            format!("{repository}@{}", p.reference)
        } else {
            format!("{repository}:{}", p.reference)
        }
    }

    /// The source repository's checks; the normalised repository when valid.
    fn check_source(path: &str, p: &Props, report: &mut Report) -> Option<SourceRepository> {
        let fix = "call .source_image(\"ghcr.io/ORG/APP:TAG\") (any registry; `alpine:3.20` is Docker Hub's) or .source(\"ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO\", \"TAG\" or \"sha256:DIGEST\")";
        if p.repository.is_empty() {
            report.error(path, "the republished image has no source", fix);
            return None;
        }
        let source = match normalize_repository(&p.repository) {
            Ok(source) => source,
            Err(why) => {
                report.error(
                    path,
                    format!("source `{}` is malformed: {why}", p.repository),
                    fix,
                );
                return None;
            }
        };
        let looks_like_ecr = source.host.contains(".dkr.ecr") || source.host.contains(".dkr-ecr");
        match parse_ecr_uri(&source.uri()) {
            None if looks_like_ecr => {
                let why = regions::ecr_host_problem(&source.host)
                    .unwrap_or_else(|| "it is not a private ECR registry host".to_owned());
                report.error(
                    path,
                    format!("source `{}` is malformed: {why}", p.repository),
                    "a private ECR repository is ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO (12-digit account, a real region)",
                );
                return None;
            }
            Some((_, region, repo)) => {
                if let Err(why) = regions::check_region(region) {
                    report.error(
                        path,
                        format!("source `{}` is malformed: {why}", p.repository),
                        "a private ECR repository is ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO (12-digit account, a real region)",
                    );
                    return None;
                }
                if !is_repository_name(repo) {
                    report.error(
                        path,
                        format!("source `{}` has an invalid repository name `{repo}`", p.repository),
                        "ECR repository names are lower-case letters, digits, `.`, `_`, `-` and `/`",
                    );
                    return None;
                }
            }
            None => {}
        }
        Some(source)
    }

    /// The credentials secret's checks.
    fn check_credentials(
        path: &str,
        p: &Props,
        source: Option<&SourceRepository>,
        report: &mut Report,
    ) {
        let example = ".credentials(SecretRef::secrets_manager(\"registry/ghcr\"))";
        if let Some(key) = &p.credentials_key {
            if p.credentials.is_none() {
                report.error(
                    path,
                    "has a .credentials_key() but no .credentials() secret",
                    format!("add {example}, or remove .credentials_key()"),
                );
            }
            if !is_kms_key_arn(key) {
                report.error(
                    path,
                    format!("`{key}` is not a KMS key ARN"),
                    "pass the key's ARN, arn:aws:kms:REGION:ACCOUNT:key/KEY-ID, to .credentials_key() (not an alias: the copier's kms:Decrypt grant must name the key)",
                );
            }
        }
        let Some(credentials) = &p.credentials else {
            return;
        };
        if let Err(why) = secret::check(credentials) {
            report.error(
                path,
                format!("credentials secret: {why}"),
                format!("pass the secret's name or ARN: {example}"),
            );
            return;
        }
        if matches!(credentials, SecretRef::Ssm { .. }) {
            report.error(
                path,
                "registry credentials must be a Secrets Manager secret (the copier reads {\"username\", \"password\"} JSON from Secrets Manager)",
                format!("store the credentials in Secrets Manager and pass {example}"),
            );
        }
        if source.is_some_and(|s| s.kind() == RegistryKind::PrivateEcr) {
            report.error(
                path,
                format!("has .credentials() for the private ECR source `{}`; the copier logs in to ECR with its role (ECR does not take stored passwords)", p.repository),
                "remove .credentials(); for another account's repository, let the copier's role pull in that repository's policy",
            );
        }
    }
}

impl Construct for Inner {
    fn node(&self) -> &Node {
        &self.node
    }

    fn validate(&self, report: &mut Report) {
        let path = self.node.path();
        let path = path.as_str();
        let p = self.props.borrow();
        let source = Inner::check_source(path, &p, report);
        Inner::check_credentials(path, &p, source.as_ref(), report);
        if p.reference.starts_with("sha256:") {
            if !is_digest(&p.reference) {
                report.error(
                    path,
                    format!("`{}` is not a digest", p.reference),
                    "a digest is `sha256:` and 64 lower-case hex digits",
                );
            }
        } else if p.reference.is_empty()
            || p.reference.len() > 128
            || !p
                .reference
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            || p.reference.starts_with(['.', '-'])
        {
            if !p.repository.is_empty() {
                report.error(
                    path,
                    format!("`{}` is neither a tag nor a digest", p.reference),
                    "pass a tag (`v1.4.2`) or a digest (`sha256:...`)",
                );
            }
        } else if p.refresh.is_none() {
            report.warning(
                path,
                format!("copies tag `{}`, resolved when the resource is created; a later release under the same tag is not copied until you call .refresh(..) with a new value", p.reference),
                "pin a digest (.source(REPO, \"sha256:...\")) or bump .refresh(\"YYYY-MM-DD\") to take a new release",
            );
        }
        self.copier.validate(0, report);
    }

    fn synthesize(&self, ctx: &SynthContext, template: &mut Template) {
        let p = self.props.borrow();
        let path = self.node.path();
        let n = &self.node;
        let repo_id = n.child_logical_id("Repository");
        let copy_id = n.child_logical_id("Copy");
        let repo_arn = Value::get_att(&repo_id, "Arn");

        let lifecycle = serde_json::json!({
            "rules": [{
                "rulePriority": 1,
                "description": "Expire untagged images; every copy in use is tagged cloudcron-sha256-...",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": UNTAGGED_DAYS
                },
                "action": { "type": "expire" }
            }]
        });
        let mut condition = BTreeMap::new();
        condition.insert(
            "StringLike".to_owned(),
            Value::Map(BTreeMap::from([(
                "aws:sourceArn".to_owned(),
                Value::sub(
                    "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:*",
                ),
            )])),
        );
        let policy = Value::Map(BTreeMap::from([
            ("Version".to_owned(), Value::String("2012-10-17".into())),
            (
                "Statement".to_owned(),
                Value::List(vec![Value::Map(BTreeMap::from([
                    ("Sid".to_owned(), Value::String("LambdaPull".into())),
                    ("Effect".to_owned(), Value::String("Allow".into())),
                    (
                        "Principal".to_owned(),
                        Value::Map(BTreeMap::from([(
                            "Service".to_owned(),
                            Value::String("lambda.amazonaws.com".into()),
                        )])),
                    ),
                    (
                        "Action".to_owned(),
                        Value::strings(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]),
                    ),
                    ("Condition".to_owned(), Value::Map(condition)),
                ]))]),
            ),
        ]));
        let retain = if p.empty_on_delete {
            DeletionPolicy::Delete
        } else {
            DeletionPolicy::Retain
        };
        template.add_resource(
            &repo_id,
            Resource::new(ecr::Repository {
                image_tag_mutability: "IMMUTABLE",
                image_scanning_configuration: ecr::ImageScanningConfiguration { scan_on_push: true },
                encryption_configuration: ecr::EncryptionConfiguration { encryption_type: "AES256" },
                lifecycle_policy: ecr::LifecyclePolicy {
                    lifecycle_policy_text: lifecycle.to_string(),
                },
                repository_policy_text: policy,
                empty_on_delete: p.empty_on_delete,
            })
            .deletion_policy(retain)
            .update_replace_policy(retain)
            .skip_check(
                "CKV_AWS_136",
                "images are encrypted at rest with AES-256 (ECR's default); a customer managed KMS key would need a key policy for every function pulling the image and adds cost without protecting more",
            ),
        );

        let grants = RolePolicy::new();
        let source = normalize_repository(&p.repository).ok();
        let ecr_source = source.as_ref().map(SourceRepository::uri);
        if let Some((account, region, repo)) = ecr_source.as_deref().and_then(parse_ecr_uri) {
            let source = Value::sub(format!(
                "arn:${{AWS::Partition}}:ecr:{region}:{account}:repository/{repo}"
            ));
            grant_ecr_access(&source, &PULL, &grants);
        } else {
            grant_ecr_login(&grants);
        }
        if let Some(credentials) = &p.credentials {
            credentials.grant_read(&grants);
            if let Some(key) = &p.credentials_key {
                grants.add_to_role_policy(iam::Statement::allow(
                    ["kms:Decrypt"],
                    vec![Value::String(key.clone())],
                ));
            }
        }
        let source_credentials = match &p.credentials {
            Some(SecretRef::SecretsManager { id }) => Some(id.clone()),
            _ => None,
        };
        let push_pull: Vec<&str> = PULL.iter().chain(&PUSH).copied().collect();
        grant_ecr_access(&repo_arn, &push_pull, &grants);
        self.copier.synthesize(
            ctx,
            template,
            FunctionParts {
                grants,
                ..FunctionParts::default()
            },
        );

        template.add_resource(
            &copy_id,
            Resource::new(ecr::ImageRepublish {
                service_token: self.copier.arn(),
                service_timeout: 960,
                source_image: Inner::source_image(&p),
                target_repository_uri: Value::get_att(&repo_id, "RepositoryUri"),
                architecture: p.architecture.map(Architecture::oci_name),
                target_tag: TARGET_TAG.to_owned(),
                refresh_token: p.refresh.clone(),
                source_credentials,
            }),
        );
        template.add_output(
            format!("{copy_id}ImageUri"),
            Output::new(
                self_image_uri(&copy_id),
                format!("The image {path} copied, pinned by digest"),
            ),
        );
    }
}

fn self_image_uri(copy_id: &str) -> Value {
    Value::get_att(
        copy_id,
        cloud_cron_contract::image_republish::data::IMAGE_URI,
    )
}

impl From<&ImageRepublish> for ImageSource {
    fn from(image: &ImageRepublish) -> Self {
        ImageSource::Republished(image.republished())
    }
}
