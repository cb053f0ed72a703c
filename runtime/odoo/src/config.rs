//! How to reach one Odoo database: URL, database, login, password, protocol and timeouts.

use std::time::Duration;

use secrecy::SecretString;

use crate::error::OdooError;

/// Which of Odoo's external APIs to speak. Non-exhaustive: Odoo 19's JSON-2 API may join.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Protocol {
    /// XML-RPC at `/xmlrpc/2/common` (`authenticate`) and `/xmlrpc/2/object` (`execute_kw`):
    /// Odoo 8 and later, the documented external API.
    #[default]
    XmlRpc2,
    /// Odoo 7's XML-RPC at `/xmlrpc/common` (`login`) and `/xmlrpc/object` (`execute`, which
    /// takes positional arguments only).
    XmlRpcLegacy,
    /// JSON-RPC at `/jsonrpc` (`{"jsonrpc": "2.0", "method": "call", "params": {...}}`), the
    /// same services over JSON.
    JsonRpc,
}

impl Protocol {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Protocol::XmlRpc2 => "xmlrpc2",
            Protocol::XmlRpcLegacy => "xmlrpc-legacy",
            Protocol::JsonRpc => "jsonrpc",
        }
    }
}

/// Connection settings for one Odoo database.
///
/// `Debug` shows the password as `[REDACTED]`.
#[derive(Clone, Debug)]
pub struct OdooConfig {
    pub(crate) url: reqwest::Url,
    pub(crate) database: String,
    pub(crate) login: String,
    pub(crate) password: SecretString,
    pub(crate) protocol: Protocol,
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
}

impl OdooConfig {
    /// Default TCP/TLS connect timeout.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
    /// Default timeout for a whole request, answer included.
    pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

    /// Settings for `url` (the server root, `https://erp.example.com`, or a path prefix when
    /// Odoo sits behind a proxy), with the default protocol ([`Protocol::XmlRpc2`]) and timeouts.
    ///
    /// The password may also be an Odoo API key. Fails when the URL is not `http(s)` or carries
    /// credentials (they belong in `password`, where they are never logged).
    pub fn new(
        url: &str,
        database: impl Into<String>,
        login: impl Into<String>,
        password: SecretString,
    ) -> Result<Self, OdooError> {
        let mut parsed = reqwest::Url::parse(url).map_err(|error| {
            OdooError::Config(format!(
                "the Odoo URL is not a valid absolute URL ({error}); use e.g. https://erp.example.com"
            ))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(OdooError::Config(format!(
                "the Odoo URL must use http or https, not {:?}",
                parsed.scheme()
            )));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(OdooError::Config(
                "the Odoo URL must not carry credentials; pass the login and password to OdooConfig::new".into(),
            ));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(OdooError::Config(
                "the Odoo URL must be the server root without a query or fragment, e.g. https://erp.example.com".into(),
            ));
        }
        // Endpoint paths are joined onto the root: make sure it ends with exactly one '/'.
        let path = parsed.path().trim_end_matches('/').to_owned();
        parsed.set_path(&format!("{path}/"));
        Ok(OdooConfig {
            url: parsed,
            database: database.into(),
            login: login.into(),
            password,
            protocol: Protocol::default(),
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            request_timeout: Self::DEFAULT_REQUEST_TIMEOUT,
        })
    }

    /// Speak `protocol` (default [`Protocol::XmlRpc2`]).
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Give up connecting after `timeout` (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Give up on a request, answer included, after `timeout` (default 120 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// The database name.
    pub fn database(&self) -> &str {
        &self.database
    }

    /// The login.
    pub fn login(&self) -> &str {
        &self.login
    }

    pub(crate) fn endpoint(&self, path: &str) -> Result<reqwest::Url, OdooError> {
        self.url.join(path).map_err(|error| {
            OdooError::Config(format!("cannot build the endpoint URL {path}: {error}"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> Result<OdooConfig, OdooError> {
        OdooConfig::new(url, "db", "admin", SecretString::from("hunter2-pass"))
    }

    #[test]
    fn endpoints_join_onto_the_root() -> Result<(), OdooError> {
        let root = config("https://erp.example.com")?;
        assert_eq!(
            root.endpoint("xmlrpc/2/object")?.as_str(),
            "https://erp.example.com/xmlrpc/2/object"
        );
        let prefixed = config("https://example.com/odoo/")?;
        assert_eq!(
            prefixed.endpoint("jsonrpc")?.as_str(),
            "https://example.com/odoo/jsonrpc"
        );
        Ok(())
    }

    #[test]
    fn rejects_unusable_urls_without_echoing_credentials() {
        for url in [
            "ftp://erp.example.com",
            "not a url",
            "https://erp.example.com/?db=x",
        ] {
            assert!(matches!(config(url), Err(OdooError::Config(_))), "{url}");
        }
        let error = config("https://admin:topsecret@erp.example.com")
            .err()
            .map(|e| format!("{e} {e:?}"));
        let error = error.unwrap_or_default();
        assert!(error.contains("must not carry credentials"), "{error}");
        assert!(!error.contains("topsecret"), "{error}");
    }

    #[test]
    fn debug_hides_the_password() -> Result<(), OdooError> {
        let shown = format!("{:?}", config("http://127.0.0.1:8069")?);
        assert!(!shown.contains("hunter2-pass"), "{shown}");
        assert!(shown.contains("REDACTED"), "{shown}");
        Ok(())
    }
}
