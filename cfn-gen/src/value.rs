//! Template values: literals and CloudFormation intrinsic functions as one typed enum.
//!
//! A [`Value`] serializes to the long form CloudFormation expects (`Ref:`,
//! `Fn::GetAtt:`, `Fn::Sub:` ...), so no string ever carries a magic token.

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// CloudFormation pseudo parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pseudo {
    /// `AWS::AccountId`
    AccountId,
    /// `AWS::Region`
    Region,
    /// `AWS::Partition`
    Partition,
    /// `AWS::StackName`
    StackName,
    /// `AWS::StackId`
    StackId,
    /// `AWS::URLSuffix`
    UrlSuffix,
    /// `AWS::NoValue`
    NoValue,
}

impl Pseudo {
    /// The name used in a `Ref`.
    pub fn name(self) -> &'static str {
        match self {
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::Region => "AWS::Region",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::StackName => "AWS::StackName",
            Pseudo::StackId => "AWS::StackId",
            Pseudo::UrlSuffix => "AWS::URLSuffix",
            Pseudo::NoValue => "AWS::NoValue",
        }
    }
}

/// A value in a template: a literal or an intrinsic function.
///
/// ```
/// use cfn_gen::Value;
/// let arn = Value::get_att("ReportFunction1234ABCD", "Arn");
/// let json = serde_json::to_string(&arn).unwrap();
/// assert_eq!(json, r#"{"Fn::GetAtt":["ReportFunction1234ABCD","Arn"]}"#);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string literal.
    String(String),
    /// An integer literal.
    Int(i64),
    /// A boolean literal.
    Bool(bool),
    /// A list of values.
    List(Vec<Value>),
    /// A map with keys in sorted order (deterministic output).
    Map(BTreeMap<String, Value>),
    /// `Ref` to a logical ID or parameter.
    Ref(String),
    /// `Ref` to a pseudo parameter.
    Pseudo(Pseudo),
    /// `Fn::GetAtt` of a logical ID and attribute.
    GetAtt(String, String),
    /// `Fn::Sub` with a format string and optional variables.
    Sub(String, Vec<(String, Value)>),
    /// `Fn::Join` with a delimiter.
    Join(String, Vec<Value>),
    /// `Fn::Select` of an index from a list value.
    Select(u32, Box<Value>),
    /// `Fn::If` on a condition name.
    If(String, Box<Value>, Box<Value>),
    /// `Fn::ImportValue` of an exported name.
    ImportValue(Box<Value>),
}

impl Value {
    /// `Ref` to a logical ID or parameter name.
    pub fn reference(logical_id: impl Into<String>) -> Value {
        Value::Ref(logical_id.into())
    }

    /// `Fn::GetAtt` of a resource attribute.
    pub fn get_att(logical_id: impl Into<String>, attribute: impl Into<String>) -> Value {
        Value::GetAtt(logical_id.into(), attribute.into())
    }

    /// `Fn::Sub` with no extra variables.
    pub fn sub(format: impl Into<String>) -> Value {
        Value::Sub(format.into(), Vec::new())
    }

    /// `Fn::Join` of parts with a delimiter.
    pub fn join(delimiter: impl Into<String>, parts: impl IntoIterator<Item = Value>) -> Value {
        Value::Join(delimiter.into(), parts.into_iter().collect())
    }

    /// `Fn::ImportValue` of an export name.
    pub fn import(export_name: impl Into<Value>) -> Value {
        Value::ImportValue(Box::new(export_name.into()))
    }

    /// A list of string literals.
    pub fn strings<I, S>(items: I) -> Value
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Value::List(items.into_iter().map(|s| Value::String(s.into())).collect())
    }

    /// The literal string, when this value is one.
    pub fn as_literal(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Logical IDs this value refers to through `Ref` and `Fn::GetAtt`.
    pub fn referenced_ids(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_refs(&mut out);
        out
    }

    fn collect_refs<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Value::Ref(id) | Value::GetAtt(id, _) => out.push(id),
            Value::List(items) | Value::Join(_, items) => {
                items.iter().for_each(|v| v.collect_refs(out))
            }
            Value::Map(map) => map.values().for_each(|v| v.collect_refs(out)),
            Value::Sub(_, vars) => vars.iter().for_each(|(_, v)| v.collect_refs(out)),
            Value::Select(_, v) | Value::ImportValue(v) => v.collect_refs(out),
            Value::If(_, a, b) => {
                a.collect_refs(out);
                b.collect_refs(out);
            }
            Value::String(_) | Value::Int(_) | Value::Bool(_) | Value::Pseudo(_) => {}
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::String(s.clone())
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Self {
        Value::Int(i64::from(n))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<Pseudo> for Value {
    fn from(p: Pseudo) -> Self {
        Value::Pseudo(p)
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Self {
        Value::List(items.into_iter().map(Into::into).collect())
    }
}

impl From<Value> for serde_json::Value {
    /// The value as CloudFormation JSON, for overrides and raw properties.
    fn from(v: Value) -> Self {
        // A Value is strings, numbers, lists and string-keyed maps, which
        // serde_json always serializes.
        serde_json::to_value(&v).unwrap_or(serde_json::Value::Null)
    }
}

fn single<S: Serializer, V: Serialize + ?Sized>(
    serializer: S,
    key: &str,
    value: &V,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(1))?;
    map.serialize_entry(key, value)?;
    map.end()
}

struct Vars<'a>(&'a [(String, Value)]);

impl Serialize for Vars<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::String(s) => serializer.serialize_str(s),
            Value::Int(n) => serializer.serialize_i64(*n),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::List(items) => items.serialize(serializer),
            Value::Map(map) => map.serialize(serializer),
            Value::Ref(id) => single(serializer, "Ref", id),
            Value::Pseudo(p) => single(serializer, "Ref", p.name()),
            Value::GetAtt(id, attr) => single(serializer, "Fn::GetAtt", &(id, attr)),
            Value::Sub(format, vars) if vars.is_empty() => single(serializer, "Fn::Sub", format),
            Value::Sub(format, vars) => single(serializer, "Fn::Sub", &(format, Vars(vars))),
            Value::Join(delim, parts) => single(serializer, "Fn::Join", &(delim, parts)),
            Value::Select(index, list) => single(
                serializer,
                "Fn::Select",
                &(index.to_string(), list.as_ref()),
            ),
            Value::If(cond, a, b) => single(serializer, "Fn::If", &(cond, a.as_ref(), b.as_ref())),
            Value::ImportValue(name) => single(serializer, "Fn::ImportValue", name.as_ref()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn j(v: &Value) -> serde_json::Value {
        serde_json::to_value(v).expect("serializable")
    }

    #[test]
    fn intrinsics_serialize_long_form() {
        assert_eq!(j(&Value::reference("Topic")), json!({"Ref": "Topic"}));
        assert_eq!(
            j(&Pseudo::AccountId.into()),
            json!({"Ref": "AWS::AccountId"})
        );
        assert_eq!(
            j(&Value::get_att("Fn", "Arn")),
            json!({"Fn::GetAtt": ["Fn", "Arn"]})
        );
        assert_eq!(
            j(&Value::sub("${AWS::Region}")),
            json!({"Fn::Sub": "${AWS::Region}"})
        );
        assert_eq!(
            j(&Value::Sub(
                "${A}-x".into(),
                vec![("A".into(), Value::reference("B"))]
            )),
            json!({"Fn::Sub": ["${A}-x", {"A": {"Ref": "B"}}]})
        );
        assert_eq!(
            j(&Value::join(":", [Value::from("a"), Pseudo::Region.into()])),
            json!({"Fn::Join": [":", ["a", {"Ref": "AWS::Region"}]]})
        );
        assert_eq!(
            j(&Value::Select(1, Box::new(Value::strings(["a", "b"])))),
            json!({"Fn::Select": ["1", ["a", "b"]]})
        );
        assert_eq!(
            j(&Value::If(
                "IsProd".into(),
                Box::new(1i64.into()),
                Box::new(Pseudo::NoValue.into())
            )),
            json!({"Fn::If": ["IsProd", 1, {"Ref": "AWS::NoValue"}]})
        );
        assert_eq!(
            j(&Value::import("shared-topic")),
            json!({"Fn::ImportValue": "shared-topic"})
        );
    }

    #[test]
    fn referenced_ids_walks_nested_values() {
        let v = Value::join(
            "",
            [
                Value::reference("A"),
                Value::Sub(
                    "${X}".into(),
                    vec![("X".into(), Value::get_att("B", "Arn"))],
                ),
                Value::If(
                    "C".into(),
                    Box::new(Value::reference("D")),
                    Box::new("e".into()),
                ),
            ],
        );
        assert_eq!(v.referenced_ids(), vec!["A", "B", "D"]);
    }
}
