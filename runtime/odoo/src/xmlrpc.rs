//! The XML-RPC body codec: a method call from JSON values, a response (or fault) back to JSON.
//!
//! The XML itself is read and written by [`dxr`], a maintained XML-RPC value codec (i4/int,
//! i8, boolean, string, double, dateTime.iso8601, base64, struct, array, nil). Its HTTP
//! client, `dxr_client`, is not used: its fault type takes integer codes only (Odoo 7 sends
//! strings) and the transport's timeouts and error classification are this crate's job.
//! The `xmlrpc` crate is blocking on reqwest 0.11 (a second HTTP stack) and `serde_xmlrpc`
//! is an alpha. Two Odoo specifics are handled here: faults whose `faultCode` is a string (Odoo 7's `/xmlrpc`
//! endpoints, which `dxr`'s integer-only fault type refuses), and mapping values onto JSON
//! (`dateTime.iso8601` becomes Odoo's `"YYYY-MM-DD HH:MM:SS"`, `base64` a base64 string, as
//! Odoo's JSON-RPC returns binary fields).

use base64::Engine as _;
use dxr::{MethodCall, MethodResponse, Value as XmlValue};
use serde_json::{Map, Number, Value};

use crate::error::FaultCode;

/// A decoded XML-RPC response.
#[derive(Debug, PartialEq)]
pub(crate) enum Response {
    /// The single return value.
    Value(Value),
    /// A fault: its code and string.
    Fault(FaultCode, String),
}

/// Serializes a method call. Fails on numbers XML-RPC cannot carry (beyond `i64`).
pub(crate) fn encode_call(method: &str, params: &[Value]) -> Result<String, String> {
    let params = params.iter().map(to_xml).collect::<Result<Vec<_>, _>>()?;
    let call = MethodCall {
        name: method.into(),
        params,
    };
    let xml = call.to_xml().map_err(|error| error.to_string())?;
    Ok(format!("<?xml version=\"1.0\"?>\n{xml}"))
}

/// Parses a response body. The error text never quotes the body (it may echo request values).
pub(crate) fn decode_response(body: &str) -> Result<Response, String> {
    if let Ok(response) = MethodResponse::from_xml(strip_declaration(body)) {
        return from_xml(&response.value).map(Response::Value);
    }
    let fault = fault_value(body).ok_or("neither a methodResponse with one value nor a fault")?;
    let Value::Object(mut members) = from_xml(&fault)? else {
        return Err("the fault is not a struct".into());
    };
    let code = match members.remove("faultCode") {
        Some(Value::Number(number)) => FaultCode::Int(number.as_i64().unwrap_or_default()),
        Some(Value::String(text)) => FaultCode::Text(text),
        _ => return Err("the fault has no faultCode".into()),
    };
    let text = match members.remove("faultString") {
        Some(Value::String(text)) => text,
        Some(other) => other.to_string(),
        None => String::new(),
    };
    Ok(Response::Fault(code, text))
}

fn strip_declaration(body: &str) -> &str {
    let body = body.trim_start_matches('\u{feff}').trim();
    match body.strip_prefix("<?xml") {
        Some(rest) => rest
            .split_once("?>")
            .map_or(body, |(_, rest)| rest.trim_start()),
        None => body,
    }
}

/// The `<value>` inside `<methodResponse><fault>...</fault></methodResponse>`, parsed.
fn fault_value(body: &str) -> Option<XmlValue> {
    let rest = strip_declaration(body)
        .strip_prefix("<methodResponse>")?
        .trim_start();
    let inner = rest.strip_prefix("<fault>")?;
    let end = inner.rfind("</fault>")?;
    XmlValue::from_xml(inner.get(..end)?.trim()).ok()
}

fn to_xml(value: &Value) -> Result<XmlValue, String> {
    Ok(match value {
        Value::Null => XmlValue::Nil,
        Value::Bool(b) => XmlValue::Boolean(*b),
        Value::Number(number) => {
            if let Some(int) = number.as_i64() {
                match i32::try_from(int) {
                    Ok(small) => XmlValue::Integer(small),
                    Err(_) => XmlValue::Long(int),
                }
            } else if number.is_u64() {
                return Err(format!(
                    "the integer {number} does not fit XML-RPC's 64-bit i8"
                ));
            } else {
                XmlValue::Double(number.as_f64().unwrap_or_default())
            }
        }
        Value::String(s) => XmlValue::String(s.clone()),
        Value::Array(items) => XmlValue::Array(items.iter().map(to_xml).collect::<Result<_, _>>()?),
        Value::Object(members) => XmlValue::Struct(
            members
                .iter()
                .map(|(name, value)| Ok((name.clone(), to_xml(value)?)))
                .collect::<Result<_, String>>()?,
        ),
    })
}

fn from_xml(value: &XmlValue) -> Result<Value, String> {
    Ok(match value {
        XmlValue::Integer(int) => Value::from(*int),
        XmlValue::Long(int) => Value::from(*int),
        XmlValue::Boolean(b) => Value::Bool(*b),
        XmlValue::String(s) => Value::String(s.clone()),
        XmlValue::Double(d) => {
            Value::Number(Number::from_f64(*d).ok_or("a double that is not a finite number")?)
        }
        XmlValue::DateTime(dt) => Value::String(format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        )),
        XmlValue::Base64(bytes) => {
            Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
        }
        XmlValue::Struct(members) => Value::Object(
            members
                .iter()
                .map(|(name, value)| Ok((name.clone(), from_xml(value)?)))
                .collect::<Result<Map<_, _>, String>>()?,
        ),
        XmlValue::Array(items) => {
            Value::Array(items.iter().map(from_xml).collect::<Result<_, _>>()?)
        }
        XmlValue::Nil => Value::Null,
        _ => return Err("a value of an XML-RPC type this client does not know".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Bodies exactly as Python's xmlrpc.client.dumps (Odoo's marshaller) writes them.
    const RESPONSE: &str = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n\
<member>\n<name>a</name>\n<value><string>  spaced  </string></value>\n</member>\n\
<member>\n<name>b</name>\n<value><string></string></value>\n</member>\n\
<member>\n<name>c</name>\n<value><nil/></value></member>\n\
<member>\n<name>d</name>\n<value><array><data>\n<value><int>1</int></value>\n<value><i4>-2</i4></value>\n\
<value><double>2.5</double></value>\n<value><boolean>1</boolean></value>\n<value><boolean>0</boolean></value>\n\
<value><i8>5000000000</i8></value>\n</data></array></value>\n</member>\n\
<member>\n<name>dt</name>\n<value><dateTime.iso8601>20261203T07:31:22</dateTime.iso8601></value>\n</member>\n\
<member>\n<name>bin</name>\n<value><base64>\naGk=\n</base64></value>\n</member>\n\
<member>\n<name>e</name>\n<value><struct>\n<member>\n<name>f</name>\n<value><string>x&lt;&amp;&gt;y\nline2 \u{2713}</string></value>\n</member>\n</struct></value>\n</member>\n\
<member>\n<name>untyped</name>\n<value>plain</value>\n</member>\n\
</struct></value>\n</param>\n</params>\n</methodResponse>\n";

    #[test]
    fn decodes_every_value_type() {
        assert_eq!(
            decode_response(RESPONSE),
            Ok(Response::Value(json!({
                "a": "  spaced  ", "b": "", "c": null,
                "d": [1, -2, 2.5, true, false, 5_000_000_000_i64],
                "dt": "2026-12-03 07:31:22", "bin": "aGk=",
                "e": {"f": "x<&>y\nline2 \u{2713}"}, "untyped": "plain"
            })))
        );
    }

    #[test]
    fn decodes_integer_and_string_fault_codes() {
        let int = "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n\
<value><int>3</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>Access Denied</string></value>\n\
</member>\n</struct></value>\n</fault>\n</methodResponse>\n";
        assert_eq!(
            decode_response(int),
            Ok(Response::Fault(FaultCode::Int(3), "Access Denied".into()))
        );
        let text = "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n\
<value><string>warning -- UserError\n\nBad</string></value>\n</member>\n<member>\n<name>faultString</name>\n\
<value><string></string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n";
        assert_eq!(
            decode_response(text),
            Ok(Response::Fault(
                FaultCode::Text("warning -- UserError\n\nBad".into()),
                String::new()
            ))
        );
    }

    #[test]
    fn rejects_what_is_not_a_response_without_quoting_it() {
        for body in [
            "<html>502 Bad Gateway</html>",
            "",
            "<methodResponse><params></params></methodResponse>",
        ] {
            let error = decode_response(body).err().unwrap_or_default();
            assert!(
                !error.is_empty() && !error.contains("Bad Gateway"),
                "{body}: {error}"
            );
        }
    }

    #[test]
    fn encodes_calls_with_the_narrowest_integer_type() -> Result<(), String> {
        let xml = encode_call(
            "execute_kw",
            &[
                json!("db"),
                json!(7),
                json!(5_000_000_000_i64),
                json!(1.5),
                json!(null),
                json!({"k": [true]}),
                json!("a<b"),
            ],
        )?;
        assert_eq!(
            xml,
            "<?xml version=\"1.0\"?>\n<methodCall><methodName>execute_kw</methodName><params>\
<param><value><string>db</string></value></param><param><value><i4>7</i4></value></param>\
<param><value><i8>5000000000</i8></value></param><param><value><double>1.5</double></value></param>\
<param><value><nil></nil></value></param>\
<param><value><struct><member><name>k</name><value><array><data><value><boolean>1</boolean></value></data></array></value></member></struct></value></param>\
<param><value><string>a&lt;b</string></value></param></params></methodCall>"
        );
        assert!(encode_call("m", &[json!(u64::MAX)]).is_err());
        Ok(())
    }
}
