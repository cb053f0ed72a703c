//! How the client talks to registries: [`RegistryOptions`], and which
//! registries are loopback (reached over plain HTTP when allowed).

use std::net::IpAddr;
use std::time::Duration;

/// How the client talks to registries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryOptions {
    /// Use plain HTTP for loopback registries (`127.0.0.0/8`, `localhost`, `[::1]`).
    /// Every other registry is always reached over HTTPS.
    pub allow_loopback_http: bool,
    /// Time allowed for opening a connection.
    pub connect_timeout: Duration,
    /// Time allowed between two reads of a response.
    pub read_timeout: Duration,
    /// Largest manifest accepted, in bytes (ECR's own limit is 4 MiB).
    pub max_manifest_bytes: usize,
    /// Largest image config read into memory to check an image's architecture.
    pub max_config_bytes: usize,
    /// How many blobs of one image are copied at the same time.
    pub blob_concurrency: usize,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        Self {
            allow_loopback_http: true,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(60),
            max_manifest_bytes: 4 * 1024 * 1024,
            max_config_bytes: 8 * 1024 * 1024,
            blob_concurrency: 4,
        }
    }
}

/// Whether `registry` (`host` or `host:port`) is a loopback address.
///
/// ```
/// use cloud_cron_image_copier::registry::is_loopback_registry;
/// assert!(is_loopback_registry("127.0.0.1:5000"));
/// assert!(is_loopback_registry("localhost:5000"));
/// assert!(is_loopback_registry("[::1]:5000"));
/// assert!(!is_loopback_registry("123456789012.dkr.ecr.us-east-1.amazonaws.com"));
/// ```
pub fn is_loopback_registry(registry: &str) -> bool {
    let host = registry_host(registry);
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The host part of `host`, `host:port`, `[v6]` or `[v6]:port`.
fn registry_host(registry: &str) -> &str {
    if let Some(rest) = registry.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match registry.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => registry,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_detection() {
        assert!(is_loopback_registry("127.0.0.1"));
        assert!(is_loopback_registry("127.1.2.3:443"));
        assert!(is_loopback_registry("LOCALHOST"));
        assert!(is_loopback_registry("[::1]"));
        assert!(!is_loopback_registry("10.0.0.1:5000"));
        assert!(!is_loopback_registry("localhost.example.com"));
        assert!(!is_loopback_registry("public.ecr.aws"));
    }
}
