//! Owns the `nextToken` of `GET /schedules`: the store's token wrapped with
//! the tenant namespace it belongs to, base64url-encoded so it survives a
//! query string unescaped. A token is only ever honoured for the tenant it
//! was issued to.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::problem::ApiError;

#[derive(Serialize, Deserialize)]
struct Wrapped {
    /// The tenant namespace.
    t: String,
    /// The store's token.
    n: String,
}

/// The `nextToken` for the store token `next` of `namespace`.
pub fn encode(namespace: &str, next: &str) -> String {
    let wrapped = Wrapped {
        t: namespace.to_owned(),
        n: next.to_owned(),
    };
    // Serializing two strings cannot fail.
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&wrapped).unwrap_or_default())
}

/// The store token inside `token`, if it was issued to `namespace`.
pub fn decode(namespace: &str, token: &str) -> Result<String, ApiError> {
    let invalid = || {
        ApiError::invalid(
            "nextToken",
            "nextToken is not a token this API issued to you: pass the nextToken of your previous page unchanged, or leave it out for the first page",
        )
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .map_err(|_| invalid())?;
    let wrapped: Wrapped = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if wrapped.t != namespace || wrapped.n.is_empty() {
        return Err(invalid());
    }
    Ok(wrapped.n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_for_its_tenant_only() {
        let token = encode("acme", "abc+/=");
        assert!(token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(decode("acme", &token).expect("valid"), "abc+/=");
        let err = decode("other", &token).expect_err("foreign");
        assert_eq!(err.problem.field.as_deref(), Some("nextToken"));
        assert!(decode("acme", "not a token").is_err());
    }
}
