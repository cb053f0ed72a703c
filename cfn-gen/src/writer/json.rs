//! Pretty-printed JSON with two-space indentation and a trailing newline.

use serde_json::Value as Json;

/// Write `value` as pretty JSON, ending in a newline.
///
/// ```
/// let text = cfn_gen::writer::json::to_string(&serde_json::json!({"Ref": "Topic"}));
/// assert_eq!(text, "{\n  \"Ref\": \"Topic\"\n}\n");
/// ```
pub fn to_string(value: &Json) -> String {
    // Serializing a `serde_json::Value` cannot fail: its maps have string keys.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}
