//! The JSON-RPC envelope Odoo serves at `/jsonrpc`: requests
//! `{"jsonrpc": "2.0", "method": "call", "params": {"service", "method", "args"}, "id"}`,
//! answers with `result`, or `error` `{"code": 200, "message": "Odoo Server Error", "data":
//! {"name": "odoo.exceptions.AccessDenied", "message": ..., "debug": <traceback>}}`.

use serde_json::{json, Value};

use crate::error::FaultCode;
use crate::xmlrpc::Response;

/// The request body.
pub(crate) fn encode_call(service: &str, method: &str, args: Vec<Value>, id: u64) -> String {
    json!({
        "jsonrpc": "2.0",
        "method": "call",
        "params": {"service": service, "method": method, "args": args},
        "id": id,
    })
    .to_string()
}

/// Parses an answer into a value or a fault (code: the exception class when Odoo names it,
/// else the numeric code; text: message and traceback). Errors never quote the body.
pub(crate) fn decode_response(body: &str) -> Result<Response, String> {
    let Ok(Value::Object(mut envelope)) = serde_json::from_str::<Value>(body) else {
        return Err("not a JSON object".into());
    };
    if let Some(result) = envelope.remove("result") {
        return Ok(Response::Value(result));
    }
    let Some(Value::Object(mut error)) = envelope.remove("error") else {
        return Err("a JSON object with neither result nor error".into());
    };
    let data = match error.remove("data") {
        Some(Value::Object(data)) => data,
        _ => Default::default(),
    };
    let text_of =
        |value: Option<&Value>| value.and_then(Value::as_str).unwrap_or_default().to_owned();
    let name = text_of(data.get("name"));
    let message = match text_of(data.get("message")) {
        message if message.is_empty() => text_of(error.get("message")),
        message => message,
    };
    let code = if name.is_empty() {
        FaultCode::Int(
            error
                .get("code")
                .and_then(Value::as_i64)
                .unwrap_or_default(),
        )
    } else {
        FaultCode::Text(name)
    };
    let debug = text_of(data.get("debug"));
    let text = if debug.is_empty() {
        message
    } else {
        format!("{message}\n\n{debug}")
    };
    Ok(Response::Fault(code, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_shape() -> Result<(), serde_json::Error> {
        let body: Value = serde_json::from_str(&encode_call("common", "version", vec![], 4))?;
        assert_eq!(
            body,
            json!({"jsonrpc": "2.0", "method": "call", "params": {"service": "common", "method": "version", "args": []}, "id": 4})
        );
        Ok(())
    }

    #[test]
    fn results_and_errors() {
        assert_eq!(
            decode_response(r#"{"jsonrpc": "2.0", "id": 1, "result": [1, 2]}"#),
            Ok(Response::Value(json!([1, 2])))
        );
        assert_eq!(
            decode_response(
                r#"{"jsonrpc": "2.0", "id": 1, "error": {"code": 200, "message": "Odoo Server Error",
                "data": {"name": "odoo.exceptions.AccessDenied", "message": "Access Denied", "debug": "Traceback (most recent call last):\n..."}}}"#
            ),
            Ok(Response::Fault(
                FaultCode::Text("odoo.exceptions.AccessDenied".into()),
                "Access Denied\n\nTraceback (most recent call last):\n...".into()
            ))
        );
        assert_eq!(
            decode_response(
                r#"{"jsonrpc": "2.0", "id": 1, "error": {"code": 100, "message": "Odoo Session Expired"}}"#
            ),
            Ok(Response::Fault(
                FaultCode::Int(100),
                "Odoo Session Expired".into()
            ))
        );
        assert!(decode_response("<html>").is_err());
        assert!(decode_response(r#"{"id": 1}"#).is_err());
    }
}
