//! `Stack::parameter`: declared, referred to, and checked.

use cfn_gen::construct::logical_id::from_path;
use cfn_gen::{App, Parameter, Resource, Stack};
use serde_json::json;

use crate::{error_with, errors, map, quoted, template};

#[test]
fn a_parameter_is_declared_and_used_by_a_raw_resource() {
    let app = App::new();
    let stack = Stack::new(&app, "Params");
    let name = stack.parameter(
        "BucketName",
        Parameter::string()
            .description("The reports bucket")
            .default_value("reports"),
    );
    let subnets = stack.parameter("Subnets", Parameter::of_type("List<AWS::EC2::Subnet::Id>"));
    stack.add_resource(
        "Bucket",
        Resource::raw("AWS::S3::Bucket", map([("BucketName", name.value())])),
    );
    stack.add_resource(
        "Group",
        Resource::raw(
            "AWS::EC2::SecurityGroup",
            map([
                ("GroupDescription", "jobs".into()),
                ("VpcId", subnets.value()),
            ]),
        ),
    );
    let t = template(&app);
    assert_eq!(
        t["Parameters"]["BucketName"],
        json!({"Type": "String", "Description": "The reports bucket", "Default": "reports"})
    );
    assert_eq!(
        t["Parameters"]["Subnets"]["Type"],
        "List<AWS::EC2::Subnet::Id>"
    );
    assert_eq!(
        t["Resources"][from_path(&["Bucket"])]["Properties"]["BucketName"],
        json!({"Ref": "BucketName"})
    );
    assert_eq!(name.name(), "BucketName");
}

#[test]
fn bad_parameters_are_errors_whose_fixes_work() {
    let app = App::new();
    let stack = Stack::new(&app, "Params");
    stack.parameter("bucket-name", Parameter::string());
    stack.parameter("Count", Parameter::of_type("Numbr"));
    stack.parameter(
        "Token",
        Parameter::string().no_echo().default_value("s3cr3t"),
    );
    stack.parameter(
        "Env",
        Parameter::string()
            .allowed_values(["dev", "prod"])
            .default_value("test"),
    );
    stack.parameter("Env", Parameter::string());
    stack.add_resource_verbatim("Queue", Resource::raw("AWS::SQS::Queue", map([])));
    stack.parameter("Queue", Parameter::string());
    let errs = errors(&app);
    let name = error_with(&errs, "parameter name `bucket-name`");
    assert_eq!(name.path, "Params/bucket-name");
    let ty = error_with(&errs, "type `Numbr`");
    assert_eq!(ty.path, "Params/Count");
    let secret = error_with(&errs, "NoEcho but has a default");
    assert!(
        !secret.message.contains("s3cr3t"),
        "the secret stays out of messages"
    );
    let allowed = error_with(&errs, "default `test` is not one of its allowed values");
    let twice = error_with(&errs, "declared twice");
    assert_eq!(twice.path, "Params/Env");
    let clash = error_with(&errs, "parameter `Queue` has the logical ID of a resource");
    assert_eq!(clash.path, "Params/Queue");

    let app = App::new();
    let stack = Stack::new(&app, "Params");
    stack.parameter(&quoted(&name.fix), Parameter::string());
    stack.parameter("Count", Parameter::of_type(quoted(&ty.fix)));
    stack.parameter("Token", Parameter::string().no_echo());
    stack.parameter(
        "Env",
        Parameter::string()
            .allowed_values(["dev", "prod"])
            .default_value(quoted(&allowed.fix)),
    );
    stack.add_resource_verbatim("Queue", Resource::raw("AWS::SQS::Queue", map([])));
    stack.parameter(&quoted(&clash.fix), Parameter::string());
    let t = template(&app);
    assert_eq!(t["Parameters"]["Count"]["Type"], "Number");
    assert_eq!(t["Parameters"]["bucketname"]["Type"], "String");
    assert!(t["Parameters"]["QueueParam"].is_object());
}
