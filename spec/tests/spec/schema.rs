//! The committed JSON Schema (`spec/cloud-cron.schema.json`) is what the
//! spec types generate. Regenerate with `CLOUDCRON_UPDATE_SCHEMA=1 cargo
//! test -p cloud-cron-spec --test spec schema` and review the diff.

use crate::support::repo;

#[test]
fn committed_schema_is_current() {
    let path = repo("spec/cloud-cron.schema.json");
    let generated = cloud_cron_spec::json_schema();
    if std::env::var_os("CLOUDCRON_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).expect("write the schema");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "spec/cloud-cron.schema.json is stale: rerun with CLOUDCRON_UPDATE_SCHEMA=1 and review the diff"
    );
}

#[test]
fn every_property_has_a_description_and_every_leaf_an_example() {
    let schema: serde_json::Value =
        serde_json::from_str(&cloud_cron_spec::json_schema()).expect("JSON");
    let mut missing = Vec::new();
    let definitions = schema["definitions"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut objects = vec![("(root)".to_owned(), schema.clone())];
    objects.extend(definitions);
    for (name, def) in objects {
        let Some(props) = def["properties"].as_object() else {
            continue;
        };
        for (key, prop) in props {
            if prop["description"].as_str().is_none_or(str::is_empty) {
                missing.push(format!("{name}.{key}: description"));
            }
            let is_ref = prop.get("$ref").is_some()
                || ["anyOf", "allOf"].iter().any(|k| {
                    prop[*k]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|v| v.get("$ref").is_some()))
                });
            let is_map_of_objects = prop["additionalProperties"].get("$ref").is_some();
            let is_list_of_objects = prop["items"].get("$ref").is_some();
            if !is_ref
                && !is_map_of_objects
                && !is_list_of_objects
                && prop.get("examples").is_none()
            {
                missing.push(format!("{name}.{key}: examples"));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn the_schema_accepts_the_reference_specs_keys() {
    // Every top-level key of a stack in the reference specs is a property of the schema.
    let schema: serde_json::Value =
        serde_json::from_str(&cloud_cron_spec::json_schema()).expect("JSON");
    let stack_props = schema["definitions"]["StackSpec"]["properties"]
        .as_object()
        .expect("StackSpec");
    for key in [
        "region",
        "tags",
        "parameters",
        "alarms",
        "topics",
        "tasks",
        "channels",
        "images",
        "tables",
        "functions",
        "work_queues",
        "inbound_webhooks",
        "one_off_schedules",
        "schedules_apis",
        "sync_pipelines",
        "fargate_jobs",
        "vpc_endpoints",
    ] {
        assert!(stack_props.contains_key(key), "{key}");
    }
    assert_eq!(schema["additionalProperties"], serde_json::json!(false));
}
