//! Owns recognising secrets in literal values: connection strings with a password,
//! provider tokens by their documented prefixes (AWS access key ids, Slack, Twilio,
//! GitHub, Stripe, PEM private keys), Slack webhook URLs, and high-entropy values under
//! secret-like names. [`find_secret`] says what a value looks like; [`describe`] renders
//! a value for an error message without ever echoing one that looks secret.
//!
//! Written by hand: the secret scanners on crates.io are whole-repository tools with
//! large rule sets; synth needs a few prefix rules over single values.

use std::fmt;

/// Words in a name that mark a secret (compared upper-case).
pub const SECRET_WORDS: &[&str] = &[
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "TOKEN",
    "PRIVATE_KEY",
    "API_KEY",
    "APIKEY",
    "CREDENTIAL",
];

/// What a secret-looking value appears to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// `scheme://user:password@host`.
    ConnectionString,
    /// `AKIA...`/`ASIA...` and 16 more characters.
    AwsAccessKeyId,
    /// `xoxb-`, `xoxp-`, ...
    SlackToken,
    /// `https://hooks.slack.com/services/...`.
    SlackWebhookUrl,
    /// `SK` + 32 hex digits (an API key SID, paired with its secret).
    TwilioApiKey,
    /// `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`.
    GitHubToken,
    /// `sk_live_`, `rk_live_`.
    StripeKey,
    /// `-----BEGIN ... PRIVATE KEY-----`.
    PrivateKey,
    /// A long random-looking value under a secret-like name.
    HighEntropy,
}

impl fmt::Display for SecretKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SecretKind::ConnectionString => "a connection string with a password",
            SecretKind::AwsAccessKeyId => "an AWS access key id",
            SecretKind::SlackToken => "a Slack token",
            SecretKind::SlackWebhookUrl => "a Slack webhook URL",
            SecretKind::TwilioApiKey => "a Twilio API key",
            SecretKind::GitHubToken => "a GitHub token",
            SecretKind::StripeKey => "a Stripe secret key",
            SecretKind::PrivateKey => "a PEM private key",
            SecretKind::HighEntropy => "a random secret value",
        })
    }
}

/// Whether `name` contains a word that marks a secret (`DB_PASSWORD`, `apiToken`).
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_WORDS.iter().any(|w| upper.contains(w))
}

/// Whether a value is a reference to a secret store rather than a secret: an SSM
/// parameter name (`/app/token`) or an ARN.
pub fn is_reference(value: &str) -> bool {
    value.starts_with('/') || value.starts_with("arn:")
}

/// What `value` looks like, if it looks like a secret. `name` (a variable, argument or
/// tag name; empty when there is none) lets long random values count under secret-like
/// names.
///
/// ```
/// use cfn_gen::validate::secrets::{find_secret, SecretKind};
///
/// assert_eq!(find_secret("DB_URL", "postgres://app:hunter2@db:5432/app"), Some(SecretKind::ConnectionString));
/// assert_eq!(find_secret("DB_URL", "postgres://db:5432/app"), None);
/// assert_eq!(find_secret("X", "AKIAIOSFODNN7EXAMPLE"), Some(SecretKind::AwsAccessKeyId));
/// assert_eq!(find_secret("TOKEN_PARAM", "/app/token"), None);
/// ```
pub fn find_secret(name: &str, value: &str) -> Option<SecretKind> {
    let v = value.trim();
    if v.contains("-----BEGIN") && v.contains("PRIVATE KEY") {
        return Some(SecretKind::PrivateKey);
    }
    if v.contains("hooks.slack.com/services/") || v.contains("hooks.slack.com/workflows/") {
        return Some(SecretKind::SlackWebhookUrl);
    }
    if has_password_in_url(v) {
        return Some(SecretKind::ConnectionString);
    }
    if tokens(v).any(is_aws_key_id) {
        return Some(SecretKind::AwsAccessKeyId);
    }
    if tokens(v).any(|t| {
        ["xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-"]
            .iter()
            .any(|p| t.starts_with(p) && t.len() > 15)
    }) {
        return Some(SecretKind::SlackToken);
    }
    if tokens(v).any(|t| {
        ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"]
            .iter()
            .any(|p| t.starts_with(p) && t.len() >= p.len() + 30)
    }) {
        return Some(SecretKind::GitHubToken);
    }
    if tokens(v).any(|t| {
        ["sk_live_", "rk_live_"]
            .iter()
            .any(|p| t.starts_with(p) && t.len() > p.len() + 10)
    }) {
        return Some(SecretKind::StripeKey);
    }
    // A Twilio API key SID alone is an identifier, but next to a 32-hex secret (`SK...:...`)
    // the pair authenticates.
    if let Some((sid, secret)) = v.split_once(':') {
        if sid.starts_with("SK") && is_hex(&sid[2..], 32) && is_hex(secret, 32) {
            return Some(SecretKind::TwilioApiKey);
        }
    }
    if is_secret_name(name) && !is_reference(v) && looks_random(v) {
        return Some(SecretKind::HighEntropy);
    }
    None
}

/// `value` for an error message: quoted when harmless, described by kind when it looks
/// like a secret (never echoed).
///
/// ```
/// use cfn_gen::validate::secrets::describe;
///
/// assert_eq!(describe("", "nightly"), "`nightly`");
/// let url = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX";
/// assert_eq!(describe("", url), "a value that looks like a Slack webhook URL (not shown)");
/// ```
pub fn describe(name: &str, value: &str) -> String {
    match find_secret(name, value) {
        Some(kind) => format!("a value that looks like {kind} (not shown)"),
        None => format!("`{value}`"),
    }
}

/// Replaces every secret-looking word of `text` with `<redacted KIND>`, for messages that
/// quote user input.
pub fn redact(text: &str) -> String {
    if find_secret("", text).is_none() {
        return text.to_string();
    }
    text.split(' ')
        .map(|word| match find_secret("", word) {
            Some(kind) => format!("<redacted {kind}>"),
            None => word.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn tokens(v: &str) -> impl Iterator<Item = &str> {
    v.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
}

fn is_aws_key_id(t: &str) -> bool {
    (t.starts_with("AKIA") || t.starts_with("ASIA"))
        && t.len() == 20
        && t.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

fn is_hex(t: &str, len: usize) -> bool {
    t.len() == len && t.chars().all(|c| c.is_ascii_hexdigit())
}

/// `scheme://user:password@` or `scheme://:password@` with a non-empty password.
fn has_password_in_url(v: &str) -> bool {
    let Some((scheme, rest)) = v.split_once("://") else {
        return false;
    };
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let Some((userinfo, _host)) = authority.rsplit_once('@') else {
        return false;
    };
    userinfo
        .split_once(':')
        .is_some_and(|(_, password)| !password.is_empty() && !password.starts_with("${"))
}

/// At least 16 characters of one token, mixing letters and digits, with Shannon entropy of
/// at least 3.5 bits per character.
fn looks_random(v: &str) -> bool {
    if v.len() < 16 || v.contains(' ') {
        return false;
    }
    let has_digit = v.chars().any(|c| c.is_ascii_digit());
    let has_alpha = v.chars().any(|c| c.is_ascii_alphabetic());
    if !(has_digit && has_alpha) {
        return false;
    }
    let mut counts = std::collections::BTreeMap::new();
    for c in v.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let len = v.chars().count() as f64;
    let entropy: f64 = counts
        .values()
        .map(|&n| {
            let p = n as f64 / len;
            -p * p.log2()
        })
        .sum();
    entropy >= 3.5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_strings_with_passwords() {
        for url in [
            "postgres://user:pass@db.example.com:5432/app",
            "mysql://root:s3cret@10.0.0.1/db",
            "mongodb+srv://app:pw@cluster0.example.net/test",
            "amqp://guest:guest@rabbit:5672/",
            "redis://:pass@cache:6379/0",
        ] {
            assert_eq!(
                find_secret("URL", url),
                Some(SecretKind::ConnectionString),
                "{url}"
            );
        }
        for url in [
            "postgres://db.example.com/app",
            "redis://cache:6379",
            "https://user@example.com/",
        ] {
            assert_eq!(find_secret("URL", url), None, "{url}");
        }
    }

    #[test]
    fn provider_tokens_by_prefix() {
        let cases = [
            ("AKIAIOSFODNN7EXAMPLE", SecretKind::AwsAccessKeyId),
            ("ASIAIOSFODNN7EXAMPLE", SecretKind::AwsAccessKeyId),
            ("xoxb-123456789012-abcdefghijkl", SecretKind::SlackToken),
            (
                "https://hooks.slack.com/services/T000/B000/XXXX",
                SecretKind::SlackWebhookUrl,
            ),
            (
                &*format!("SK{}:{}", "a1".repeat(16), "b2".repeat(16)),
                SecretKind::TwilioApiKey,
            ),
            (&*format!("ghp_{}", "A".repeat(36)), SecretKind::GitHubToken),
            (
                &*format!("github_pat_{}", "A1".repeat(20)),
                SecretKind::GitHubToken,
            ),
            ("sk_live_abcdefghijklmnop", SecretKind::StripeKey),
            (
                "-----BEGIN RSA PRIVATE KEY-----\nMIIE...",
                SecretKind::PrivateKey,
            ),
        ];
        for (value, kind) in cases {
            assert_eq!(find_secret("", value), Some(kind), "{value}");
        }
        for harmless in ["sk_test_abc", "AKIA", "ghp_short", "xoxb", "nightly-report"] {
            assert_eq!(find_secret("", harmless), None, "{harmless}");
        }
    }

    #[test]
    fn high_entropy_needs_a_secret_name() {
        let random = "q8Zr2LxP0vN7tWk3Ys9B";
        assert_eq!(
            find_secret("API_TOKEN", random),
            Some(SecretKind::HighEntropy)
        );
        assert_eq!(find_secret("BUILD_ID", random), None);
        assert_eq!(find_secret("API_TOKEN", "/prod/api-token"), None);
        assert_eq!(find_secret("PASSWORD_POLICY", "strict"), None);
    }

    #[test]
    fn messages_never_echo_secrets() {
        let hook = "https://hooks.slack.com/services/T000/B000/XXXXXXXX";
        let d = describe("", hook);
        assert!(!d.contains("hooks.slack.com"), "{d}");
        assert!(d.contains("Slack webhook URL"));
        let r = redact(&format!("parameter {hook} not found"));
        assert_eq!(r, "parameter <redacted a Slack webhook URL> not found");
        assert_eq!(redact("nothing here"), "nothing here");
    }
}
