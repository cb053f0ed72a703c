//! `Table`: the resource it emits (keys, attribute definitions, time to
//! live, indexes, stream, recovery, encryption, retention), the exact
//! statements of each grant, and each synth-time check with its fix.

use cfn_gen::{
    App, AttributeType, Function, GlobalIndex, Problem, Projection, RolePolicy, Stack, StreamView,
    Table, TableEncryption, Value as CfnValue,
};
use serde_json::{json, Value};

use AttributeType::{Number, String as S};

const IMAGE: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:v1";
const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn template(app: &App) -> Value {
    let synthesis = app.synth().unwrap_or_else(|e| panic!("valid:\n{e}"));
    synthesis.stacks[0].template.to_json()
}

fn errors(app: &App) -> Vec<Problem> {
    match app.synth() {
        Ok(_) => Vec::new(),
        Err(e) => e.errors().cloned().collect(),
    }
}

/// The one table resource of the app's stack.
fn table(app: &App) -> Value {
    let t = template(app);
    let tables: Vec<&Value> = t["Resources"]
        .as_object()
        .expect("resources")
        .values()
        .filter(|r| r["Type"] == "AWS::DynamoDB::Table")
        .collect();
    assert_eq!(tables.len(), 1, "one table");
    tables[0].clone()
}

fn actions(list: &[&str]) -> Vec<String> {
    list.iter().map(|a| (*a).to_owned()).collect()
}

const READ: [&str; 6] = [
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
];
const WRITE: [&str; 5] = [
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
];

fn table_arn(t: &Table) -> CfnValue {
    CfnValue::get_att(t.node().logical_id(), "Arn")
}

fn index_arns(t: &Table) -> CfnValue {
    CfnValue::sub(format!("${{{}.Arn}}/index/*", t.node().logical_id()))
}

#[test]
fn a_minimal_table_is_on_demand_recoverable_encrypted_and_retained() {
    let app = App::new();
    let stack = Stack::new(&app, "Demo");
    Table::new(&stack, "Entries").partition_key("pk", S);
    let t = table(&app);
    assert_eq!(t["Type"], "AWS::DynamoDB::Table");
    assert_eq!(t["DeletionPolicy"], "Retain");
    assert_eq!(t["UpdateReplacePolicy"], "Retain");
    assert_eq!(
        t["Properties"],
        json!({
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true},
        }),
        "an AWS owned key needs no SSESpecification"
    );
    assert_eq!(
        t["Metadata"]["checkov"]["skip"][0]["id"], "CKV_AWS_119",
        "the key choice is explained to checkov: {t}"
    );
}

#[test]
fn every_setting_reaches_the_resource() {
    let app = App::new();
    let stack = Stack::new(&app, "Demo");
    Table::new(&stack, "Entries")
        .table_name("app.entries-v1")
        .partition_key("pk", S)
        .sort_key("sk", S)
        .ttl("expiresAt")
        .global_index(
            GlobalIndex::new("byUser")
                .partition_key("userId", S)
                .sort_key("createdAt", Number)
                .projection(Projection::Include(vec!["title".into(), "status".into()])),
        )
        .global_index(
            GlobalIndex::new("bySk")
                .partition_key("sk", S)
                .projection(Projection::KeysOnly),
        )
        .global_index(GlobalIndex::new("byCreated").partition_key("createdAt", Number))
        .stream(StreamView::NewAndOldImages)
        .kms_key(KEY)
        .deletion_protection()
        .destroy_on_delete();
    let t = table(&app);
    assert_eq!(t["DeletionPolicy"], "Delete");
    assert_eq!(t["UpdateReplacePolicy"], "Delete");
    assert!(
        t["Metadata"]["checkov"].is_null(),
        "a customer managed key passes CKV_AWS_119 unskipped: {t}"
    );
    let p = &t["Properties"];
    assert_eq!(p["TableName"], "app.entries-v1");
    assert_eq!(
        p["AttributeDefinitions"],
        json!([
            {"AttributeName": "createdAt", "AttributeType": "N"},
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "userId", "AttributeType": "S"},
        ]),
        "each key attribute once, sorted"
    );
    assert_eq!(
        p["KeySchema"],
        json!([
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ])
    );
    assert_eq!(
        p["TimeToLiveSpecification"],
        json!({"AttributeName": "expiresAt", "Enabled": true})
    );
    assert_eq!(
        p["GlobalSecondaryIndexes"],
        json!([
            {
                "IndexName": "byUser",
                "KeySchema": [
                    {"AttributeName": "userId", "KeyType": "HASH"},
                    {"AttributeName": "createdAt", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["title", "status"]},
            },
            {
                "IndexName": "bySk",
                "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
            {
                "IndexName": "byCreated",
                "KeySchema": [{"AttributeName": "createdAt", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            },
        ])
    );
    assert_eq!(
        p["StreamSpecification"],
        json!({"StreamViewType": "NEW_AND_OLD_IMAGES"})
    );
    assert_eq!(
        p["SSESpecification"],
        json!({"SSEEnabled": true, "SSEType": "KMS", "KMSMasterKeyId": KEY})
    );
    assert_eq!(
        p["PointInTimeRecoverySpecification"],
        json!({"PointInTimeRecoveryEnabled": true})
    );
    assert_eq!(p["DeletionProtectionEnabled"], true);
}

#[test]
fn attribute_definitions_do_not_depend_on_declaration_order() {
    let synth = |reverse: bool| {
        let app = App::new();
        let stack = Stack::new(&app, "Demo");
        let mut indexes = vec![
            GlobalIndex::new("first").partition_key("zeta", S),
            GlobalIndex::new("second").partition_key("alpha", Number),
        ];
        if reverse {
            indexes.reverse();
        }
        let mut t = Table::new(&stack, "Entries").partition_key("pk", S);
        for index in indexes {
            t = t.global_index(index);
        }
        table(&app)["Properties"]["AttributeDefinitions"].clone()
    };
    assert_eq!(synth(false), synth(true));
    assert_eq!(synth(false)[0]["AttributeName"], "alpha");
}

#[test]
fn the_other_keys_and_switches() {
    let app = App::new();
    let stack = Stack::new(&app, "Demo");
    Table::new(&stack, "Entries")
        .partition_key("pk", AttributeType::Binary)
        .encryption(TableEncryption::AwsManaged)
        .without_point_in_time_recovery()
        .stream(StreamView::KeysOnly);
    let p = table(&app)["Properties"].clone();
    assert_eq!(p["AttributeDefinitions"][0]["AttributeType"], "B");
    assert_eq!(p["SSESpecification"], json!({"SSEEnabled": true}));
    assert!(p["PointInTimeRecoverySpecification"].is_null());
    assert_eq!(p["StreamSpecification"]["StreamViewType"], "KEYS_ONLY");
    for (view, code) in [
        (StreamView::NewImage, "NEW_IMAGE"),
        (StreamView::OldImage, "OLD_IMAGE"),
    ] {
        let app = App::new();
        let stack = Stack::new(&app, "Demo");
        Table::new(&stack, "Entries")
            .partition_key("pk", S)
            .stream(view);
        assert_eq!(
            table(&app)["Properties"]["StreamSpecification"]["StreamViewType"],
            code
        );
    }
}

#[test]
fn synthesis_is_byte_identical() {
    let synth = || {
        let app = App::new();
        let stack = Stack::new(&app, "Demo");
        Table::new(&stack, "Entries")
            .partition_key("pk", S)
            .sort_key("sk", Number)
            .global_index(GlobalIndex::new("gsi").partition_key("gpk", S))
            .ttl("ttl");
        app.synth().expect("valid").stacks[0].text.clone()
    };
    assert_eq!(synth(), synth());
}

#[test]
fn read_write_and_stream_grants_name_exact_arns() {
    let app = App::new();
    let stack = Stack::new(&app, "Demo");
    let entries = Table::new(&stack, "Entries")
        .partition_key("pk", S)
        .stream(StreamView::NewImage);

    let read = RolePolicy::new();
    entries.grant_read(&read);
    let s = read.statements();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].action, actions(&READ));
    assert_eq!(
        s[0].resource,
        vec![table_arn(&entries), index_arns(&entries)]
    );

    let write = RolePolicy::new();
    entries.grant_write(&write);
    let s = write.statements();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].action, actions(&WRITE));
    assert_eq!(s[0].resource, vec![table_arn(&entries)]);

    let both = RolePolicy::new();
    entries.grant_read_write(&both);
    let s = both.statements();
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].action, actions(&READ));
    assert_eq!(
        s[0].resource,
        vec![table_arn(&entries), index_arns(&entries)]
    );
    assert_eq!(s[1].action, actions(&WRITE));
    assert_eq!(s[1].resource, vec![table_arn(&entries)]);

    let stream = RolePolicy::new();
    entries.grant_stream_read(&stream);
    let s = stream.statements();
    assert_eq!(s.len(), 1);
    assert_eq!(
        s[0].action,
        actions(&[
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams",
        ])
    );
    assert_eq!(
        s[0].resource,
        vec![CfnValue::get_att(entries.node().logical_id(), "StreamArn")]
    );
    app.synth().expect("the table has a stream");
}

#[test]
fn a_customer_managed_key_is_granted_with_the_table() {
    let app = App::new();
    let stack = Stack::new(&app, "Demo");
    let entries = Table::new(&stack, "Entries")
        .partition_key("pk", S)
        .stream(StreamView::NewAndOldImages)
        .kms_key(KEY);
    let key = vec![CfnValue::from(KEY)];
    for (grant, kms) in [
        (
            Table::grant_read as fn(&Table, &dyn cfn_gen::Grantee),
            vec!["kms:Decrypt"],
        ),
        (
            Table::grant_write,
            vec!["kms:Decrypt", "kms:GenerateDataKey*"],
        ),
        (
            Table::grant_read_write,
            vec!["kms:Decrypt", "kms:GenerateDataKey*"],
        ),
        (Table::grant_stream_read, vec!["kms:Decrypt"]),
    ] {
        let policy = RolePolicy::new();
        grant(&entries, &policy);
        let s = policy.statements();
        let last = s.last().expect("statements");
        assert_eq!(last.action, actions(&kms));
        assert_eq!(last.resource, key);
        assert_eq!(
            s.iter().filter(|s| s.action[0].starts_with("kms:")).count(),
            1,
            "one key statement"
        );
    }
}

#[test]
fn a_granted_function_gets_the_statements_and_the_name() {
    let app = App::new();
    let stack = Stack::new(&app, "Demo");
    let entries = Table::new(&stack, "Entries").partition_key("pk", S);
    let worker = Function::new(&stack, "Worker").image(IMAGE);
    worker.add_environment("TABLE_ENTRIES", entries.name());
    entries.grant_read_write(&worker);
    let id = entries.node().logical_id();
    let t = template(&app);
    let text = t.to_string();
    assert!(
        text.contains(&format!(r#""TABLE_ENTRIES":{{"Ref":"{id}"}}"#)),
        "{text}"
    );
    let role = t["Resources"]
        .as_object()
        .expect("resources")
        .values()
        .find(|r| r["Type"] == "AWS::IAM::Role")
        .expect("a role");
    let statements = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements");
    let read = statements
        .iter()
        .find(|s| s["Action"] == json!(READ))
        .unwrap_or_else(|| panic!("read statement in {statements:?}"));
    assert_eq!(
        read["Resource"],
        json!([{"Fn::GetAtt": [id, "Arn"]}, {"Fn::Sub": format!("${{{id}.Arn}}/index/*")}])
    );
    let write = statements
        .iter()
        .find(|s| s["Action"] == json!(WRITE))
        .unwrap_or_else(|| panic!("write statement in {statements:?}"));
    assert_eq!(write["Resource"], json!([{"Fn::GetAtt": [id, "Arn"]}]));
}

/// `broken` alone fails with one error naming the table and `expected` in
/// its message; `fixed` (the error's advice applied) synthesizes.
fn fails_then_fix_validates(
    broken: impl Fn(Table) -> Table,
    expected: &str,
    fixed: impl Fn(Table) -> Table,
) {
    let app = App::new();
    let stack = Stack::new(&app, "Demo");
    let t = broken(Table::new(&stack, "Entries"));
    let problems = errors(&app);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].path, t.node().path());
    assert!(
        problems[0].message.contains(expected),
        "`{}` should mention `{expected}`",
        problems[0].message
    );
    assert!(!problems[0].fix.is_empty());

    let app = App::new();
    let stack = Stack::new(&app, "Demo");
    fixed(Table::new(&stack, "Entries"));
    let problems = errors(&app);
    assert!(problems.is_empty(), "the fix validates: {problems:?}");
}

fn index(n: usize) -> GlobalIndex {
    GlobalIndex::new(format!("index{n}")).partition_key(format!("k{n}"), S)
}

#[test]
fn a_partition_key_is_required() {
    fails_then_fix_validates(|t| t, "no partition key", |t| t.partition_key("pk", S));
}

#[test]
fn key_attribute_names_are_checked() {
    fails_then_fix_validates(
        |t| t.partition_key("", S),
        "must be 1 to 255 bytes",
        |t| t.partition_key("pk", S),
    );
    fails_then_fix_validates(
        |t| t.partition_key("pk", S).sort_key("x".repeat(256), S),
        "must be 1 to 255 bytes",
        |t| t.partition_key("pk", S).sort_key("x".repeat(255), S),
    );
    fails_then_fix_validates(
        |t| t.partition_key("pk", S).sort_key("pk", S),
        "both the partition key and the sort key",
        |t| t.partition_key("pk", S).sort_key("sk", S),
    );
    fails_then_fix_validates(
        |t| {
            t.partition_key("pk", S)
                .global_index(GlobalIndex::new("gsi").partition_key("pk", Number))
        },
        "declared as both S and N",
        |t| {
            t.partition_key("pk", S)
                .global_index(GlobalIndex::new("gsi").partition_key("pk", S))
        },
    );
}

#[test]
fn at_most_twenty_global_indexes() {
    fails_then_fix_validates(
        |t| (0..21).fold(t.partition_key("pk", S), |t, n| t.global_index(index(n))),
        "21 global indexes",
        |t| (0..20).fold(t.partition_key("pk", S), |t, n| t.global_index(index(n))),
    );
}

#[test]
fn index_names_are_valid_and_unique() {
    fails_then_fix_validates(
        |t| {
            t.partition_key("pk", S)
                .global_index(index(1))
                .global_index(index(1))
        },
        "two global indexes are named `index1`",
        |t| {
            t.partition_key("pk", S)
                .global_index(index(1))
                .global_index(index(2))
        },
    );
    fails_then_fix_validates(
        |t| {
            t.partition_key("pk", S)
                .global_index(GlobalIndex::new("by user").partition_key("u", S))
        },
        "DynamoDB index name",
        |t| {
            t.partition_key("pk", S)
                .global_index(GlobalIndex::new("byUser").partition_key("u", S))
        },
    );
    fails_then_fix_validates(
        |t| {
            t.partition_key("pk", S)
                .global_index(GlobalIndex::new("byUser"))
        },
        "global index `byUser` has no partition key",
        |t| {
            t.partition_key("pk", S)
                .global_index(GlobalIndex::new("byUser").partition_key("userId", S))
        },
    );
}

#[test]
fn the_ttl_attribute_is_not_a_key() {
    fails_then_fix_validates(
        |t| {
            t.partition_key("pk", S)
                .sort_key("expiresAt", Number)
                .ttl("expiresAt")
        },
        "time-to-live attribute `expiresAt` is also a key",
        |t| {
            t.partition_key("pk", S)
                .sort_key("sk", Number)
                .ttl("expiresAt")
        },
    );
    fails_then_fix_validates(
        |t| {
            t.partition_key("pk", S)
                .global_index(GlobalIndex::new("byExpiry").partition_key("ttl", Number))
                .ttl("ttl")
        },
        "also a key",
        |t| {
            t.partition_key("pk", S)
                .global_index(GlobalIndex::new("byExpiry").partition_key("ttl", Number))
                .ttl("expiresAt")
        },
    );
}

#[test]
fn include_projections_name_at_most_a_hundred_attributes() {
    fails_then_fix_validates(
        |t| {
            t.partition_key("pk", S).global_index(
                GlobalIndex::new("gsi")
                    .partition_key("u", S)
                    .projection(Projection::Include(Vec::new())),
            )
        },
        "includes no attributes",
        |t| {
            t.partition_key("pk", S).global_index(
                GlobalIndex::new("gsi")
                    .partition_key("u", S)
                    .projection(Projection::Include(vec!["title".into()])),
            )
        },
    );
    let include = |n: usize| Projection::Include((0..n).map(|i| format!("a{i}")).collect());
    fails_then_fix_validates(
        |t| {
            t.partition_key("pk", S)
                .global_index(index(1).projection(include(60)))
                .global_index(index(2).projection(include(41)))
        },
        "project 101 non-key attributes",
        |t| {
            t.partition_key("pk", S)
                .global_index(index(1).projection(include(60)))
                .global_index(index(2).projection(include(40)))
        },
    );
}

#[test]
fn table_names_are_checked() {
    fails_then_fix_validates(
        |t| t.partition_key("pk", S).table_name("ab"),
        "DynamoDB table name",
        |t| t.partition_key("pk", S).table_name("abc"),
    );
    fails_then_fix_validates(
        |t| t.partition_key("pk", S).table_name("entries/v1"),
        "DynamoDB table name",
        |t| t.partition_key("pk", S).table_name("entries.v1_A-z"),
    );
    fails_then_fix_validates(
        |t| t.partition_key("pk", S).table_name("x".repeat(256)),
        "DynamoDB table name",
        |t| t.partition_key("pk", S).table_name("x".repeat(255)),
    );
}

#[test]
fn the_kms_key_must_be_a_key_arn() {
    fails_then_fix_validates(
        |t| t.partition_key("pk", S).kms_key("alias/mine"),
        "not a KMS key ARN",
        |t| t.partition_key("pk", S).kms_key(KEY),
    );
}

#[test]
fn a_stream_grant_needs_a_stream() {
    let grant = |t: Table| {
        t.grant_stream_read(&RolePolicy::new());
        t
    };
    fails_then_fix_validates(
        |t| grant(t.partition_key("pk", S)),
        "no stream",
        |t| grant(t.partition_key("pk", S).stream(StreamView::NewAndOldImages)),
    );
}

#[test]
fn the_readme_example_is_the_compiled_example() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = std::fs::read_to_string(root.join("examples/entries_table.rs")).expect("example");
    let readme = std::fs::read_to_string(root.join("../README.md")).expect("README.md");
    let region: Vec<&str> = example
        .lines()
        .skip_while(|l| l.trim() != "// README:table")
        .skip(1)
        .take_while(|l| l.trim() != "// README:end")
        .map(|l| l.strip_prefix("    ").unwrap_or(l).trim_end())
        .collect();
    assert!(region.len() > 5, "the README:table region is marked");
    let code = region.join("\n");
    assert!(
        readme.contains(&format!("```rust\n{code}\n```")),
        "README.md lacks the Table example of examples/entries_table.rs:\n{code}"
    );
}
