//! Owns request body validation: size limits, JSON, and every field checked
//! against the limits of [`crate::model`], each failure a 400 (413 for size)
//! naming the field.
//!
//! Written with serde and explicit checks rather than a JSON Schema
//! validator: the `jsonschema` crate (0.37) always pulls in `fancy-regex`,
//! big-number arithmetic and the ICU/IDNA tables (about 100 crates even
//! without default features) to check four fields. The published schema
//! ([`crate::openapi`]) is generated from the same types, and a test asserts
//! that its limits are the constants checked here.

use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::NaiveDateTime;
use serde_json::{Map, Value};

use crate::aws_store::AT_FORMAT;
use crate::model::{CreateScheduleRequest, RescheduleRequest, MAX_KEY_CHARS, MAX_TIME_ZONE_CHARS};
use crate::problem::ApiError;
use crate::settings::ApiSettings;

/// A validated create request with its parsed local time.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidCreate {
    /// The request.
    pub request: CreateScheduleRequest,
    /// `at`, parsed.
    pub at: NaiveDateTime,
}

/// A validated reschedule request with its parsed local time.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidReschedule {
    /// The request.
    pub request: RescheduleRequest,
    /// `at`, parsed.
    pub at: NaiveDateTime,
}

/// The body of `request` as a JSON object, within the size limit.
pub fn body_object(
    request: &ApiGatewayV2httpRequest,
    settings: &ApiSettings,
) -> Result<Map<String, Value>, ApiError> {
    let max = settings.max_body_bytes;
    let too_large = |actual: usize| {
        ApiError::new(
            413,
            format!("the request body is {actual} bytes, over the maximum of {max} bytes"),
        )
        .with_field("body")
    };
    let raw = request.body.as_deref().unwrap_or_default();
    let decoded;
    let bytes: &[u8] = if request.is_base64_encoded {
        // Base64 is 4 characters per 3 bytes: refuse before decoding.
        if raw.len() / 4 * 3 > max + 3 {
            return Err(too_large(raw.len() / 4 * 3));
        }
        decoded = STANDARD
            .decode(raw)
            .map_err(|e| ApiError::invalid("body", format!("the body is not valid base64: {e}")))?;
        &decoded
    } else {
        raw.as_bytes()
    };
    if bytes.len() > max {
        return Err(too_large(bytes.len()));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid(
            "body",
            "the request has no body: send a JSON object",
        ));
    }
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::invalid("body", format!("the body is not JSON: {e}")))?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::invalid("body", "the body must be a JSON object")),
    }
}

/// Validates a `POST /schedules` body.
pub fn create_request(
    body: Map<String, Value>,
    settings: &ApiSettings,
) -> Result<ValidCreate, ApiError> {
    check_names(&body, &["key", "at", "timeZone", "payload"])?;
    key(required_string(&body, "key")?)?;
    let at = local_time(required_string(&body, "at")?)?;
    time_zone(required_string(&body, "timeZone")?)?;
    payload(&body, settings)?;
    let request: CreateScheduleRequest = serde_json::from_value(Value::Object(body))
        .map_err(|e| ApiError::invalid("body", e.to_string()))?;
    Ok(ValidCreate { request, at })
}

/// Validates a `PUT /schedules/{key}` body.
pub fn reschedule_request(
    body: Map<String, Value>,
    settings: &ApiSettings,
) -> Result<ValidReschedule, ApiError> {
    check_names(&body, &["at", "timeZone", "payload"])?;
    let at = local_time(required_string(&body, "at")?)?;
    time_zone(required_string(&body, "timeZone")?)?;
    payload(&body, settings)?;
    let request: RescheduleRequest = serde_json::from_value(Value::Object(body))
        .map_err(|e| ApiError::invalid("body", e.to_string()))?;
    Ok(ValidReschedule { request, at })
}

/// Checks a caller's key: 1 to [`MAX_KEY_CHARS`] characters, no control
/// characters.
pub fn key(key: &str) -> Result<(), ApiError> {
    let chars = key.chars().count();
    if chars == 0 {
        return Err(ApiError::invalid(
            "key",
            "key is empty: give the schedule a name",
        ));
    }
    if chars > MAX_KEY_CHARS {
        return Err(ApiError::invalid(
            "key",
            format!("key is {chars} characters, over the maximum of {MAX_KEY_CHARS}"),
        ));
    }
    if key.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "key",
            "key contains a control character: use printable text",
        ));
    }
    Ok(())
}

/// Every member of `body` must be one of `allowed` (in the order the schema
/// lists them), and every one of them present.
fn check_names(body: &Map<String, Value>, allowed: &[&str]) -> Result<(), ApiError> {
    if let Some(unknown) = body.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::invalid(
            unknown,
            format!(
                "unknown field `{unknown}`: the body may have only {}",
                allowed.join(", ")
            ),
        ));
    }
    if let Some(missing) = allowed.iter().find(|name| !body.contains_key(**name)) {
        return Err(ApiError::invalid(
            missing,
            format!("`{missing}` is missing"),
        ));
    }
    Ok(())
}

fn required_string<'a>(body: &'a Map<String, Value>, name: &str) -> Result<&'a str, ApiError> {
    body.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::invalid(name, format!("`{name}` must be a string")))
}

/// Parses `at`: exactly `yyyy-mm-ddThh:mm:ss`, a real date and time.
fn local_time(at: &str) -> Result<NaiveDateTime, ApiError> {
    let shaped = at.len() == 19
        && at.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            10 => b == b'T',
            13 | 16 => b == b':',
            _ => b.is_ascii_digit(),
        });
    if !shaped {
        return Err(ApiError::invalid(
            "at",
            format!("at `{at}` must be a local date-time `yyyy-mm-ddThh:mm:ss` without offset, e.g. `2027-03-09T14:32:00`"),
        ));
    }
    NaiveDateTime::parse_from_str(at, AT_FORMAT)
        .map_err(|e| ApiError::invalid("at", format!("at `{at}` is not a real date and time: {e}")))
}

fn time_zone(zone: &str) -> Result<(), ApiError> {
    let chars = zone.chars().count();
    if chars == 0 || chars > MAX_TIME_ZONE_CHARS {
        return Err(ApiError::invalid(
            "timeZone",
            format!("timeZone must be an IANA zone name of 1 to {MAX_TIME_ZONE_CHARS} characters, e.g. `Europe/London`"),
        ));
    }
    Ok(())
}

fn payload(body: &Map<String, Value>, settings: &ApiSettings) -> Result<(), ApiError> {
    let payload = body.get("payload").unwrap_or(&Value::Null);
    let size = serde_json::to_vec(payload).map(|v| v.len()).unwrap_or(0);
    let max = settings.max_payload_bytes;
    if size > max {
        return Err(ApiError::new(
            413,
            format!("the payload is {size} bytes of JSON, over the maximum of {max} bytes: store the data elsewhere (S3, DynamoDB) and schedule a reference to it"),
        )
        .with_field("payload"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn local_times_must_be_shaped_and_real() {
        assert!(local_time("2027-03-09T14:32:00").is_ok());
        for bad in [
            "2027-03-09 14:32:00",
            "2027-03-09T14:32",
            "2027-03-09T14:32:00Z",
            "2027-02-30T10:00:00",
            "２027-03-09T14:32:0",
        ] {
            let err = local_time(bad).expect_err(bad);
            assert_eq!(err.problem.field.as_deref(), Some("at"), "{bad}");
        }
    }

    #[test]
    fn fields_are_checked_in_schema_order() {
        let settings = ApiSettings::default();
        let err = create_request(
            object(serde_json::json!({"key": "k", "at": 5, "timeZone": 1, "payload": {}})),
            &settings,
        )
        .expect_err("types");
        assert_eq!(err.problem.field.as_deref(), Some("at"));
        let err = create_request(
            object(
                serde_json::json!({"at": "2027-03-09T14:32:00", "timeZone": "UTC", "payload": 1}),
            ),
            &settings,
        )
        .expect_err("missing");
        assert_eq!(err.problem.field.as_deref(), Some("key"));
        let ok = create_request(object(serde_json::json!({"key": "k", "at": "2027-03-09T14:32:00", "timeZone": "UTC", "payload": null})), &settings)
            .expect("valid");
        assert_eq!(ok.request.payload, Value::Null);
    }
}
