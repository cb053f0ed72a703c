//! Writers that turn a template's JSON tree into the bytes `sam deploy` reads.
//!
//! Both writers are pure functions of their input: the same tree always gives
//! the same bytes.

pub mod json;
pub mod yaml;

/// An output format for templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// YAML, long-form intrinsics (the default).
    #[default]
    Yaml,
    /// Pretty-printed JSON.
    Json,
}

impl Format {
    /// The file extension, without a dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Yaml => "yaml",
            Format::Json => "json",
        }
    }
}
