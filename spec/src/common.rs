//! Field types shared by several constructs: secret references, values that
//! may be stack parameters, and durations in seconds.

use schemars::JsonSchema;
use serde::Deserialize;

/// A secret reference: `ssm:/PARAMETER/NAME` (an SSM SecureString) or
/// `secretsmanager:NAME-OR-ARN`. Only the reference is ever in a template.
pub type SecretText = String;

/// A literal value, or a stack parameter given at deploy.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ValueSpec {
    /// A literal string.
    Literal(String),
    /// The value of a parameter declared in the stack's `parameters`.
    Parameter(ParameterRef),
}

/// `{ parameter: NAME }`: the value of a stack parameter.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParameterRef {
    /// The parameter's name, declared in the stack's `parameters`.
    #[schemars(example = &"SlackWorkspaceId")]
    pub parameter: String,
}

/// The instruction set a function runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum ArchitectureSpec {
    /// Intel/AMD 64-bit (the default).
    #[serde(rename = "x86_64")]
    X86_64,
    /// ARM 64-bit (Graviton).
    #[serde(rename = "arm64")]
    Arm64,
}

impl From<ArchitectureSpec> for cfn_gen::Architecture {
    fn from(a: ArchitectureSpec) -> Self {
        match a {
            ArchitectureSpec::X86_64 => cfn_gen::Architecture::X86_64,
            ArchitectureSpec::Arm64 => cfn_gen::Architecture::Arm64,
        }
    }
}
