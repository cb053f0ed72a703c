//! Shared by the test modules: API Gateway v2 events in the documented
//! format, an in-memory queue, log capture, and moto's SDK configuration.

#![allow(dead_code)] // each module uses a different part

use std::sync::{Arc, Mutex};

use aws_config::SdkConfig;
use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use base64::Engine;
use cloud_cron_webhook::{Queue, QueueError, QueueMessage};
use lambda_runtime::tracing::subscriber;

/// Now, for every test that fixes the clock.
pub const NOW: i64 = 1_764_750_000;

/// An HTTP API payload 2.0 event as the API Gateway documentation shows it,
/// with this path, headers and body (base64-encoded when `base64`).
pub fn event(
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    base64: bool,
) -> ApiGatewayV2httpRequest {
    let mut header_map = serde_json::Map::new();
    header_map.insert("content-type".into(), "application/json".into());
    header_map.insert("user-agent".into(), "Provider-Hookshot/1.0".into());
    for (name, value) in headers {
        header_map.insert(name.to_ascii_lowercase(), (*value).into());
    }
    let body = if base64 {
        base64::engine::general_purpose::STANDARD.encode(body)
    } else {
        String::from_utf8(body.to_vec()).expect("a text body")
    };
    let json = serde_json::json!({
        "version": "2.0",
        "routeKey": format!("POST {path}"),
        "rawPath": path,
        "rawQueryString": "",
        "cookies": [],
        "headers": header_map,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api-id",
            "domainName": "id.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "id",
            "http": {
                "method": "POST",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
                "userAgent": "Provider-Hookshot/1.0"
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": format!("POST {path}"),
            "stage": "$default",
            "time": "03/Dec/2025:08:20:00 +0000",
            "timeEpoch": 1_764_750_000_000_i64
        },
        "body": body,
        "isBase64Encoded": base64
    });
    serde_json::from_value(json).expect("an API Gateway v2 event")
}

/// A queue that records what it is sent, or fails every send.
#[derive(Clone, Default)]
pub struct Recorder {
    pub fifo: bool,
    pub fail: bool,
    pub sent: Arc<Mutex<Vec<QueueMessage>>>,
}

impl Recorder {
    pub fn sent(&self) -> Vec<QueueMessage> {
        self.sent.lock().expect("lock").clone()
    }
}

impl Queue for Recorder {
    fn is_fifo(&self) -> bool {
        self.fifo
    }

    async fn send(&self, message: QueueMessage) -> Result<String, QueueError> {
        if self.fail {
            return Err(QueueError {
                queue: "https://sqs.us-east-1.amazonaws.com/123456789012/work".into(),
                message: "dispatch failure: connection refused".into(),
            });
        }
        let mut sent = self.sent.lock().expect("lock");
        sent.push(message);
        Ok(format!("m-{}", sent.len()))
    }
}

/// Log output captured as the receiver binary writes it (JSON lines).
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    /// Captures this thread's logs (every level of this crate, INFO and up of
    /// the rest) until the guard drops.
    pub fn capture() -> (Logs, tracing::subscriber::DefaultGuard) {
        let logs = Logs::default();
        let collector = subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_env_filter(subscriber::EnvFilter::new("info,cloud_cron_webhook=trace"))
            .with_writer(logs.clone())
            .finish();
        let guard = tracing::subscriber::set_default(collector);
        (logs, guard)
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("lock").clone()).expect("utf-8 logs")
    }

    /// Every line, parsed (each must be JSON).
    pub fn lines(&self) -> Vec<serde_json::Value> {
        self.text()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
            .collect()
    }

    /// Panics when any of `needles` is in the logs.
    pub fn assert_free_of(&self, needles: &[&str]) {
        let text = self.text();
        assert!(!text.is_empty(), "nothing was logged");
        for needle in needles {
            assert!(
                !text.contains(needle),
                "the logs contain `{needle}`:\n{text}"
            );
        }
    }
}

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = Logs;

    fn make_writer(&'a self) -> Logs {
        self.clone()
    }
}

pub use cloud_cron_test_support::moto_endpoint;

/// SDK configuration for `endpoint` in us-east-1 with moto's dummy
/// credentials, trying each call `attempts` times.
pub async fn sdk_config(endpoint: &str, attempts: u32) -> SdkConfig {
    cloud_cron_test_support::sdk_config_loader(endpoint)
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(attempts))
        .load()
        .await
}

/// A name no other test run uses.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{prefix}-{}-{nanos}", std::process::id())
}
