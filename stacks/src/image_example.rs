//! `ImageExample`: container images two ways. A vendor's release image is
//! republished into the stack's own ECR repository (pinned by digest) and
//! run on a schedule; a notifier image is built by `sam build` from the
//! notifiers' Dockerfile and runs an email channel.

use cfn_gen::{
    App, ImageBuild, ImageRepublish, NotificationChannel, Schedule, ScheduledLambda, Stack,
    TimeUnit, Topic,
};

/// Add the `ImageExample` stack to `app`.
pub fn stack(app: &App) -> Stack {
    let stack = Stack::new(app, "ImageExample").description(
        "cloud-cron example: a republished vendor image on a schedule and a notifier built from its Dockerfile",
    );
    crate::operators::route_alarms(&stack);
    let alerts = Topic::standard(&stack, "Alerts");

    // The vendor's `latest`, copied during `sam deploy`; bump the refresh
    // token to copy a newer release under the same tag.
    let vendor = ImageRepublish::new(&stack, "VendorImage")
        .source(
            "123456789012.dkr.ecr.us-west-2.amazonaws.com/my-lambda",
            "latest",
        )
        .refresh("2026-11-28");
    ScheduledLambda::new(&stack, "Report")
        .image(&vendor)
        .schedule(Schedule::rate(5, TimeUnit::Minutes))
        .publishes_to("alerts", &alerts);

    // The email notifier as a container image: `sam build` builds it from
    // the workspace with notifiers/docker/Dockerfile.
    let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    NotificationChannel::email(&stack, "AlertEmail", &alerts)
        .image(
            ImageBuild::new(workspace)
                .dockerfile("notifiers/docker/Dockerfile")
                .build_arg("CHANNEL", "email"),
        )
        .from("me@example.com")
        .to(["alice@example.com"])
        .subject("[{{ task }}] {{ payload.text | truncate(length=60) }}")
        .text("{{ payload.text }}");
    stack
}
