//! The JSON Schema of `cloud-cron.yaml`, generated from the spec types
//! (draft-07, which the YAML language server reads fully).

use schemars::generate::SchemaSettings;

use crate::model::Spec;

/// The JSON Schema of the spec: pretty JSON, the same bytes on every run,
/// ending in a newline. Committed as `spec/cloud-cron.schema.json`.
///
/// ```
/// let schema = cloud_cron_spec::json_schema();
/// assert!(schema.contains("\"stacks\""));
/// assert_eq!(schema, cloud_cron_spec::json_schema());
/// ```
pub fn json_schema() -> String {
    let schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<Spec>();
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
