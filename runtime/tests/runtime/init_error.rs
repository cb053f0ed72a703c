//! A failed cold start is posted to the Runtime API's init error endpoint,
//! exactly as Lambda expects it: checked against a local HTTP server standing
//! in for the Runtime API.

use cloud_cron_runtime::init_error::{report_init_error_to, InitErrorReportError};
use cloud_cron_runtime::{Environment, Runtime, Task, TaskError};
use lambda_runtime::Diagnostic;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::support;

/// One request as the server read it.
#[derive(Debug)]
struct Request {
    /// `POST /path HTTP/1.1`.
    request_line: String,
    /// Header names lower-cased, in order.
    headers: Vec<(String, String)>,
    body: String,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Serves one request on 127.0.0.1, answers it with `status`, and returns
/// the server's address and what it received.
async fn runtime_api(status: &'static str) -> (String, tokio::task::JoinHandle<Request>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("accept");
        let mut received = Vec::new();
        let mut buffer = [0_u8; 4096];
        let head_end = loop {
            let read = stream.read(&mut buffer).await.expect("read");
            assert!(read > 0, "connection closed before the request ended");
            received.extend_from_slice(&buffer[..read]);
            if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
                break end;
            }
        };
        let head = String::from_utf8(received[..head_end].to_vec()).expect("UTF-8 head");
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap_or_default().to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .expect("a content-length");
        let mut body = received[head_end + 4..].to_vec();
        while body.len() < length {
            let read = stream.read(&mut buffer).await.expect("read body");
            assert!(read > 0, "connection closed inside the body");
            body.extend_from_slice(&buffer[..read]);
        }
        let reply = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: 16\r\nconnection: close\r\n\r\n{{\"status\":\"OK\"}}"
        );
        stream.write_all(reply.as_bytes()).await.expect("reply");
        stream.shutdown().await.ok();
        Request {
            request_line,
            headers,
            body: String::from_utf8(body).expect("UTF-8 body"),
        }
    });
    (address, server)
}

struct NeedsATopic;

impl Task for NeedsATopic {
    const NAME: &'static str = "needs-a-topic";
    const TOPICS: &'static [&'static str] = &["alerts"];

    async fn run(&self, _ctx: cloud_cron_runtime::RunContext) -> Result<(), TaskError> {
        Ok(())
    }
}

#[tokio::test]
async fn a_configuration_error_is_posted_to_the_init_error_endpoint() {
    let sdk = support::sdk_config("http://127.0.0.1:9").await;
    let error = Runtime::new(NeedsATopic, &sdk, &Environment::default())
        .err()
        .expect("the topic variable is missing");
    let diagnostic = Diagnostic::from(error);
    let (address, server) = runtime_api("202 Accepted").await;

    report_init_error_to(&address, &diagnostic)
        .await
        .expect("reported");

    let request = server.await.expect("the server saw one request");
    assert_eq!(
        request.request_line,
        "POST /2018-06-01/runtime/init/error HTTP/1.1"
    );
    assert_eq!(
        request.header("lambda-runtime-function-error-type"),
        Some("cloud_cron::TaskConfig")
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("host"), Some(address.as_str()));
    let body: serde_json::Value = serde_json::from_str(&request.body).expect("JSON body");
    assert_eq!(
        body,
        serde_json::json!({
            "errorType": "cloud_cron::TaskConfig",
            "errorMessage": "the task declares topic `alerts` but SNS_TOPIC_ARN_ALERTS is not set; \
                give the function the topic with ScheduledLambda::publishes_to(\"alerts\", &topic), \
                or set SNS_TOPIC_ARN_ALERTS to the topic's ARN",
        })
    );
}

#[tokio::test]
async fn a_refused_report_says_so() {
    let diagnostic = Diagnostic {
        error_type: "cloud_cron::NotifierConfig".into(),
        error_message: "environment variable CLOUDCRON_CHANNEL is not set".into(),
    };
    let (address, server) = runtime_api("500 Internal Server Error").await;
    let error = report_init_error_to(&address, &diagnostic)
        .await
        .expect_err("refused");
    assert!(
        matches!(error, InitErrorReportError::Refused { status: 500, .. }),
        "{error}"
    );
    let request = server.await.expect("one request");
    assert_eq!(
        request.header("lambda-runtime-function-error-type"),
        Some("cloud_cron::NotifierConfig")
    );
}

#[tokio::test]
async fn an_unreachable_runtime_api_is_an_error_not_a_hang() {
    // Bind, then close: nothing listens on the port.
    let address = {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        listener.local_addr().expect("address").to_string()
    };
    let diagnostic = Diagnostic {
        error_type: "cloud_cron::TaskConfig".into(),
        error_message: "x".into(),
    };
    let error = report_init_error_to(&address, &diagnostic)
        .await
        .expect_err("nobody listens");
    assert!(
        matches!(error, InitErrorReportError::Unreachable { .. }),
        "{error}"
    );
    let error = report_init_error_to("not a host:port", &diagnostic)
        .await
        .expect_err("not an address");
    assert!(matches!(error, InitErrorReportError::Request(_)), "{error}");
}
