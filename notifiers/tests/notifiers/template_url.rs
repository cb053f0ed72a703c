//! URL sources against a real HTTP/1.1 server on 127.0.0.1 started by each test.

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cloud_cron_notifiers::template_source::{TemplateError, TemplateLoader, TemplateSource};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TEMPLATE: &str = "Hello {{ name }}! ✓";

/// A tiny HTTP/1.1 server: one request per connection, routes by path, counts hits.
struct TestServer {
    addr: SocketAddr,
    hits: Arc<Mutex<HashMap<String, usize>>>,
}

impl TestServer {
    async fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let hits = Arc::new(Mutex::new(HashMap::new()));
        let counter = Arc::clone(&hits);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(serve(stream, Arc::clone(&counter)));
            }
        });
        TestServer { addr, hits }
    }

    fn source(&self, path_and_query: &str) -> TemplateSource {
        format!("http://{}{path_and_query}", self.addr)
            .parse()
            .expect("a valid loopback URL")
    }

    fn hits(&self, path: &str) -> usize {
        self.hits
            .lock()
            .expect("hit counter")
            .get(path)
            .copied()
            .unwrap_or(0)
    }
}

async fn serve(mut stream: TcpStream, hits: Arc<Mutex<HashMap<String, usize>>>) {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&request);
    let target = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let path = target.split('?').next().unwrap_or("/").to_owned();
    let count = {
        let mut hits = hits.lock().expect("hit counter");
        let n = hits.entry(path.clone()).or_insert(0);
        *n += 1;
        *n
    };

    let respond = |status: &str, headers: &str, body: &[u8]| {
        let mut out = format!(
            "HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: {}\r\n{headers}\r\n",
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(body);
        out
    };
    let response = match path.as_str() {
        "/template" => respond(
            "200 OK",
            "Content-Type: text/plain\r\n",
            TEMPLATE.as_bytes(),
        ),
        "/delayed" => {
            tokio::time::sleep(Duration::from_millis(200)).await;
            respond("200 OK", "", TEMPLATE.as_bytes())
        }
        "/missing" => respond("404 Not Found", "", b"no such template"),
        "/broken" => respond("500 Internal Server Error", "", b"oops"),
        "/forbidden" => respond("403 Forbidden", "", b"expired"),
        "/throttled" => respond("429 Too Many Requests", "", b"slow down"),
        "/flaky" if count == 1 => respond("503 Service Unavailable", "", b"later"),
        "/flaky" => respond("200 OK", "", TEMPLATE.as_bytes()),
        "/big" => respond("200 OK", "", &[b'x'; 2000]),
        "/big-chunked" => {
            let mut out =
                b"HTTP/1.1 200 OK\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .to_vec();
            for _ in 0..4 {
                out.extend_from_slice(b"1f4\r\n");
                out.extend_from_slice(&[b'y'; 500]);
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b"0\r\n\r\n");
            out
        }
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            respond("200 OK", "", TEMPLATE.as_bytes())
        }
        "/slow-body" => {
            let head = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 100\r\n\r\nstart";
            let _ = stream.write_all(head).await;
            let _ = stream.flush().await;
            tokio::time::sleep(Duration::from_secs(3)).await;
            return;
        }
        "/latin1" => respond("200 OK", "", b"caf\xe9"),
        "/redirect" => respond("302 Found", "Location: /template\r\n", b""),
        "/loop" => respond("302 Found", "Location: /loop\r\n", b""),
        "/to-plain-http" => respond("302 Found", "Location: http://example.com/t.j2\r\n", b""),
        "/no-location" => respond("302 Found", "", b""),
        _ => respond("400 Bad Request", "", b"unknown path"),
    };
    let _ = stream.write_all(&response).await;
    let _ = stream.shutdown().await;
}

/// A loader that never touches AWS (URL sources only need the HTTP client).
async fn loader() -> TemplateLoader {
    let config = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .build();
    TemplateLoader::from_sdk_config(&config)
}

#[tokio::test]
async fn ok_response_is_loaded_once_then_served_from_cache() {
    let server = TestServer::start().await;
    let loader = loader().await;
    let source = server.source("/template");

    let first = loader.load(&source).await.unwrap();
    assert_eq!(&*first, TEMPLATE);
    let second = loader.load(&source).await.unwrap();
    assert_eq!(&*second, TEMPLATE);
    assert!(Arc::ptr_eq(&first, &second), "the cached text is shared");
    assert_eq!(
        server.hits("/template"),
        1,
        "the second load came from the cache"
    );

    // A different loader has its own cache.
    let other = TemplateLoader::from_sdk_config(&aws_config::SdkConfig::builder().build());
    other.load(&source).await.unwrap();
    assert_eq!(server.hits("/template"), 2);
}

#[tokio::test]
async fn concurrent_first_loads_share_one_request() {
    let server = TestServer::start().await;
    let loader = loader().await;
    let source = server.source("/delayed");
    let (a, b, c, d) = tokio::join!(
        loader.load(&source),
        loader.load(&source),
        loader.load(&source),
        loader.load(&source),
    );
    for text in [a, b, c, d] {
        assert_eq!(&*text.unwrap(), TEMPLATE);
    }
    assert_eq!(server.hits("/delayed"), 1);
}

#[tokio::test]
async fn not_found_is_permanent_and_names_status_and_url() {
    let server = TestServer::start().await;
    let loader = loader().await;
    let err = loader.load(&server.source("/missing")).await.unwrap_err();
    assert!(
        matches!(err, TemplateError::HttpStatus { status: 404, .. }),
        "{err:?}"
    );
    assert!(!err.is_transient());
    let text = err.to_string();
    assert!(text.contains("HTTP 404"), "{text}");
    assert!(
        text.contains(&format!("http://{}/missing", server.addr)),
        "{text}"
    );
    assert!(text.contains("fix the URL"), "{text}");

    let err = loader.load(&server.source("/forbidden")).await.unwrap_err();
    assert!(matches!(err, TemplateError::HttpStatus { status: 403, .. }));
    assert!(!err.is_transient());
    assert!(err.to_string().contains("presigned URL may have expired"));
}

#[tokio::test]
async fn server_errors_and_throttling_are_transient() {
    let server = TestServer::start().await;
    let loader = loader().await;
    let err = loader.load(&server.source("/broken")).await.unwrap_err();
    assert!(
        matches!(err, TemplateError::HttpStatus { status: 500, .. }),
        "{err:?}"
    );
    assert!(err.is_transient());
    assert!(err.to_string().contains("HTTP 500"), "{err}");

    let err = loader.load(&server.source("/throttled")).await.unwrap_err();
    assert!(
        matches!(err, TemplateError::HttpStatus { status: 429, .. }),
        "{err:?}"
    );
    assert!(err.is_transient());
}

#[tokio::test]
async fn failures_are_not_cached() {
    let server = TestServer::start().await;
    let loader = loader().await;
    let source = server.source("/flaky");
    let err = loader.load(&source).await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert_eq!(&*loader.load(&source).await.unwrap(), TEMPLATE);
    assert_eq!(&*loader.load(&source).await.unwrap(), TEMPLATE);
    assert_eq!(
        server.hits("/flaky"),
        2,
        "one failure, one success, then the cache"
    );
}

#[tokio::test]
async fn body_over_the_size_limit_is_refused() {
    let server = TestServer::start().await;
    let loader = loader().await.with_limits(Duration::from_secs(5), 1000);

    // Announced by Content-Length.
    let err = loader.load(&server.source("/big")).await.unwrap_err();
    assert!(
        matches!(
            err,
            TemplateError::TooLarge {
                limit: 1000,
                size: Some(2000),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.is_transient());
    let text = err.to_string();
    assert!(
        text.contains("2000 bytes") && text.contains("1000-byte limit"),
        "{text}"
    );

    // Chunked, no Content-Length: stopped while reading.
    let err = loader
        .load(&server.source("/big-chunked"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            TemplateError::TooLarge {
                limit: 1000,
                size: None,
                ..
            }
        ),
        "{err:?}"
    );

    // The default limit is far above both.
    let roomy = self::loader().await;
    assert_eq!(
        roomy.load(&server.source("/big")).await.unwrap().len(),
        2000
    );
    assert_eq!(
        roomy
            .load(&server.source("/big-chunked"))
            .await
            .unwrap()
            .len(),
        2000
    );
}

#[tokio::test]
async fn slow_server_times_out_as_transient() {
    let server = TestServer::start().await;
    let loader = loader().await.with_limits(
        Duration::from_millis(300),
        TemplateLoader::DEFAULT_MAX_BYTES,
    );
    for path in ["/slow", "/slow-body"] {
        let started = Instant::now();
        let err = loader.load(&server.source(path)).await.unwrap_err();
        let elapsed = started.elapsed();
        assert!(
            matches!(err, TemplateError::Timeout { timeout, .. } if timeout == Duration::from_millis(300)),
            "{path}: {err:?}"
        );
        assert!(err.is_transient());
        assert!(elapsed < Duration::from_secs(2), "{path}: took {elapsed:?}");
        assert!(err.to_string().contains("300ms"), "{err}");
    }
}

#[tokio::test]
async fn refused_connection_is_transient() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let loader = loader().await;
    let source: TemplateSource = format!("http://127.0.0.1:{port}/t.j2").parse().unwrap();
    let err = loader.load(&source).await.unwrap_err();
    assert!(matches!(err, TemplateError::Http { .. }), "{err:?}");
    assert!(err.is_transient(), "{err}");
}

#[tokio::test]
async fn redirects_are_followed_within_the_rules() {
    let server = TestServer::start().await;
    let loader = loader().await;
    assert_eq!(
        &*loader.load(&server.source("/redirect")).await.unwrap(),
        TEMPLATE
    );

    let err = loader.load(&server.source("/loop")).await.unwrap_err();
    assert!(matches!(err, TemplateError::Http { .. }), "{err:?}");
    assert!(!err.is_transient());
    assert!(err.to_string().contains("more than 5 redirects"), "{err}");
    assert_eq!(server.hits("/loop"), 6);

    let err = loader
        .load(&server.source("/to-plain-http"))
        .await
        .unwrap_err();
    assert!(!err.is_transient());
    let text = err.to_string();
    assert!(
        text.contains("http://example.com/t.j2") && text.contains("loopback"),
        "{text}"
    );

    let err = loader
        .load(&server.source("/no-location"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, TemplateError::HttpStatus { status: 302, .. }),
        "{err:?}"
    );
    assert!(!err.is_transient());
}

#[tokio::test]
async fn body_that_is_not_utf8_is_refused() {
    let server = TestServer::start().await;
    let err = loader()
        .await
        .load(&server.source("/latin1"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, TemplateError::NotUtf8 { valid_up_to: 3, .. }),
        "{err:?}"
    );
    assert!(!err.is_transient());
}

#[tokio::test]
async fn directly_built_sources_are_checked_too() {
    let loader = loader().await;
    let err = loader
        .load(&TemplateSource::Url {
            url: "http://example.com/t.j2".into(),
        })
        .await
        .unwrap_err();
    assert!(matches!(err, TemplateError::InvalidSpec { .. }), "{err:?}");
    assert!(!err.is_transient());
}

/// `MakeWriter` that appends everything to one buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One global subscriber for this test binary, capturing every test's logs
/// except the notifiers' and the runtime's own, other than the template
/// loader's. (A thread-local subscriber misses events when tests run in
/// parallel: tracing caches each call site's interest process-wide.) The
/// secrecy check below then covers the template loader in every test here,
/// and the libraries under it (HTTP, AWS SDK), without reading the
/// processor's logs of other tests, which carry rendered-message sizes but
/// are checked in `logs`.
fn captured_logs() -> Captured {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt;
    static LOGS: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(LevelFilter::DEBUG)
            .with_ansi(false)
            .finish()
            .with(
                Targets::new()
                    .with_default(LevelFilter::DEBUG)
                    .with_target("cloud_cron_notifiers", LevelFilter::OFF)
                    .with_target("cloud_cron_runtime", LevelFilter::OFF)
                    .with_target("cloud_cron_notifiers::template_source", LevelFilter::DEBUG),
            );
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
        logs
    })
    .clone()
}

#[tokio::test]
async fn query_strings_and_template_text_never_reach_logs_or_errors() {
    let logs = captured_logs();

    let server = TestServer::start().await;
    let loader = loader().await;
    let source = server.source("/template?X-Amz-Signature=SECRET-SIG");
    assert_eq!(
        source.to_string(),
        format!("http://{}/template?…", server.addr)
    );
    loader.load(&source).await.unwrap();
    loader.load(&source).await.unwrap();

    let err = loader
        .load(&server.source("/missing?X-Amz-Signature=SECRET-SIG"))
        .await
        .unwrap_err();
    let shown = format!("{err} / {err:?}");
    assert!(!shown.contains("SECRET"), "{shown}");
    assert!(shown.contains("/missing?…"), "{shown}");

    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("template loaded"), "{logs}");
    assert!(logs.contains("template served from cache"), "{logs}");
    assert!(
        logs.contains("kind=\"url\"") && logs.contains("host=\"127.0.0.1\""),
        "{logs}"
    );
    assert!(!logs.contains("SECRET"), "{logs}");
    assert!(!logs.contains("/template"), "{logs}");
    assert!(!logs.contains("Hello"), "{logs}");
}
