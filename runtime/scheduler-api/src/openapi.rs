//! Owns the OpenAPI 3.1 document of the API ([`openapi_document`]), built
//! with serde_json around the JSON Schemas schemars derives from
//! [`crate::model`]'s types (JSON Schema 2020-12, which OpenAPI 3.1 uses as
//! is). The committed `runtime/scheduler-api/openapi.json` is this output; a
//! test keeps it in sync (`CLOUDCRON_UPDATE_SCHEMA=1` rewrites it).

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::{json, Map, Value};

use crate::model::{
    CreateScheduleRequest, Problem, RescheduleRequest, Schedule, ScheduleList, DEFAULT_LIMIT,
    MAX_KEY_CHARS, MAX_LIMIT,
};

/// The JSON Schemas of the bodies, by name, as `#/components/schemas/...`.
pub fn component_schemas() -> Map<String, Value> {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    let mut generator = settings.into_generator();
    generator.subschema_for::<CreateScheduleRequest>();
    generator.subschema_for::<RescheduleRequest>();
    generator.subschema_for::<Schedule>();
    generator.subschema_for::<ScheduleList>();
    generator.subschema_for::<Problem>();
    generator.take_definitions(true)
}

/// The `$ref` of `T`'s schema.
fn schema_ref<T: JsonSchema>() -> Value {
    json!({ "$ref": format!("#/components/schemas/{}", T::schema_name()) })
}

fn json_content(schema: Value) -> Value {
    json!({ "application/json": { "schema": schema } })
}

fn problem(description: &str) -> Value {
    json!({ "description": description, "content": json_content(schema_ref::<Problem>()) })
}

/// The OpenAPI 3.1 document.
pub fn openapi_document() -> Value {
    let schedule = || json_content(schema_ref::<Schedule>());
    let common_errors = |extra: Value| {
        let mut responses = json!({
            "401": { "$ref": "#/components/responses/Unauthenticated" },
            "403": { "$ref": "#/components/responses/Forbidden" },
            "429": { "$ref": "#/components/responses/Throttled" },
            "500": { "$ref": "#/components/responses/Failed" },
            "503": { "$ref": "#/components/responses/Unavailable" }
        });
        if let (Some(all), Value::Object(extra)) = (responses.as_object_mut(), extra) {
            all.extend(extra);
        }
        responses
    };
    let key_parameter = json!({ "$ref": "#/components/parameters/key" });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "cloud-cron one-off schedules",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Create, read, list, reschedule and cancel one-off schedules: each delivers its payload to the configured target once, at a local date-time in an IANA time zone. The caller's tenant comes from the JWT authorizer's tenant claim or from the IAM caller (never from the request), and a caller only ever sees its own tenant's schedules."
        },
        "security": [ { "jwt": [] }, { "sigv4": [] } ],
        "paths": {
            "/schedules": {
                "post": {
                    "operationId": "createSchedule",
                    "summary": "Schedule a payload for delivery once",
                    "requestBody": { "required": true, "content": json_content(schema_ref::<CreateScheduleRequest>()) },
                    "responses": common_errors(json!({
                        "201": { "description": "Scheduled.", "headers": { "Location": { "schema": { "type": "string" } } }, "content": schedule() },
                        "200": { "description": "The same key, time, zone and payload were already scheduled: nothing changed.", "headers": { "Location": { "schema": { "type": "string" } } }, "content": schedule() },
                        "400": problem("A field is invalid; `field` names it."),
                        "409": problem("The key is already scheduled with a different time, zone or payload."),
                        "413": problem("The body or the payload is too large.")
                    }))
                },
                "get": {
                    "operationId": "listSchedules",
                    "summary": "A page of the caller's schedules",
                    "parameters": [
                        { "name": "limit", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT } },
                        { "name": "nextToken", "in": "query", "required": false, "schema": { "type": "string" } }
                    ],
                    "responses": common_errors(json!({
                        "200": { "description": "A page of schedules.", "content": json_content(schema_ref::<ScheduleList>()) },
                        "400": problem("`limit` or `nextToken` is invalid.")
                    }))
                }
            },
            "/schedules/{key}": {
                "parameters": [ key_parameter ],
                "get": {
                    "operationId": "getSchedule",
                    "summary": "One of the caller's schedules",
                    "responses": common_errors(json!({
                        "200": { "description": "The schedule.", "content": schedule() },
                        "404": problem("No such schedule (never created, cancelled, or already fired).")
                    }))
                },
                "put": {
                    "operationId": "reschedule",
                    "summary": "Move a schedule and replace its payload",
                    "requestBody": { "required": true, "content": json_content(schema_ref::<RescheduleRequest>()) },
                    "responses": common_errors(json!({
                        "200": { "description": "Rescheduled.", "content": schedule() },
                        "400": problem("A field is invalid; `field` names it."),
                        "404": problem("No such schedule."),
                        "413": problem("The body or the payload is too large.")
                    }))
                },
                "delete": {
                    "operationId": "cancelSchedule",
                    "summary": "Cancel a schedule",
                    "responses": common_errors(json!({
                        "204": { "description": "Cancelled." },
                        "404": problem("No such schedule.")
                    }))
                }
            }
        },
        "components": {
            "schemas": component_schemas(),
            "parameters": {
                "key": {
                    "name": "key",
                    "in": "path",
                    "required": true,
                    "description": "The schedule's key, percent-encoded (`/` as %2F).",
                    "schema": { "type": "string", "minLength": 1, "maxLength": MAX_KEY_CHARS }
                }
            },
            "responses": {
                "Unauthenticated": problem("No JWT or IAM authorizer identified the caller."),
                "Forbidden": problem("The authorizer gave no tenant (the JWT lacks the tenant claim)."),
                "Throttled": problem("Too many requests to the Scheduler; retry after `Retry-After` seconds."),
                "Failed": problem("The service failed; details are logged, not returned."),
                "Unavailable": problem("The Scheduler is unavailable or out of quota; retry later.")
            },
            "securitySchemes": {
                "jwt": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "An API Gateway JWT authorizer; the tenant is the claim named by CLOUDCRON_API_TENANT_CLAIM (default `tenant`)." },
                "sigv4": { "type": "apiKey", "in": "header", "name": "Authorization", "description": "IAM authorization (AWS Signature Version 4); the tenant is the caller's field named by CLOUDCRON_API_IAM_TENANT (default `accountId`)." }
            }
        }
    })
}

/// The document as committed: pretty-printed, with a final newline.
pub fn openapi_json() -> String {
    let mut text = serde_json::to_string_pretty(&openapi_document()).unwrap_or_default();
    text.push('\n');
    text
}
