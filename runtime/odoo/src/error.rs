//! What can go wrong talking to Odoo, and whether trying again can help.
//!
//! [`OdooError::is_transient`] is the one place that decides: connection failures, timeouts,
//! HTTP 429/502/503/504 and database serialization conflicts are worth a retry; refused
//! credentials, access rules, validation errors, missing records and everything else are not.
//! No variant ever holds the password: server text is passed through [`redact`] before it is
//! stored, so even a server that echoes its request cannot leak it into a log line.

use std::fmt;
use std::time::Duration;

/// An error from the Odoo client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OdooError {
    /// The client configuration cannot work (bad URL, keyword arguments for Odoo 7, ...).
    #[error("invalid Odoo client configuration: {0}")]
    Config(String),
    /// The server could not be reached (refused connection, DNS, TLS, reset connection).
    #[error("could not reach Odoo at {endpoint}: {reason}")]
    Connect {
        /// The endpoint URL (never carries credentials).
        endpoint: String,
        /// What the HTTP client reported.
        reason: String,
    },
    /// No answer within the configured connect or request timeout.
    #[error("Odoo at {endpoint} did not answer within {timeout:?}")]
    Timeout {
        /// The endpoint URL.
        endpoint: String,
        /// The request timeout that ran out.
        timeout: Duration,
    },
    /// The server answered with an HTTP error status instead of an RPC response.
    #[error("Odoo at {endpoint} answered HTTP {status}{}", retry_after.map(|d| format!(" (retry after {}s)", d.as_secs())).unwrap_or_default())]
    Http {
        /// The endpoint URL.
        endpoint: String,
        /// The HTTP status code.
        status: u16,
        /// The `Retry-After` delay the server asked for, in seconds form.
        retry_after: Option<Duration>,
    },
    /// `authenticate`/`login` returned `False`: wrong login or password, or an inactive user.
    #[error("Odoo refused login {login:?} on database {database:?}: wrong login or password, or the user is inactive")]
    AuthenticationFailed {
        /// The database name.
        database: String,
        /// The login that was refused.
        login: String,
    },
    /// The server raised an exception (an XML-RPC fault or a JSON-RPC error).
    #[error(transparent)]
    Fault(Box<Fault>),
    /// The answer was not a well-formed RPC response.
    #[error("unexpected answer from Odoo at {endpoint}: {detail}")]
    Protocol {
        /// The endpoint URL.
        endpoint: String,
        /// What was wrong with it (server text redacted).
        detail: String,
    },
    /// The call succeeded but its result did not have the shape the caller asked for.
    #[error("{model}.{method} returned an unexpected value: {detail}")]
    Decode {
        /// The model called.
        model: String,
        /// The method called.
        method: String,
        /// What did not match.
        detail: String,
    },
}

impl From<Fault> for OdooError {
    fn from(fault: Fault) -> Self {
        OdooError::Fault(Box::new(fault))
    }
}

impl OdooError {
    /// Whether the same call may succeed if tried again later.
    ///
    /// Transient: connection errors, timeouts, HTTP 429/502/503/504, and faults of kind
    /// [`FaultKind::Concurrency`]. Everything else is permanent.
    pub fn is_transient(&self) -> bool {
        match self {
            OdooError::Connect { .. } | OdooError::Timeout { .. } => true,
            OdooError::Http { status, .. } => matches!(status, 429 | 502 | 503 | 504),
            OdooError::Fault(fault) => fault.kind.is_transient(),
            OdooError::Config(_)
            | OdooError::AuthenticationFailed { .. }
            | OdooError::Protocol { .. }
            | OdooError::Decode { .. } => false,
        }
    }

    /// The delay the server asked for with `Retry-After` (HTTP 429/503), if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            OdooError::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The fault, when the server raised an exception.
    pub fn fault(&self) -> Option<&Fault> {
        match self {
            OdooError::Fault(fault) => Some(fault),
            _ => None,
        }
    }
}

/// The exception class behind a [`Fault`], as far as the server's answer tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FaultKind {
    /// `odoo.exceptions.AccessDenied`: the credentials were refused (XML-RPC fault code 3).
    AccessDenied,
    /// `odoo.exceptions.AccessError`: the user may not do this (fault code 4).
    AccessError,
    /// `odoo.exceptions.MissingError`: a record does not exist or has been deleted.
    MissingError,
    /// `odoo.exceptions.ValidationError`: a constraint refused the values.
    ValidationError,
    /// `odoo.exceptions.UserError` or a warning (fault code 2). Odoo's `/xmlrpc/2` endpoints
    /// report validation errors with this code too, without naming the class.
    UserError,
    /// A database serialization conflict or lock timeout (`psycopg2` `SerializationFailure`,
    /// `LockNotAvailable`, deadlock): the same call usually succeeds when retried.
    Concurrency,
    /// Any other server exception (fault code 1 with a traceback, unknown method, ...).
    Server,
}

impl FaultKind {
    /// Only [`FaultKind::Concurrency`] is worth retrying.
    pub fn is_transient(self) -> bool {
        self == FaultKind::Concurrency
    }

    fn as_str(self) -> &'static str {
        match self {
            FaultKind::AccessDenied => "AccessDenied",
            FaultKind::AccessError => "AccessError",
            FaultKind::MissingError => "MissingError",
            FaultKind::ValidationError => "ValidationError",
            FaultKind::UserError => "UserError",
            FaultKind::Concurrency => "concurrency conflict",
            FaultKind::Server => "server error",
        }
    }

    /// Classifies a fault from its code (XML-RPC `faultCode`, an integer on `/xmlrpc/2`, a
    /// string on Odoo 7's `/xmlrpc`; the exception name on JSON-RPC) and its text.
    pub(crate) fn classify(code: &FaultCode, text: &str) -> FaultKind {
        let code_text = match code {
            FaultCode::Int(_) => "",
            FaultCode::Text(text) => text.as_str(),
        };
        let named = |class: &str| {
            code_text.contains(class) || text.contains(&format!("odoo.exceptions.{class}"))
        };
        // Class names first: legacy string codes ("warning -- MissingError", "AccessDenied"),
        // JSON-RPC names ("odoo.exceptions.ValidationError") and tracebacks carry them.
        if named("MissingError") {
            return FaultKind::MissingError;
        }
        if named("AccessDenied") {
            return FaultKind::AccessDenied;
        }
        if named("AccessError") {
            return FaultKind::AccessError;
        }
        if named("ValidationError") {
            return FaultKind::ValidationError;
        }
        if named("UserError") || named("RedirectWarning") || code_text.starts_with("warning -- ") {
            return FaultKind::UserError;
        }
        const CONCURRENCY: [&str; 5] = [
            "SerializationFailure",
            "could not serialize access",
            "LockNotAvailable",
            "could not obtain lock",
            "deadlock detected",
        ];
        if CONCURRENCY
            .iter()
            .any(|marker| code_text.contains(marker) || text.contains(marker))
        {
            return FaultKind::Concurrency;
        }
        match code {
            FaultCode::Int(3) => FaultKind::AccessDenied,
            FaultCode::Int(4) => FaultKind::AccessError,
            // Code 2 covers UserError and its subclasses; MissingError has a telling message.
            FaultCode::Int(2) if text.starts_with("Record does not exist or has been deleted") => {
                FaultKind::MissingError
            }
            FaultCode::Int(2) => FaultKind::UserError,
            _ => FaultKind::Server,
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A fault code as the server sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultCode {
    /// An integer code (`/xmlrpc/2`: 1 application error, 2 warning, 3 access denied, 4 access
    /// error; JSON-RPC: the `error.code`, 200 for server errors, 100 for an expired session).
    Int(i64),
    /// A string code (Odoo 7's `/xmlrpc`: `"AccessDenied"`, `"warning -- UserError\n\n..."`;
    /// JSON-RPC: the exception class, `"odoo.exceptions.AccessError"`).
    Text(String),
}

impl fmt::Display for FaultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultCode::Int(code) => write!(f, "{code}"),
            FaultCode::Text(text) => f.write_str(text.lines().next().unwrap_or_default()),
        }
    }
}

/// An exception raised by the Odoo server, classified.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Odoo {kind} in {model}.{method}: {message}")]
pub struct Fault {
    /// What kind of exception it was.
    pub kind: FaultKind,
    /// The code as sent.
    pub code: FaultCode,
    /// The exception message, one paragraph (for tracebacks: the last line).
    pub message: String,
    /// The full server text (traceback included when the server sent one).
    pub detail: String,
    /// The model called (`common` for authentication and version calls).
    pub model: String,
    /// The method called.
    pub method: String,
}

impl Fault {
    /// Builds a fault from what the server sent; `text` is the fault string (or the JSON-RPC
    /// message and traceback). Both are redacted before this is called.
    pub(crate) fn new(code: FaultCode, text: String, model: &str, method: &str) -> Fault {
        let kind = FaultKind::classify(&code, &text);
        let message = match &code {
            // Odoo 7: "warning -- UserError\n\n<message>" with an empty fault string.
            FaultCode::Text(code_text) if code_text.starts_with("warning -- ") => code_text
                .split_once("\n\n")
                .map(|(_, message)| message.to_owned())
                .unwrap_or_else(|| code_text.clone()),
            // Odoo 7 application errors: the message is the code, the traceback the string.
            FaultCode::Text(code_text)
                if code_text != "AccessDenied" && looks_like_traceback(&text) =>
            {
                code_text.clone()
            }
            _ => summary(&text),
        };
        let detail = if text.is_empty() {
            code.to_string()
        } else {
            text
        };
        Fault {
            kind,
            code,
            message,
            detail,
            model: model.to_owned(),
            method: method.to_owned(),
        }
    }
}

fn looks_like_traceback(text: &str) -> bool {
    text.starts_with("Traceback (most recent call last)")
}

/// A traceback's last non-empty line (`module.Class: message`), the message before a
/// traceback (JSON-RPC: "message\n\nTraceback ..."), or the text itself.
fn summary(text: &str) -> String {
    if let Some((message, _)) = text.split_once("\n\nTraceback (most recent call last)") {
        return message.trim().to_owned();
    }
    if looks_like_traceback(text) {
        if let Some(last) = text.lines().rev().find(|line| !line.trim().is_empty()) {
            return last.trim().to_owned();
        }
    }
    text.trim().to_owned()
}

/// Replaces every occurrence of `secret` in `text` (no-op for an empty secret).
pub(crate) fn redact(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        return text.to_owned();
    }
    text.replace(secret, "[REDACTED]")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(code: FaultCode, text: &str) -> FaultKind {
        FaultKind::classify(&code, text)
    }

    #[test]
    fn xmlrpc2_integer_codes() {
        assert_eq!(
            kind(FaultCode::Int(3), "Access Denied"),
            FaultKind::AccessDenied
        );
        assert_eq!(
            kind(FaultCode::Int(4), "You are not allowed to read"),
            FaultKind::AccessError
        );
        assert_eq!(
            kind(FaultCode::Int(2), "Contacts require a name"),
            FaultKind::UserError
        );
        assert_eq!(
            kind(
                FaultCode::Int(2),
                "Record does not exist or has been deleted.\n(Record: res.partner(9,), User: 2)"
            ),
            FaultKind::MissingError
        );
        assert_eq!(
            kind(
                FaultCode::Int(1),
                "Traceback (most recent call last):\n  ...\nAttributeError: nope\n"
            ),
            FaultKind::Server
        );
        assert_eq!(
            kind(
                FaultCode::Int(1),
                "Traceback (most recent call last):\nodoo.exceptions.ValidationError: bad"
            ),
            FaultKind::ValidationError
        );
        assert_eq!(
            kind(
                FaultCode::Int(1),
                "Traceback (most recent call last):\npsycopg2.errors.SerializationFailure: could not serialize access due to concurrent update"
            ),
            FaultKind::Concurrency
        );
    }

    #[test]
    fn legacy_string_codes() {
        let text = |s: &str| FaultCode::Text(s.to_owned());
        assert_eq!(
            kind(text("AccessDenied"), "Access Denied"),
            FaultKind::AccessDenied
        );
        assert_eq!(
            kind(text("warning -- AccessError\n\nno"), ""),
            FaultKind::AccessError
        );
        assert_eq!(
            kind(text("warning -- MissingError\n\ngone"), ""),
            FaultKind::MissingError
        );
        assert_eq!(
            kind(text("warning -- UserError\n\nno"), ""),
            FaultKind::UserError
        );
        assert_eq!(
            kind(text("warning -- Warning\n\nredirect"), ""),
            FaultKind::UserError
        );
        assert_eq!(
            kind(text("odoo.exceptions.ValidationError"), "bad"),
            FaultKind::ValidationError
        );
        assert_eq!(
            kind(
                text("KeyError: 'x.y'"),
                "Traceback (most recent call last):\n"
            ),
            FaultKind::Server
        );
    }

    #[test]
    fn messages() {
        let fault = Fault::new(
            FaultCode::Text("warning -- UserError\n\nCannot delete".into()),
            String::new(),
            "sale.order",
            "unlink",
        );
        assert_eq!(fault.message, "Cannot delete");
        assert_eq!(
            fault.to_string(),
            "Odoo UserError in sale.order.unlink: Cannot delete"
        );
        let fault = Fault::new(
            FaultCode::Int(1),
            "Traceback (most recent call last):\n  File \"x\"\nAttributeError: The method 'a.b' does not exist\n".into(),
            "a",
            "b",
        );
        assert_eq!(
            fault.message,
            "AttributeError: The method 'a.b' does not exist"
        );
        assert_eq!(fault.kind, FaultKind::Server);
    }

    #[test]
    fn transient_classification() {
        let http = |status| OdooError::Http {
            endpoint: "e".into(),
            status,
            retry_after: None,
        };
        for status in [429, 502, 503, 504] {
            assert!(http(status).is_transient(), "{status}");
        }
        for status in [400, 401, 403, 404, 500] {
            assert!(!http(status).is_transient(), "{status}");
        }
        assert!(OdooError::Timeout {
            endpoint: "e".into(),
            timeout: Duration::from_secs(1)
        }
        .is_transient());
        assert!(!OdooError::AuthenticationFailed {
            database: "d".into(),
            login: "l".into()
        }
        .is_transient());
    }

    #[test]
    fn redaction() {
        assert_eq!(redact("pw=abc abc", "abc"), "pw=[REDACTED] [REDACTED]");
        assert_eq!(redact("text", ""), "text");
    }
}
