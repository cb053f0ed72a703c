//! The environment variables a task reads, captured once.
//!
//! Reading a snapshot instead of the live process environment keeps start-up
//! checks in one place and lets tests run side by side with their own values.

use std::collections::BTreeMap;

/// A snapshot of environment variables.
///
/// ```
/// use cloud_cron_runtime::Environment;
/// let env = Environment::from_pairs([("SNS_TOPIC_ARN_ALERTS", "arn:aws:sns:us-east-1:123456789012:a.fifo")]);
/// assert!(env.get("SNS_TOPIC_ARN_ALERTS").is_some());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    vars: BTreeMap<String, String>,
}

impl Environment {
    /// The process environment (variables that are not UTF-8 are left out).
    pub fn from_process() -> Environment {
        Environment {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        }
    }

    /// Exactly these variables.
    pub fn from_pairs<I, K, V>(pairs: I) -> Environment
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Environment {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// A variable's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// Every variable, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}
