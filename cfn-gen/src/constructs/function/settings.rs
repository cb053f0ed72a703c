//! A function's settings (code, timeout, memory, architecture, environment,
//! logging, names) and the builder methods every function construct shares
//! ([`function_setters!`]).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::constructs::code::{Architecture, Code};

/// The builder methods every function construct shares. Expands inside an
/// `impl` whose type has
/// `fn function_settings(self, impl FnOnce(&mut FunctionSettings)) -> Self`.
macro_rules! function_setters {
    () => {
        /// Set an environment variable. Never a secret: keep secrets in SSM
        /// Parameter Store (SecureString) or Secrets Manager and pass their names.
        pub fn env(self, name: impl Into<String>, value: impl Into<String>) -> Self {
            let (name, value) = (name.into(), value.into());
            self.function_settings(|s| {
                s.env.insert(name, value);
            })
        }

        /// The function timeout, 1 to 900 whole seconds.
        pub fn timeout(self, timeout: std::time::Duration) -> Self {
            self.function_settings(|s| s.timeout = timeout)
        }

        /// Memory in MB, 128 to 10,240.
        pub fn memory_mb(self, mb: u32) -> Self {
            self.function_settings(|s| s.memory_mb = mb)
        }

        /// The instruction set; it must match the image's.
        pub fn architecture(self, architecture: $crate::Architecture) -> Self {
            self.function_settings(|s| s.architecture = architecture)
        }

        /// Reserve concurrency for the function (and cap it there).
        pub fn reserved_concurrency(self, n: u32) -> Self {
            self.function_settings(|s| s.reserved_concurrency = Some(n))
        }

        /// Keep logs this many days (a value CloudWatch Logs accepts, e.g. 30).
        pub fn log_retention_days(self, days: u32) -> Self {
            self.function_settings(|s| s.log_retention_days = days)
        }

        /// A fixed function name (otherwise CloudFormation generates one).
        pub fn function_name(self, name: impl Into<String>) -> Self {
            let name = name.into();
            self.function_settings(|s| s.function_name = Some(name))
        }
    };
}
pub(crate) use function_setters;

/// The settings every function construct exposes through its builder.
#[derive(Debug, Clone)]
pub(crate) struct FunctionSettings {
    pub code: Option<Code>,
    pub env: BTreeMap<String, String>,
    pub timeout: Duration,
    pub memory_mb: u32,
    pub architecture: Architecture,
    pub reserved_concurrency: Option<u32>,
    pub log_retention_days: u32,
    pub function_name: Option<String>,
    pub description: Option<String>,
}

impl FunctionSettings {
    /// Defaults: no code, `x86_64`, logs kept 30 days.
    pub fn new(timeout: Duration, memory_mb: u32) -> FunctionSettings {
        FunctionSettings {
            code: None,
            env: BTreeMap::new(),
            timeout,
            memory_mb,
            architecture: Architecture::X86_64,
            reserved_concurrency: None,
            log_retention_days: 30,
            function_name: None,
            description: None,
        }
    }

    /// The same settings with this code.
    pub fn with_code(mut self, code: Code) -> FunctionSettings {
        self.code = Some(code);
        self
    }

    /// Bytes the user's own literal variables take.
    pub fn user_env_bytes(&self) -> usize {
        self.env.iter().map(|(k, v)| k.len() + v.len()).sum()
    }
}
