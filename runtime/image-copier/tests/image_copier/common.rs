//! Shared test helpers: the local registries' addresses, test images built from random
//! layers, and a tiny recording HTTP server (the stand-in for CloudFormation's presigned
//! ResponseURL, and for a registry with ECR's manifest-PUT quirk).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use cloud_cron_image_copier::registry::sha256_digest;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::{Client, Reference};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

// ---------------------------------------------------------------------------
// Local registries (started by scripts/oci-registries)
// ---------------------------------------------------------------------------

/// `127.0.0.1:<port>` of registry `A` or `B`.
pub fn registry(name: &str) -> String {
    let var = format!("CLOUDCRON_REGISTRY_{name}");
    std::env::var(&var).unwrap_or_else(|_| {
        panic!("{var} is not set: run the registry tests with scripts/oci-registries (or the project's scripts/test)")
    })
}

/// A registry-related path exported by scripts/oci-registries (`LOG` or `ROOT`).
pub fn registry_path(name: &str, what: &str) -> std::path::PathBuf {
    let var = format!("CLOUDCRON_REGISTRY_{name}_{what}");
    std::env::var(&var)
        .unwrap_or_else(|_| {
            panic!("{var} is not set: run the registry tests with scripts/oci-registries")
        })
        .into()
}

/// The AWS configuration of the moto server scripts/test starts
/// (`CLOUDCRON_MOTO_ENDPOINT`), in us-east-1 with test credentials.
pub async fn moto_config() -> aws_config::SdkConfig {
    let endpoint = std::env::var("CLOUDCRON_MOTO_ENDPOINT").expect(
        "CLOUDCRON_MOTO_ENDPOINT is not set: run this test with the project's scripts/test",
    );
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_ecr::config::Credentials::new(
            "testing", "testing", None, None, "moto",
        ))
        .load()
        .await
}

/// A repository name no other test uses.
pub fn unique_repo(prefix: &str) -> String {
    format!("{prefix}-{:016x}", fastrand::u64(..))
}

/// An address on which nothing listens.
pub fn closed_port_addr() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    addr.to_string()
}

/// A plain oci-client for pushing test content to loopback registries.
pub fn push_client() -> Client {
    Client::new(ClientConfig {
        protocol: ClientProtocol::Http,
        platform_resolver: None,
        ..ClientConfig::default()
    })
}

/// Access-log lines of registry `name` that are blob upload requests for `repo`.
pub fn upload_requests(name: &str, repo: &str) -> Vec<String> {
    let log = std::fs::read_to_string(registry_path(name, "LOG")).expect("read registry log");
    let needle = format!("/v2/{repo}/blobs/uploads");
    log.lines()
        .filter(|l| l.contains('"') && l.contains(&needle))
        .filter(|l| l.contains("\"POST ") || l.contains("\"PUT ") || l.contains("\"PATCH "))
        .map(str::to_owned)
        .collect()
}

// ---------------------------------------------------------------------------
// Test images
// ---------------------------------------------------------------------------

/// A minimal POSIX tar archive holding one file.
pub fn tar_with_file(name: &str, content: &[u8]) -> Vec<u8> {
    let mut header = [0u8; 512];
    header[..name.len()].copy_from_slice(name.as_bytes());
    header[100..108].copy_from_slice(b"0000644\0");
    header[108..116].copy_from_slice(b"0000000\0");
    header[116..124].copy_from_slice(b"0000000\0");
    header[124..136].copy_from_slice(format!("{:011o}\0", content.len()).as_bytes());
    header[136..148].copy_from_slice(b"00000000000\0");
    header[148..156].copy_from_slice(b"        ");
    header[156] = b'0';
    header[257..263].copy_from_slice(b"ustar\0");
    header[263..265].copy_from_slice(b"00");
    let checksum: u32 = header.iter().map(|&b| u32::from(b)).sum();
    header[148..156].copy_from_slice(format!("{checksum:06o}\0 ").as_bytes());
    let mut out = header.to_vec();
    out.extend_from_slice(content);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out.extend_from_slice(&[0u8; 1024]);
    out
}

/// A layer tarball with one file of `size` random bytes.
pub fn random_layer(size: usize) -> Bytes {
    let mut content = vec![0u8; size];
    fastrand::fill(&mut content);
    Bytes::from(tar_with_file(
        &format!("file-{:08x}.bin", fastrand::u32(..)),
        &content,
    ))
}

/// A blob with its digest.
#[derive(Clone, Debug)]
pub struct Blob {
    pub digest: String,
    pub data: Bytes,
    pub media_type: String,
}

impl Blob {
    pub fn new(data: Bytes, media_type: &str) -> Self {
        Self {
            digest: sha256_digest(&data),
            data,
            media_type: media_type.to_owned(),
        }
    }

    pub fn descriptor(&self) -> serde_json::Value {
        json!({"mediaType": self.media_type, "digest": self.digest, "size": self.data.len()})
    }
}

/// A single-platform OCI image: config + layers + manifest.
#[derive(Clone, Debug)]
pub struct TestImage {
    pub architecture: String,
    pub config: Blob,
    pub layers: Vec<Blob>,
    pub manifest: Bytes,
    pub digest: String,
}

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";

impl TestImage {
    /// An image of `architecture` with the given layer tarballs.
    pub fn new(architecture: &str, layers: Vec<Bytes>) -> Self {
        let layers: Vec<Blob> = layers
            .into_iter()
            .map(|l| Blob::new(l, OCI_LAYER))
            .collect();
        let config = json!({
            "architecture": architecture,
            "os": "linux",
            "config": {"Entrypoint": ["/bootstrap"]},
            "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| l.digest.clone()).collect::<Vec<_>>()},
            "history": [{"created_by": "cloud-cron image-copier test"}],
        });
        let config = Blob::new(
            Bytes::from(serde_json::to_vec(&config).expect("json")),
            OCI_CONFIG,
        );
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": config.descriptor(),
            "layers": layers.iter().map(Blob::descriptor).collect::<Vec<_>>(),
        });
        let manifest = Bytes::from(serde_json::to_vec_pretty(&manifest).expect("json"));
        Self {
            architecture: architecture.to_owned(),
            digest: sha256_digest(&manifest),
            config,
            layers,
            manifest,
        }
    }

    /// An image of `architecture` with `count` random layers of a few KiB each.
    pub fn random(architecture: &str, count: usize) -> Self {
        Self::new(
            architecture,
            (0..count).map(|i| random_layer(2048 + 1500 * i)).collect(),
        )
    }

    /// Config and layers.
    pub fn blobs(&self) -> Vec<&Blob> {
        std::iter::once(&self.config).chain(&self.layers).collect()
    }

    /// Pushes blobs and manifest to `registry/repo`, by digest and, if given, `tag`.
    pub async fn push(&self, client: &Client, registry: &str, repo: &str, tag: Option<&str>) {
        let repo_ref = Reference::with_tag(registry.into(), repo.into(), "unused".into());
        for blob in self.blobs() {
            client
                .push_blob(&repo_ref, blob.data.clone(), &blob.digest)
                .await
                .expect("push blob");
        }
        push_manifest(
            client,
            registry,
            repo,
            &self.manifest,
            OCI_MANIFEST,
            &self.digest,
            tag,
        )
        .await;
    }
}

/// An OCI image index over `images` (each with its architecture), plus extra raw entries.
#[derive(Clone, Debug)]
pub struct TestIndex {
    pub images: Vec<TestImage>,
    pub manifest: Bytes,
    pub digest: String,
}

impl TestIndex {
    pub fn new(images: Vec<TestImage>, extra_entries: Vec<serde_json::Value>) -> Self {
        let mut entries: Vec<serde_json::Value> = images
            .iter()
            .map(|image| {
                json!({
                    "mediaType": OCI_MANIFEST,
                    "digest": image.digest,
                    "size": image.manifest.len(),
                    "platform": {"architecture": image.architecture, "os": "linux"},
                })
            })
            .collect();
        entries.extend(extra_entries);
        let manifest = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries});
        let manifest = Bytes::from(serde_json::to_vec_pretty(&manifest).expect("json"));
        Self {
            digest: sha256_digest(&manifest),
            images,
            manifest,
        }
    }

    /// Pushes every image by digest, then the index by digest and `tag`.
    pub async fn push(&self, client: &Client, registry: &str, repo: &str, tag: Option<&str>) {
        for image in &self.images {
            image.push(client, registry, repo, None).await;
        }
        push_manifest(
            client,
            registry,
            repo,
            &self.manifest,
            OCI_INDEX,
            &self.digest,
            tag,
        )
        .await;
    }
}

pub async fn push_manifest(
    client: &Client,
    registry: &str,
    repo: &str,
    manifest: &Bytes,
    media_type: &str,
    digest: &str,
    tag: Option<&str>,
) {
    let by_digest = Reference::with_digest(registry.into(), repo.into(), digest.into());
    let content_type = media_type.parse().expect("header");
    client
        .push_manifest_raw(&by_digest, manifest.clone(), content_type)
        .await
        .expect("push manifest by digest");
    if let Some(tag) = tag {
        let by_tag = Reference::with_tag(registry.into(), repo.into(), tag.into());
        client
            .push_manifest_raw(
                &by_tag,
                manifest.clone(),
                media_type.parse().expect("header"),
            )
            .await
            .expect("push manifest by tag");
    }
}

/// The raw manifest and its digest at `registry/repo` by tag or digest (`reference`).
pub async fn fetch_raw(
    client: &Client,
    registry: &str,
    repo: &str,
    reference: &str,
) -> (Bytes, String) {
    let r: Reference = format!(
        "{registry}/{repo}{}{reference}",
        if reference.starts_with("sha256:") {
            "@"
        } else {
            ":"
        }
    )
    .parse()
    .expect("reference");
    client
        .pull_manifest_raw(
            &r,
            &oci_client::secrets::RegistryAuth::Anonymous,
            &[OCI_MANIFEST, OCI_INDEX],
        )
        .await
        .expect("pull manifest")
}

/// Downloads blob `digest` from `registry/repo`.
pub async fn fetch_blob(client: &Client, registry: &str, repo: &str, digest: &str) -> Vec<u8> {
    let r = Reference::with_tag(registry.into(), repo.into(), "unused".into());
    let mut out = Vec::new();
    client
        .pull_blob(&r, digest, &mut out)
        .await
        .expect("pull blob");
    out
}

// ---------------------------------------------------------------------------
// A recording HTTP/1.1 server
// ---------------------------------------------------------------------------

/// One request the server received.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

/// What the server answers.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn status(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

type Responder = Arc<dyn Fn(&Recorded, usize) -> Reply + Send + Sync>;

/// A loopback HTTP server that records every request and answers with `responder`
/// (given the request and its 0-based index). Content-Length bodies only.
pub struct RecordingServer {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    task: tokio::task::JoinHandle<()>,
}

impl RecordingServer {
    pub async fn start(
        responder: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let responder: Responder = Arc::new(responder);
        let recorded = Arc::clone(&requests);
        let task = tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let recorded = Arc::clone(&recorded);
                let responder = Arc::clone(&responder);
                tokio::spawn(serve_connection(socket, recorded, responder));
            }
        });
        Self {
            addr,
            requests,
            task,
        }
    }

    /// A server that answers every request with 200 OK.
    pub async fn ok() -> Self {
        Self::start(|_, _| Reply::status(200)).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().expect("lock").clone()
    }

    /// The requests, after giving stray ones time to arrive.
    pub async fn settled_requests(&self) -> Vec<Recorded> {
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.requests()
    }
}

impl Drop for RecordingServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn serve_connection(
    mut socket: tokio::net::TcpStream,
    recorded: Arc<Mutex<Vec<Recorded>>>,
    responder: Responder,
) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    Box::pin(async move {
        let mut buffer = Vec::new();
        loop {
            let header_end = loop {
                if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                    break i + 4;
                }
                let mut chunk = [0u8; 4096];
                match socket.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                }
            };
            let head = String::from_utf8_lossy(&buffer[..header_end]).to_string();
            let mut lines = head.split("\r\n");
            let mut request_line = lines.next().unwrap_or_default().split(' ');
            let method = request_line.next().unwrap_or_default().to_owned();
            let path = request_line.next().unwrap_or_default().to_owned();
            let headers: BTreeMap<String, String> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                .collect();
            let length: usize = headers
                .get("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            while buffer.len() < header_end + length {
                let mut chunk = [0u8; 4096];
                match socket.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                }
            }
            let body = buffer[header_end..header_end + length].to_vec();
            buffer.drain(..header_end + length);
            let request = Recorded {
                method,
                path,
                headers,
                body,
            };
            let index = {
                let mut all = recorded.lock().expect("lock");
                all.push(request.clone());
                all.len() - 1
            };
            let reply = responder(&request, index);
            let mut out = format!(
                "HTTP/1.1 {} X\r\ncontent-length: {}\r\n",
                reply.status,
                reply.body.len()
            );
            for (name, value) in &reply.headers {
                out.push_str(&format!("{name}: {value}\r\n"));
            }
            out.push_str("\r\n");
            let mut bytes = out.into_bytes();
            bytes.extend_from_slice(&reply.body);
            if socket.write_all(&bytes).await.is_err() {
                return;
            }
        }
    })
}
