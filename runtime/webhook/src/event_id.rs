//! Values taken from a request: the provider's event id and the FIFO message
//! group, from a header, a JSON pointer into the body, or the path
//! ([`ValueSource`]); and [`sqs_token`], which makes any of them a valid SQS
//! deduplication or group id.

use aws_lambda_events::http::HeaderMap;
use cloud_cron_contract::webhook::ValueSource;
use sha2::{Digest, Sha256};

/// A configured value is not in the request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// The header is absent or empty.
    #[error("the request has no `{header}` header")]
    HeaderMissing {
        /// The header's name.
        header: String,
    },
    /// The body is not JSON, so a pointer cannot be followed.
    #[error("the body is not JSON, so `{pointer}` cannot be read")]
    NotJson {
        /// The pointer.
        pointer: String,
    },
    /// The pointer leads nowhere, or to null or an empty string.
    #[error("the body has no value at `{pointer}`")]
    PointerMissing {
        /// The pointer.
        pointer: String,
    },
    /// The pointer leads to an object or an array.
    #[error("the value at `{pointer}` is not a string, number or boolean")]
    NotScalar {
        /// The pointer.
        pointer: String,
    },
}

/// The value `source` names in a request with these `headers`, `body`
/// (parsed lazily, once, into `json`) and `path`.
///
/// # Errors
///
/// [`ExtractError`] when the value is not there.
pub fn extract(
    source: &ValueSource,
    headers: &HeaderMap,
    body: &[u8],
    json: &mut Option<serde_json::Value>,
    path: &str,
) -> Result<String, ExtractError> {
    match source {
        ValueSource::Path => Ok(path.to_owned()),
        ValueSource::Header(name) => headers
            .get(name.as_str())
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| ExtractError::HeaderMissing {
                header: name.clone(),
            }),
        ValueSource::JsonPointer(pointer) => {
            if json.is_none() {
                *json = Some(
                    serde_json::from_slice(body).map_err(|_| ExtractError::NotJson {
                        pointer: pointer.clone(),
                    })?,
                );
            }
            let missing = || ExtractError::PointerMissing {
                pointer: pointer.clone(),
            };
            match json.as_ref().and_then(|j| j.pointer(pointer)) {
                None | Some(serde_json::Value::Null) => Err(missing()),
                Some(serde_json::Value::String(s)) if s.is_empty() => Err(missing()),
                Some(serde_json::Value::String(s)) => Ok(s.clone()),
                Some(serde_json::Value::Number(n)) => Ok(n.to_string()),
                Some(serde_json::Value::Bool(b)) => Ok(b.to_string()),
                Some(_) => Err(ExtractError::NotScalar {
                    pointer: pointer.clone(),
                }),
            }
        }
    }
}

/// The lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `value` when SQS accepts it as a `MessageDeduplicationId` or
/// `MessageGroupId` (1 to 128 printable ASCII characters, no space), its
/// SHA-256 otherwise.
///
/// ```
/// use cloud_cron_webhook::sqs_token;
/// assert_eq!(sqs_token("evt_123"), "evt_123");
/// assert_eq!(sqs_token("tâche 1").len(), 64);
/// ```
pub fn sqs_token(value: &str) -> String {
    let ok = (1..=128).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        value.to_owned()
    } else {
        sha256_hex(value.as_bytes())
    }
}
