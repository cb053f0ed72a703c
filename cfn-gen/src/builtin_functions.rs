//! Where the Lambda functions cloud-cron provides are built from: the
//! notifiers of [`NotificationChannel`](crate::NotificationChannel) (one
//! `notifier-<kind>` binary per channel kind), the copier of
//! [`ImageRepublish`](crate::ImageRepublish) (`image-copier`), the
//! missed-run watchdog a stack deploys when its tasks run on `cron(..)` or
//! `at(..)` schedules (`watchdog`), the HTTP API of
//! [`SchedulesApi`](crate::SchedulesApi) (`scheduler-api`), and the receiver
//! of [`InboundWebhook`](crate::InboundWebhook) (`webhook-receiver`).
//!
//! cfn-gen cannot point a template at its own sources: wherever cargo keeps
//! them (a git checkout, the registry), they are not part of the project
//! that deploys. So the code of those functions lives in a small package of
//! the user's workspace, one thin `main` per binary calling
//! `cloud_cron_notifiers::bin`, `cloud_cron_image_copier::bin`,
//! `cloud_cron_watchdog::bin`, `cloud_cron_scheduler_api::bin` or
//! `cloud_cron_webhook::bin`, and the
//! [`App`](crate::App) says where that package is with
//! [`App::builtin_functions`](crate::App::builtin_functions). Constructs read
//! the setting at synth, so it may be given before or after they are created;
//! without it, synth reports each construct that needs it and how to add it.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use cloud_cron_contract::notifier::ChannelKind;

use crate::constructs::RustBinary;
use crate::validate::Report;

/// The packages that build cloud-cron's own functions: the notifiers
/// (binaries `notifier-email`, `notifier-sms`, `notifier-slack`,
/// `notifier-teams`, `notifier-webhook`), the image copier (binary
/// `image-copier`), the missed-run watchdog (binary `watchdog`) and the
/// one-off schedules HTTP API (binary `scheduler-api`) and the webhook
/// receiver (binary `webhook-receiver`).
///
/// ```
/// use cfn_gen::{App, BuiltinFunctions};
///
/// // One `functions` package next to the package that runs synth:
/// let app = App::new().builtin_functions(BuiltinFunctions::package(concat!(
///     env!("CARGO_MANIFEST_DIR"),
///     "/../functions"
/// )));
///
/// // Or a package per kind of function:
/// let functions = BuiltinFunctions::default()
///     .notifiers("functions/notifiers")
///     .image_copier("functions/image-copier")
///     .watchdog("functions/watchdog");
/// assert_eq!(functions.watchdog_dir().and_then(|d| d.to_str()), Some("functions/watchdog"));
/// assert_eq!(functions.image_copier_dir().and_then(|d| d.to_str()), Some("functions/image-copier"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuiltinFunctions {
    notifiers: Option<PathBuf>,
    image_copier: Option<PathBuf>,
    watchdog: Option<PathBuf>,
    scheduler_api: Option<PathBuf>,
    webhook_receiver: Option<PathBuf>,
}

impl BuiltinFunctions {
    /// One package, in `package_dir`, holds every binary: the five
    /// notifiers, the image copier, the watchdog, the scheduler API and the
    /// webhook receiver (only those the app uses must exist).
    pub fn package(package_dir: impl Into<PathBuf>) -> BuiltinFunctions {
        let dir = package_dir.into();
        BuiltinFunctions {
            notifiers: Some(dir.clone()),
            image_copier: Some(dir.clone()),
            watchdog: Some(dir.clone()),
            scheduler_api: Some(dir.clone()),
            webhook_receiver: Some(dir),
        }
    }

    /// The package that holds the `watchdog` binary.
    pub fn watchdog(mut self, package_dir: impl Into<PathBuf>) -> BuiltinFunctions {
        self.watchdog = Some(package_dir.into());
        self
    }

    /// The watchdog's package, if set.
    pub fn watchdog_dir(&self) -> Option<&Path> {
        self.watchdog.as_deref()
    }

    /// The package that holds the `notifier-<kind>` binaries.
    pub fn notifiers(mut self, package_dir: impl Into<PathBuf>) -> BuiltinFunctions {
        self.notifiers = Some(package_dir.into());
        self
    }

    /// The package that holds the `image-copier` binary.
    pub fn image_copier(mut self, package_dir: impl Into<PathBuf>) -> BuiltinFunctions {
        self.image_copier = Some(package_dir.into());
        self
    }

    /// The package that holds the `scheduler-api` binary.
    pub fn scheduler_api(mut self, package_dir: impl Into<PathBuf>) -> BuiltinFunctions {
        self.scheduler_api = Some(package_dir.into());
        self
    }

    /// The package that holds the `webhook-receiver` binary.
    pub fn webhook_receiver(mut self, package_dir: impl Into<PathBuf>) -> BuiltinFunctions {
        self.webhook_receiver = Some(package_dir.into());
        self
    }

    /// The notifiers' package, if set.
    pub fn notifiers_dir(&self) -> Option<&Path> {
        self.notifiers.as_deref()
    }

    /// The image copier's package, if set.
    pub fn image_copier_dir(&self) -> Option<&Path> {
        self.image_copier.as_deref()
    }

    /// The scheduler API's package, if set.
    pub fn scheduler_api_dir(&self) -> Option<&Path> {
        self.scheduler_api.as_deref()
    }

    /// The webhook receiver's package, if set.
    pub fn webhook_receiver_dir(&self) -> Option<&Path> {
        self.webhook_receiver.as_deref()
    }
}

/// One of cloud-cron's own functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Builtin {
    /// The notifier of a channel kind.
    Notifier(ChannelKind),
    /// The `ImageRepublish` copier.
    ImageCopier,
    /// The missed-run watchdog.
    Watchdog,
    /// The `SchedulesApi` handler.
    SchedulerApi,
    /// The `InboundWebhook` receiver.
    WebhookReceiver,
}

impl Builtin {
    /// The binary's name.
    fn binary(self) -> String {
        match self {
            Builtin::Notifier(kind) => format!("notifier-{}", kind.as_str()),
            Builtin::ImageCopier => "image-copier".to_owned(),
            Builtin::Watchdog => "watchdog".to_owned(),
            Builtin::SchedulerApi => "scheduler-api".to_owned(),
            Builtin::WebhookReceiver => "webhook-receiver".to_owned(),
        }
    }

    /// What the function is, for messages.
    fn describe(self) -> String {
        match self {
            Builtin::Notifier(kind) => format!("cloud-cron's {} notifier", kind.as_str()),
            Builtin::ImageCopier => "cloud-cron's image copier".to_owned(),
            Builtin::Watchdog => "cloud-cron's missed-run watchdog".to_owned(),
            Builtin::SchedulerApi => "cloud-cron's one-off schedules HTTP API".to_owned(),
            Builtin::WebhookReceiver => "cloud-cron's webhook receiver".to_owned(),
        }
    }

    /// The whole source of the binary's thin `main`.
    fn main_source(self) -> String {
        let (krate, call) = match self {
            Builtin::Notifier(kind) => ("cloud_cron_notifiers", kind.as_str()),
            Builtin::ImageCopier => ("cloud_cron_image_copier", "main"),
            Builtin::Watchdog => ("cloud_cron_watchdog", "main"),
            Builtin::SchedulerApi => ("cloud_cron_scheduler_api", "main"),
            Builtin::WebhookReceiver => ("cloud_cron_webhook", "main"),
        };
        format!("fn main() -> Result<(), {krate}::bin::Error> {{ {krate}::bin::{call}() }}")
    }

    /// The dependency the binary's package needs.
    fn dependency(self) -> &'static str {
        match self {
            Builtin::Notifier(_) => "cloud-cron-notifiers",
            Builtin::ImageCopier => "cloud-cron-image-copier",
            Builtin::Watchdog => "cloud-cron-watchdog",
            Builtin::SchedulerApi => "cloud-cron-scheduler-api",
            Builtin::WebhookReceiver => "cloud-cron-webhook",
        }
    }

    /// The [`BuiltinFunctions`] method that sets its package.
    fn setter(self) -> &'static str {
        match self {
            Builtin::Notifier(_) => "notifiers",
            Builtin::ImageCopier => "image_copier",
            Builtin::Watchdog => "watchdog",
            Builtin::SchedulerApi => "scheduler_api",
            Builtin::WebhookReceiver => "webhook_receiver",
        }
    }

    fn package_dir(self, functions: &BuiltinFunctions) -> Option<&Path> {
        match self {
            Builtin::Notifier(_) => functions.notifiers_dir(),
            Builtin::ImageCopier => functions.image_copier_dir(),
            Builtin::Watchdog => functions.watchdog_dir(),
            Builtin::SchedulerApi => functions.scheduler_api_dir(),
            Builtin::WebhookReceiver => functions.webhook_receiver_dir(),
        }
    }
}

/// The app's [`BuiltinFunctions`], shared by the app, its stacks and their
/// constructs, and read at synth.
#[derive(Debug, Clone, Default)]
pub(crate) struct SharedBuiltins(Rc<RefCell<BuiltinFunctions>>);

impl SharedBuiltins {
    /// Replace the setting.
    pub fn set(&self, functions: BuiltinFunctions) {
        *self.0.borrow_mut() = functions;
    }

    /// The default code of a construct that runs `builtin`.
    pub fn code(&self, builtin: Builtin) -> BuiltinCode {
        BuiltinCode {
            builtin,
            shared: self.clone(),
        }
    }
}

/// A construct's default code: one of cloud-cron's functions, built from
/// the package the app names.
#[derive(Debug, Clone)]
pub(crate) struct BuiltinCode {
    builtin: Builtin,
    shared: SharedBuiltins,
}

impl BuiltinCode {
    /// The binary, once the app says where its package is.
    pub fn resolve(&self) -> Option<RustBinary> {
        let functions = self.shared.0.borrow();
        let dir = self.builtin.package_dir(&functions)?;
        Some(RustBinary::new(dir, &self.builtin.binary()))
    }

    /// Reports a missing setting, package or binary for the construct at `path`.
    pub fn validate(&self, path: &str, report: &mut Report) {
        let b = self.builtin;
        let binary = b.binary();
        let Some(bin) = self.resolve() else {
            report.error(
                path,
                format!(
                    "runs {} (binary `{binary}`), and the app does not say which package of your workspace builds it",
                    b.describe()
                ),
                format!(
                    "add a functions package whose src/bin/{binary}.rs is `{}` (with {} in its [dependencies]), and name it when creating the app: `App::new().builtin_functions(BuiltinFunctions::package(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/../functions\")))`; see \"Use cloud-cron in your own repository\" in the README",
                    b.main_source(),
                    b.dependency()
                ),
            );
            return;
        };
        if bin.problem().is_none() {
            return;
        }
        let dir = bin.package_dir().display();
        if !bin.package_dir().join("Cargo.toml").is_file() {
            report.error(
                path,
                format!(
                    "runs {} from the package at {dir} (the app's BuiltinFunctions), and there is no Cargo.toml there",
                    b.describe()
                ),
                format!(
                    "create the package there (src/bin/{binary}.rs: `{}`), or fix the path given to BuiltinFunctions::package or .{}()",
                    b.main_source(),
                    b.setter()
                ),
            );
        } else {
            report.error(
                path,
                format!(
                    "runs {} from the package at {dir} (the app's BuiltinFunctions), which has no binary `{binary}`",
                    b.describe()
                ),
                format!(
                    "add src/bin/{binary}.rs to that package: `{}` (with {} in its [dependencies])",
                    b.main_source(),
                    b.dependency()
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_is_read_when_resolving() {
        let shared = SharedBuiltins::default();
        let code = shared.code(Builtin::Notifier(ChannelKind::Sms));
        assert_eq!(code.resolve(), None);
        shared.set(BuiltinFunctions::default().notifiers("fns"));
        let bin = code.resolve().expect("set after the code was taken");
        assert_eq!(bin.package_dir(), Path::new("fns"));
        assert_eq!(bin.binary(), "notifier-sms");
        assert_eq!(shared.code(Builtin::ImageCopier).resolve(), None);
    }

    #[test]
    fn the_fix_quotes_a_main_that_compiles_against_the_entry_points() {
        assert_eq!(
            Builtin::Notifier(ChannelKind::Email).main_source(),
            "fn main() -> Result<(), cloud_cron_notifiers::bin::Error> { cloud_cron_notifiers::bin::email() }"
        );
        assert_eq!(
            Builtin::ImageCopier.main_source(),
            "fn main() -> Result<(), cloud_cron_image_copier::bin::Error> { cloud_cron_image_copier::bin::main() }"
        );
        assert_eq!(
            Builtin::Watchdog.main_source(),
            "fn main() -> Result<(), cloud_cron_watchdog::bin::Error> { cloud_cron_watchdog::bin::main() }"
        );
        assert_eq!(
            Builtin::SchedulerApi.main_source(),
            "fn main() -> Result<(), cloud_cron_scheduler_api::bin::Error> { cloud_cron_scheduler_api::bin::main() }"
        );
    }

    #[test]
    fn each_gap_is_one_error_naming_the_construct() {
        let shared = SharedBuiltins::default();
        let code = shared.code(Builtin::ImageCopier);
        let mut report = Report::default();
        code.validate("Jobs/Vendor", &mut report);
        let problems = report.into_problems();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "Jobs/Vendor");
        assert!(problems[0].message.contains("`image-copier`"));
        assert!(problems[0].fix.contains("BuiltinFunctions::package("));

        let dir = tempfile::tempdir().expect("tempdir");
        shared.set(BuiltinFunctions::package(dir.path()));
        let mut report = Report::default();
        code.validate("Jobs/Vendor", &mut report);
        let problems = report.into_problems();
        assert!(
            problems[0].message.contains("no Cargo.toml"),
            "{problems:?}"
        );

        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[package]\nname = \"functions\"\n",
        )
        .expect("write manifest");
        let mut report = Report::default();
        code.validate("Jobs/Vendor", &mut report);
        let problems = report.into_problems();
        assert!(problems[0].message.contains("has no binary `image-copier`"));
        assert!(problems[0].fix.contains("src/bin/image-copier.rs"));

        std::fs::create_dir_all(dir.path().join("src/bin")).expect("mkdir");
        std::fs::write(
            dir.path().join("src/bin/image-copier.rs"),
            Builtin::ImageCopier.main_source(),
        )
        .expect("write bin");
        let mut report = Report::default();
        code.validate("Jobs/Vendor", &mut report);
        assert!(!report.has_errors());
    }
}
