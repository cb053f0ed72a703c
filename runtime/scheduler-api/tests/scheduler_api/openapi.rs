//! The committed OpenAPI document is the generated one, and its schemas
//! carry the limits the validation enforces.

use cloud_cron_scheduler_api::model::{
    AT_PATTERN, KEY_PATTERN, MAX_KEY_CHARS, MAX_TIME_ZONE_CHARS,
};
use cloud_cron_scheduler_api::openapi::{openapi_document, openapi_json};
use serde_json::json;

#[test]
fn committed_document_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    if std::env::var_os("CLOUDCRON_UPDATE_SCHEMA").is_some() {
        std::fs::write(path, openapi_json()).expect("write openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == openapi_json(),
        "runtime/scheduler-api/openapi.json is stale: rerun with CLOUDCRON_UPDATE_SCHEMA=1 and review the diff"
    );
}

#[test]
fn schemas_carry_the_validated_limits() {
    let doc = openapi_document();
    assert_eq!(doc["openapi"], "3.1.0");
    let create = &doc["components"]["schemas"]["CreateScheduleRequest"];
    assert_eq!(create["additionalProperties"], false);
    assert_eq!(
        create["required"],
        json!(["key", "at", "timeZone", "payload"])
    );
    assert_eq!(create["properties"]["key"]["maxLength"], MAX_KEY_CHARS);
    assert_eq!(create["properties"]["key"]["minLength"], 1);
    assert_eq!(create["properties"]["key"]["pattern"], KEY_PATTERN);
    assert_eq!(create["properties"]["at"]["pattern"], AT_PATTERN);
    assert_eq!(
        create["properties"]["timeZone"]["maxLength"],
        MAX_TIME_ZONE_CHARS
    );
    let put = &doc["components"]["schemas"]["RescheduleRequest"];
    assert_eq!(put["additionalProperties"], false);
    assert_eq!(put["required"], json!(["at", "timeZone", "payload"]));
    // Every $ref resolves.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/").skip(1) {
        let pointer = reference.split('"').next().unwrap_or_default();
        assert!(
            doc.pointer(&format!("/{pointer}")).is_some(),
            "dangling $ref {pointer}"
        );
    }
    for op in ["post", "get"] {
        assert!(doc["paths"]["/schedules"][op]["responses"]["401"].is_object());
    }
    for op in ["get", "put", "delete"] {
        assert!(doc["paths"]["/schedules/{key}"][op]["responses"]["404"].is_object());
    }
}
