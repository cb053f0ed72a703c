//! A stack's SNS fan-out, checked in moto: every `AWS::SNS::Subscription` of
//! the template exists on its topic (protocol, endpoint, raw delivery,
//! filter policy, redrive policy), and a message published to a topic
//! reaches exactly the queues subscribed to it, raw or in SNS's envelope as
//! the template says, and no other queue of the stack.
//!
//! moto's CloudFormation skips subscriptions; `tools/moto_deploy.py` creates
//! them after the stack (`created_by_deploy_script`), in nested stacks too.
//! The expectations here come from the template and the physical ids moto
//! reports, never from what moto_deploy says it created. The test talks to
//! moto through `tools/moto_sns.py` (this binary links no AWS SDK).
//!
//! Topics with a Lambda subscription are not published to: moto would run
//! the function in Docker. Their subscriptions are still checked.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::support::text;
use crate::support::validators::{read_json, tool};

/// A resource of a deployment: which template (0 = the root, then each
/// nested stack) and its logical id there.
type Key = (usize, String);

/// One template of a deployed stack, with what moto created of it.
pub struct Part {
    /// The root stack's name, or the nested stack's logical id in the root.
    pub name: String,
    /// The translated (CloudFormation) template.
    pub template: Value,
    /// Physical id of each resource moto created, by logical id.
    pub physical: BTreeMap<String, String>,
    /// For a nested stack: the `Parameters` the root passes it (its values
    /// are the root's); `Null` for the root.
    pub passed: Value,
}

/// The parts of a stack deployed by `moto_deploy.py` from `template`:
/// the root, and each nested stack in its `nested` report (its translated
/// template read from `nested_dir`, where moto_deploy uploaded it from).
pub fn parts(name: &str, template: &Value, report: &Value, nested_dir: Option<&Path>) -> Vec<Part> {
    let physical = |resources: &Value| -> BTreeMap<String, String> {
        resources
            .as_array()
            .expect("created resources")
            .iter()
            .filter_map(|r| {
                Some((
                    r["logical_id"].as_str()?.to_owned(),
                    r["physical_id"].as_str()?.to_owned(),
                ))
            })
            .collect()
    };
    let mut parts = vec![Part {
        name: name.to_owned(),
        template: template.clone(),
        physical: physical(&report["resources"]),
        passed: Value::Null,
    }];
    for n in report["nested"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let id = n["logical_id"].as_str().expect("nested logical id");
        let dir: PathBuf = nested_dir
            .unwrap_or_else(|| panic!("{name}: nested stack {id} but no nested directory"))
            .to_owned();
        parts.push(Part {
            name: format!("{name}/{id}"),
            template: read_json(&dir.join(n["key"].as_str().expect("nested key"))),
            physical: physical(&n["created"]),
            passed: template["Resources"][id]["Properties"]["Parameters"].clone(),
        });
    }
    parts
}

/// What [`check`] exercised, so a caller can assert a case was covered.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Coverage {
    /// Subscriptions found in moto with the template's settings.
    pub subscriptions: usize,
    /// Lambda-protocol subscriptions among them.
    pub lambda_subscriptions: usize,
    /// Messages received exactly where the template sends them, raw.
    pub raw_deliveries: usize,
    /// ... in SNS's JSON envelope.
    pub envelope_deliveries: usize,
    /// Messages a subscription's filter policy kept from its queue.
    pub filtered_out: usize,
    /// Queue checks that a message did not arrive where it was not sent.
    pub silent_queues: usize,
}

/// One template subscription, references resolved to keys.
#[derive(Debug)]
struct Wiring {
    id: Key,
    topic: Key,
    protocol: String,
    endpoint: Key,
    raw: bool,
    filter: Option<Value>,
    dead_letter: Option<Key>,
}

/// Runs `tools/moto_sns.py` with `ops`; returns one result per operation.
fn moto_sns(ops: &[Value]) -> Vec<Value> {
    let mut child = Command::new(tool("CLOUDCRON_PYTHON"))
        .arg(Path::new(&tool("CLOUDCRON_TOOLS")).join("moto_sns.py"))
        .args(["--endpoint", &tool("CLOUDCRON_MOTO_ENDPOINT")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run moto_sns.py");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(Value::from(ops.to_vec()).to_string().as_bytes())
        .expect("write operations");
    let o = child.wait_with_output().expect("moto_sns.py");
    assert!(
        o.status.success(),
        "moto_sns.py failed:\n{}",
        text(&o.stderr)
    );
    let results: Vec<Value> = serde_json::from_slice(&o.stdout).expect("moto_sns prints JSON");
    assert_eq!(results.len(), ops.len());
    results
}

fn resource_type<'a>(parts: &'a [Part], key: &Key) -> &'a str {
    parts[key.0].template["Resources"][&key.1]["Type"]
        .as_str()
        .unwrap_or_default()
}

/// The topic a subscription's `TopicArn` names: a topic of its own template,
/// or, in a nested stack, the root's topic the root passes as a parameter.
fn topic_of(parts: &[Part], part: usize, value: &Value) -> Key {
    let Some(name) = value["Ref"].as_str() else {
        panic!("{}: TopicArn {value} is not a Ref", parts[part].name);
    };
    let key = (part, name.to_owned());
    if resource_type(parts, &key) == "AWS::SNS::Topic" {
        return key;
    }
    assert!(
        part > 0 && parts[part].template["Parameters"].get(name).is_some(),
        "{}: TopicArn Ref {name} is neither a topic nor a parameter",
        parts[part].name
    );
    topic_of(parts, 0, &parts[part].passed[name])
}

/// The resource a `Fn::GetAtt [X, Arn]` names, in the same template.
fn arn_of(parts: &[Part], part: usize, value: &Value) -> Key {
    assert_eq!(
        value["Fn::GetAtt"][1], "Arn",
        "{}: {value}",
        parts[part].name
    );
    let id = value["Fn::GetAtt"][0].as_str().expect("GetAtt target");
    (part, id.to_owned())
}

fn wirings(parts: &[Part]) -> Vec<Wiring> {
    let mut found = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let resources = part.template["Resources"].as_object().expect("resources");
        for (id, r) in resources {
            if r["Type"] != "AWS::SNS::Subscription" {
                continue;
            }
            let p = &r["Properties"];
            let scope = p["FilterPolicyScope"]
                .as_str()
                .unwrap_or("MessageAttributes");
            assert_eq!(
                scope, "MessageAttributes",
                "{}/{id}: the fan-out test builds messages for attribute filters only; extend it",
                part.name
            );
            found.push(Wiring {
                id: (i, id.clone()),
                topic: topic_of(parts, i, &p["TopicArn"]),
                protocol: p["Protocol"].as_str().expect("protocol").to_owned(),
                endpoint: arn_of(parts, i, &p["Endpoint"]),
                raw: p["RawMessageDelivery"] == true || p["RawMessageDelivery"] == "true",
                filter: p.get("FilterPolicy").cloned(),
                dead_letter: p["RedrivePolicy"]
                    .get("deadLetterTargetArn")
                    .map(|d| arn_of(parts, i, d)),
            });
        }
    }
    found
}

/// A filter policy's exact-string conditions (attribute -> allowed values);
/// panics on any other kind of condition, which this test cannot build
/// messages for.
fn conditions(policy: &Value) -> BTreeMap<String, Vec<String>> {
    policy
        .as_object()
        .unwrap_or_else(|| panic!("filter policy {policy} is not an object"))
        .iter()
        .map(|(name, allowed)| {
            let values: Option<Vec<String>> = allowed
                .as_array()
                .and_then(|a| a.iter().map(|v| v.as_str().map(str::to_owned)).collect());
            let values = values.unwrap_or_else(|| {
                panic!("filter policy {policy}: the fan-out test handles exact strings only; extend it")
            });
            (name.clone(), values)
        })
        .collect()
}

fn matches(filter: Option<&Value>, attributes: &BTreeMap<String, String>) -> bool {
    filter.is_none_or(|policy| {
        conditions(policy)
            .iter()
            .all(|(name, allowed)| attributes.get(name).is_some_and(|v| allowed.contains(v)))
    })
}

/// The ARN moto gives a queue / function / topic of the deployment.
fn arn(parts: &[Part], key: &Key, queue_arns: &BTreeMap<Key, String>) -> String {
    let physical = parts[key.0]
        .physical
        .get(&key.1)
        .unwrap_or_else(|| panic!("{}: moto did not create {}", parts[key.0].name, key.1));
    match resource_type(parts, key) {
        "AWS::SQS::Queue" => queue_arns[key].clone(),
        "AWS::Lambda::Function" => {
            format!("arn:aws:lambda:us-east-1:123456789012:function:{physical}")
        }
        "AWS::SNS::Topic" => physical.clone(),
        other => panic!("{}: {} is a {other}", parts[key.0].name, key.1),
    }
}

/// Checks the fan-out of the deployment `parts` of the stack `stack` (see
/// the module doc); returns what it covered.
pub fn check(stack: &str, parts: &[Part]) -> Coverage {
    let mut coverage = Coverage::default();
    let wirings = wirings(parts);
    let mut topics = BTreeSet::new();
    let mut queues = BTreeMap::new();
    for (i, part) in parts.iter().enumerate() {
        for (id, r) in part.template["Resources"].as_object().expect("resources") {
            let key = (i, id.clone());
            let Some(physical) = part.physical.get(id) else {
                continue;
            };
            match r["Type"].as_str() {
                Some("AWS::SNS::Topic") => {
                    topics.insert(key);
                }
                Some("AWS::SQS::Queue") => {
                    queues.insert(key, physical.clone());
                }
                _ => {}
            }
        }
    }

    // The ARNs of the queues the subscriptions name, and each topic's
    // subscriptions in moto.
    let named: BTreeSet<&Key> = wirings
        .iter()
        .flat_map(|w| std::iter::once(&w.endpoint).chain(&w.dead_letter))
        .filter(|k| queues.contains_key(*k))
        .collect();
    let mut ops: Vec<Value> = named
        .iter()
        .map(|k| json!({"op": "queue_arn", "queue_url": queues[*k]}))
        .collect();
    // moto would run a subscribed queue's function (in Docker) on each
    // message; the test reads the queues itself.
    ops.extend(
        named
            .iter()
            .map(|k| json!({"op": "disable_event_source_mappings", "queue_url": queues[*k]})),
    );
    ops.extend(
        topics
            .iter()
            .map(|t| json!({"op": "subscriptions", "topic_arn": parts[t.0].physical[&t.1]})),
    );
    let results = moto_sns(&ops);
    let queue_arns: BTreeMap<Key, String> = named
        .iter()
        .zip(&results)
        .map(|(k, arn)| ((*k).clone(), arn.as_str().expect("queue ARN").to_owned()))
        .collect();
    let in_moto: BTreeMap<&Key, &Vec<Value>> = topics
        .iter()
        // After the queue ARNs and the disabled pollers.
        .zip(&results[2 * named.len()..])
        .map(|(t, subs)| (t, subs.as_array().expect("subscriptions")))
        .collect();

    // Every subscription of the template, and no other, with its settings.
    for topic in &topics {
        let expected: Vec<&Wiring> = wirings.iter().filter(|w| &w.topic == topic).collect();
        let actual = in_moto[topic];
        let name = format!("{stack}: topic {}", topic.1);
        assert_eq!(
            actual.len(),
            expected.len(),
            "{name}: {actual:#?} for {expected:#?}"
        );
        for w in expected {
            let endpoint = arn(parts, &w.endpoint, &queue_arns);
            let sub = actual
                .iter()
                .find(|s| {
                    s["endpoint"] == endpoint.as_str() && s["protocol"] == w.protocol.as_str()
                })
                .unwrap_or_else(|| {
                    panic!(
                        "{name}: no {} subscription of {endpoint} for {}: {actual:#?}",
                        w.protocol, w.id.1
                    )
                });
            let a = &sub["attributes"];
            assert_eq!(a["PendingConfirmation"], "false", "{name}: {sub}");
            assert_eq!(
                a["RawMessageDelivery"],
                if w.raw { "true" } else { "false" },
                "{name}: {sub}"
            );
            let stored = |attribute: &str| {
                a[attribute]
                    .as_str()
                    .map(|t| serde_json::from_str::<Value>(t).expect("JSON attribute"))
            };
            assert_eq!(stored("FilterPolicy"), w.filter, "{name}: {sub}");
            let dead_letter = w
                .dead_letter
                .as_ref()
                .map(|d| json!({"deadLetterTargetArn": arn(parts, d, &queue_arns)}));
            assert_eq!(stored("RedrivePolicy"), dead_letter, "{name}: {sub}");
            coverage.subscriptions += 1;
            if w.protocol == "lambda" {
                coverage.lambda_subscriptions += 1;
            }
        }
    }

    // Publish to each topic with subscriptions (none to a Lambda function):
    // one message without attributes, and for each filter one message it
    // lets through and one it keeps out; after each, every queue of the
    // stack is drained.
    for topic in &topics {
        let subs: Vec<&Wiring> = wirings.iter().filter(|w| &w.topic == topic).collect();
        if subs.is_empty() || subs.iter().any(|w| w.protocol == "lambda") {
            continue;
        }
        assert!(
            subs.iter().all(|w| w.protocol == "sqs"),
            "{stack}: the fan-out test delivers to queues only: {subs:#?}"
        );
        let mut messages: Vec<BTreeMap<String, String>> = vec![BTreeMap::new()];
        for w in &subs {
            if let Some(policy) = &w.filter {
                let pass: BTreeMap<String, String> = conditions(policy)
                    .into_iter()
                    .map(|(name, allowed)| (name, allowed[0].clone()))
                    .collect();
                let mut out = pass.clone();
                if let Some((_, value)) = out.iter_mut().next() {
                    *value = "fan-out-test-excluded".to_owned();
                }
                messages.extend([pass, out]);
            }
        }
        let topic_arn = parts[topic.0].physical[&topic.1].clone();
        let fifo =
            parts[topic.0].template["Resources"][&topic.1]["Properties"]["FifoTopic"] == true;
        let mut ops = Vec::new();
        for (n, attributes) in messages.iter().enumerate() {
            let mut publish = json!({
                "op": "publish",
                "topic_arn": topic_arn,
                "message": json!({"fanOutTest": format!("{stack}/{}/{n}", topic.1)}).to_string(),
                "attributes": attributes,
            });
            if fifo {
                publish["group_id"] = "fan-out-test".into();
                publish["deduplication_id"] = format!("{}-{n}", std::process::id()).into();
            }
            ops.push(publish);
            ops.extend(
                queues
                    .values()
                    .map(|url| json!({"op": "drain", "queue_url": url})),
            );
        }
        let results = moto_sns(&ops);
        for (n, (attributes, batch)) in messages
            .iter()
            .zip(results.chunks(1 + queues.len()))
            .enumerate()
        {
            let message = ops[n * (1 + queues.len())]["message"]
                .as_str()
                .expect("message");
            for (queue, received) in queues.keys().zip(&batch[1..]) {
                let received = received.as_array().expect("drained");
                let sent_here: Vec<&&Wiring> =
                    subs.iter().filter(|w| &w.endpoint == queue).collect();
                let delivering: Vec<&&&Wiring> = sent_here
                    .iter()
                    .filter(|w| matches(w.filter.as_ref(), attributes))
                    .collect();
                let place = format!(
                    "{stack}: message {n} {attributes:?} to topic {} in queue {}",
                    topic.1, queue.1
                );
                assert_eq!(received.len(), delivering.len(), "{place}: {received:#?}");
                coverage.filtered_out += sent_here.len() - delivering.len();
                if sent_here.is_empty() {
                    coverage.silent_queues += 1;
                }
                for (got, w) in received.iter().zip(&delivering) {
                    if w.raw {
                        assert_eq!(got["body"], message, "{place}: raw delivery");
                        assert_eq!(
                            got["attributes"],
                            json!(attributes),
                            "{place}: raw attributes"
                        );
                        coverage.raw_deliveries += 1;
                    } else {
                        let envelope: Value =
                            serde_json::from_str(got["body"].as_str().unwrap_or_default())
                                .unwrap_or_else(|e| {
                                    panic!("{place}: not SNS's envelope ({e}): {got}")
                                });
                        assert_eq!(envelope["Type"], "Notification", "{place}");
                        assert_eq!(envelope["Message"], message, "{place}");
                        assert_eq!(envelope["TopicArn"], topic_arn.as_str(), "{place}");
                        for (name, value) in attributes {
                            assert_eq!(
                                envelope["MessageAttributes"][name]["Value"],
                                value.as_str(),
                                "{place}"
                            );
                        }
                        coverage.envelope_deliveries += 1;
                    }
                }
            }
        }
    }
    coverage
}

/// A stack with the fan-out cases no reference stack has: two channels on
/// one topic, one with a filter policy; a queue subscribed without raw
/// delivery (SNS's envelope); a Lambda-protocol subscription on a topic of
/// its own.
pub fn fixture_app() -> cfn_gen::App {
    use cfn_gen::{NotificationChannel, Resource, Stack, Topic, Value as Cfn};

    let app = cloud_cron_stacks::new_app();
    let stack = Stack::new(&app, "FanOutFixture").description("fan-out cases for the moto tests");
    cloud_cron_stacks::operators::route_alarms(&stack);
    let events = Topic::standard(&stack, "Events");
    let errors = NotificationChannel::email(&stack, "ErrorEmail", &events)
        .filter(json!({"level": ["error", "critical"]}))
        .from("cloud-cron@example.com")
        .to(["oncall@example.com"])
        .subject("error")
        .text("{{ payload | tojson }}");
    NotificationChannel::email(&stack, "AllEmail", &events)
        .from("cloud-cron@example.com")
        .to(["log@example.com"])
        .subject("event")
        .text("{{ payload | tojson }}");
    let map = |entries: Vec<(&str, Cfn)>| {
        Cfn::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    };
    let audit = stack.add_resource(
        "Audit",
        Resource::raw(
            "AWS::SQS::Queue",
            map(vec![("SqsManagedSseEnabled", true.into())]),
        ),
    );
    stack.add_resource(
        "AuditSubscription",
        Resource::raw(
            "AWS::SNS::Subscription",
            map(vec![
                ("TopicArn", events.arn()),
                ("Protocol", "sqs".into()),
                ("Endpoint", audit.get_att("Arn")),
                ("RawMessageDelivery", false.into()),
            ]),
        ),
    );
    let direct = Topic::standard(&stack, "Direct");
    stack.add_resource(
        "DirectSubscription",
        Resource::raw(
            "AWS::SNS::Subscription",
            map(vec![
                ("TopicArn", direct.arn()),
                ("Protocol", "lambda".into()),
                ("Endpoint", errors.function().arn()),
            ]),
        ),
    );
    app
}
