//! The escape hatches in one stack; README.md's "Escape hatches" section
//! shows the code between the markers (a test keeps the two the same).
//! Run with `cargo run -p cfn-gen --example escape_hatches`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // README:start
    use cfn_gen::{App, DeletionPolicy, Parameter, Resource, Stack, Topic, Value};
    use serde_json::json;
    use std::collections::BTreeMap;

    let app = App::new();
    let stack = Stack::new(&app, "Reports");
    let alerts = Topic::standard(&stack, "Alerts");

    // Tags on every resource that takes them, and on one construct's resources.
    stack
        .tag("team", "reports")
        .tag_construct("Alerts", "severity", "high");
    // A permissions boundary on every IAM role, including those SAM creates.
    stack.permissions_boundary(Value::sub(
        "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/DeveloperBoundary",
    ));
    // A deploy-time parameter (`sam deploy --parameter-overrides RetentionSeconds=86400`) ...
    let retention = stack.parameter(
        "RetentionSeconds",
        Parameter::number().default_value("345600"),
    );
    // ... used by a resource of any type, which also refers to the topic.
    let queue = stack.add_resource(
        "Archive",
        Resource::raw(
            "AWS::SQS::Queue",
            Value::Map(BTreeMap::from([
                ("MessageRetentionPeriod".into(), retention.value()),
                ("KmsMasterKeyId".into(), "alias/aws/sqs".into()),
            ])),
        )
        .deletion_policy(DeletionPolicy::Delete)
        .update_replace_policy(DeletionPolicy::Delete),
    );
    stack.add_resource_verbatim(
        "ArchiveSubscription",
        Resource::raw(
            "AWS::SNS::Subscription",
            Value::Map(BTreeMap::from([
                ("TopicArn".into(), alerts.arn()),
                ("Protocol".into(), "sqs".into()),
                ("Endpoint".into(), queue.get_att("Arn")),
            ])),
        ),
    );
    // The last word on anything in the template, by construct path or logical ID.
    stack
        .override_property("Alerts", "DisplayName", json!("Reports alerts"))
        .add_override(queue.logical_id(), "Metadata.Owner", json!("reports"));

    let synthesis = app.synth()?;
    // README:end
    println!("{}", synthesis.stacks[0].text);
    Ok(())
}
