//! HTTP for the RPC calls: one POST, the client's timeouts, and the mapping of transport
//! failures and HTTP error statuses onto [`OdooError`] (never with a body that could echo the
//! request, and with the password redacted from anything the server said).

use std::time::Duration;

use reqwest::header::{HeaderValue, CONTENT_TYPE, RETRY_AFTER};

use crate::error::OdooError;

/// A reqwest client with the configured timeouts.
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    http: reqwest::Client,
    request_timeout: Duration,
}

impl Transport {
    pub(crate) fn new(
        connect_timeout: Duration,
        request_timeout: Duration,
    ) -> Result<Self, OdooError> {
        let http = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            .timeout(request_timeout)
            .user_agent(concat!("cloud-cron-odoo/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| OdooError::Config(format!("cannot build the HTTP client: {error}")))?;
        Ok(Transport {
            http,
            request_timeout,
        })
    }

    /// POSTs `body` and returns the answer's text when the status is 2xx.
    pub(crate) async fn post(
        &self,
        endpoint: &reqwest::Url,
        content_type: &'static str,
        body: String,
    ) -> Result<String, OdooError> {
        let response = self
            .http
            .post(endpoint.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static(content_type))
            .body(body)
            .send()
            .await
            .map_err(|error| self.transport_error(endpoint, &error))?;
        let status = response.status();
        if !status.is_success() {
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            return Err(OdooError::Http {
                endpoint: endpoint.to_string(),
                status: status.as_u16(),
                retry_after,
            });
        }
        response
            .text()
            .await
            .map_err(|error| self.transport_error(endpoint, &error))
    }

    fn transport_error(&self, endpoint: &reqwest::Url, error: &reqwest::Error) -> OdooError {
        if error.is_timeout() {
            return OdooError::Timeout {
                endpoint: endpoint.to_string(),
                timeout: self.request_timeout,
            };
        }
        // reqwest's Display is "error sending request for url (...)"; the cause chain says why.
        let mut reason = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            reason.push_str(": ");
            reason.push_str(&cause.to_string());
            source = cause.source();
        }
        OdooError::Connect {
            endpoint: endpoint.to_string(),
            reason,
        }
    }
}
