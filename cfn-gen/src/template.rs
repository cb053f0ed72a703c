//! The template model: parameters, conditions, resources and outputs of one stack.
//!
//! A [`Template`] is plain data. Its key order is insertion order, and every
//! map inside it is ordered, so writing the same template twice gives the same
//! bytes. Resource properties come from the typed structs in
//! [`crate::resources`] or, for any other type, from [`Resource::raw`].

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{json, Map, Value as Json};

use crate::value::Value;

/// The SAM transform that `sam build` / `sam deploy` expand.
pub const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// A resource type with typed properties.
pub trait ResourceProperties: Serialize {
    /// The CloudFormation type name, e.g. `AWS::SNS::Topic`.
    const TYPE: &'static str;
}

/// What CloudFormation does with a resource's physical resource on delete or replacement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde_derive::Serialize)]
pub enum DeletionPolicy {
    /// Delete it.
    Delete,
    /// Keep it.
    Retain,
    /// Keep it until the stack itself is deleted.
    RetainExceptOnCreate,
    /// Take a snapshot, then delete.
    Snapshot,
}

/// One resource entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    resource_type: String,
    properties: Json,
    condition: Option<String>,
    depends_on: Vec<String>,
    deletion_policy: Option<DeletionPolicy>,
    update_replace_policy: Option<DeletionPolicy>,
    metadata: IndexMap<String, Json>,
    checkov_skips: Vec<(String, String)>,
    attribute_overrides: Vec<(Vec<String>, Option<Json>)>,
}

impl Resource {
    /// A resource from typed properties.
    ///
    /// ```
    /// use cfn_gen::{resources::sns, Resource};
    /// let topic = Resource::new(sns::Topic { fifo_topic: Some(true), ..Default::default() });
    /// assert_eq!(topic.resource_type(), "AWS::SNS::Topic");
    /// ```
    pub fn new<P: ResourceProperties>(properties: P) -> Resource {
        // The typed property structs are plain data with string keys, which
        // serde_json always serializes.
        let properties = serde_json::to_value(&properties).unwrap_or(Json::Null);
        Resource::from_json(P::TYPE, properties)
    }

    /// The escape hatch: any resource type with properties given as a [`Value`].
    ///
    /// ```
    /// use cfn_gen::{Resource, Value};
    /// use std::collections::BTreeMap;
    /// let bucket = Resource::raw(
    ///     "AWS::S3::Bucket",
    ///     Value::Map(BTreeMap::from([("BucketName".into(), "reports".into())])),
    /// );
    /// assert_eq!(bucket.resource_type(), "AWS::S3::Bucket");
    /// ```
    pub fn raw(resource_type: impl Into<String>, properties: Value) -> Resource {
        let properties = serde_json::to_value(&properties).unwrap_or(Json::Null);
        Resource::from_json(resource_type.into(), properties)
    }

    fn from_json(resource_type: impl Into<String>, properties: Json) -> Resource {
        Resource {
            resource_type: resource_type.into(),
            properties,
            condition: None,
            depends_on: Vec::new(),
            deletion_policy: None,
            update_replace_policy: None,
            metadata: IndexMap::new(),
            checkov_skips: Vec::new(),
            attribute_overrides: Vec::new(),
        }
    }

    /// The resource type name.
    pub fn resource_type(&self) -> &str {
        &self.resource_type
    }

    /// The properties as JSON.
    pub fn properties(&self) -> &Json {
        &self.properties
    }

    /// Only create the resource when `condition` holds.
    pub fn condition(mut self, condition: impl Into<String>) -> Self {
        self.condition = Some(condition.into());
        self
    }

    /// Create this resource after `logical_id`.
    pub fn depends_on(mut self, logical_id: impl Into<String>) -> Self {
        let id = logical_id.into();
        if !self.depends_on.contains(&id) {
            self.depends_on.push(id);
        }
        self
    }

    /// What happens to the physical resource when the stack deletes it.
    pub fn deletion_policy(mut self, policy: DeletionPolicy) -> Self {
        self.deletion_policy = Some(policy);
        self
    }

    /// What happens to the physical resource when an update replaces it.
    pub fn update_replace_policy(mut self, policy: DeletionPolicy) -> Self {
        self.update_replace_policy = Some(policy);
        self
    }

    /// Set a `Metadata` entry (for example SAM's `BuildMethod`).
    pub fn metadata(mut self, key: impl Into<String>, value: Json) -> Self {
        self.metadata.insert(key.into(), value);
        self
    }

    /// Skip a checkov check on this resource, with the reason written next to it.
    pub fn skip_check(mut self, check_id: &str, reason: &str) -> Self {
        self.checkov_skips
            .push((check_id.to_owned(), reason.to_owned()));
        self
    }

    /// The checkov checks skipped on this resource, with their reasons.
    pub fn skipped_checks(&self) -> &[(String, String)] {
        &self.checkov_skips
    }

    /// A property by name.
    pub fn property(&self, name: &str) -> Option<&Json> {
        self.properties.get(name)
    }

    /// The properties, for the synth-time passes of [`crate::passes`].
    pub(crate) fn properties_mut(&mut self) -> &mut Json {
        &mut self.properties
    }

    /// How many resources CloudFormation sees for this one once the SAM
    /// transform has expanded it (see
    /// [`Template::resource_count_after_transform`]).
    pub fn count_after_transform(&self) -> usize {
        match self.resource_type() {
            "AWS::Serverless::Function" => {
                let props = self.properties();
                let has = |k: &str| props.get(k).is_some();
                let events = props
                    .get("Events")
                    .and_then(Json::as_object)
                    .map_or(0, |e| e.len() * 2);
                1 + usize::from(!has("Role"))
                    + usize::from(has("EventInvokeConfig"))
                    + 2 * usize::from(has("AutoPublishAlias"))
                    + events
            }
            _ => 1,
        }
    }

    /// The logical IDs it waits for (`DependsOn`).
    pub fn depends_on_ids(&self) -> &[String] {
        &self.depends_on
    }

    /// The resources it waits for, for splitting a stack.
    pub(crate) fn depends_on_mut(&mut self) -> &mut Vec<String> {
        &mut self.depends_on
    }

    /// The condition it is created under, if any.
    pub(crate) fn condition_name(&self) -> Option<&str> {
        self.condition.as_deref()
    }

    /// Set (`Some`) or delete (`None`) the value at `path`, a path from the
    /// resource's root as in CDK's `addOverride` (`Properties.Foo.Bar`,
    /// `DeletionPolicy`, `Metadata.Key`). Missing objects on the way are
    /// created. Returns whether a delete found something to delete.
    pub(crate) fn apply_override(
        &mut self,
        path: &[String],
        value: Option<Json>,
    ) -> Result<bool, crate::json_path::PathError> {
        use crate::json_path::{set as set_path, PathError};
        match path.split_first() {
            Some((first, rest)) if first == "Properties" => {
                if rest.is_empty() {
                    let found = !self.properties.is_null();
                    self.properties = value.unwrap_or(Json::Null);
                    Ok(found)
                } else {
                    set_path(&mut self.properties, rest, value).map_err(|e| match e {
                        PathError::NotAnIndex { at, segment, len } => PathError::NotAnIndex {
                            at: if at.is_empty() {
                                first.clone()
                            } else {
                                format!("{first}.{at}")
                            },
                            segment,
                            len,
                        },
                        other => other,
                    })
                }
            }
            _ => {
                // Try it on the rendered resource first, so a bad path is
                // reported now rather than silently skipped when writing.
                let mut rendered = self.to_json();
                let found = set_path(&mut rendered, path, value.clone())?;
                self.attribute_overrides.push((path.to_vec(), value));
                Ok(found)
            }
        }
    }

    pub(crate) fn to_json(&self) -> Json {
        let mut out = self.to_json_before_overrides();
        for (path, value) in &self.attribute_overrides {
            // Checked when the override was added (apply_override), and
            // later overrides only ever see the tree the earlier ones left.
            let _ = crate::json_path::set(&mut out, path, value.clone());
        }
        out
    }

    fn to_json_before_overrides(&self) -> Json {
        let mut out = Map::new();
        out.insert("Type".into(), Json::String(self.resource_type.clone()));
        if let Some(condition) = &self.condition {
            out.insert("Condition".into(), Json::String(condition.clone()));
        }
        if !self.depends_on.is_empty() {
            out.insert("DependsOn".into(), json!(self.depends_on));
        }
        if let Some(policy) = self.deletion_policy {
            out.insert("DeletionPolicy".into(), json!(policy));
        }
        if let Some(policy) = self.update_replace_policy {
            out.insert("UpdateReplacePolicy".into(), json!(policy));
        }
        let mut metadata: Map<String, Json> = self
            .metadata
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !self.checkov_skips.is_empty() {
            let skips: Vec<Json> = self
                .checkov_skips
                .iter()
                .map(|(id, comment)| json!({"id": id, "comment": comment}))
                .collect();
            metadata.insert("checkov".into(), json!({ "skip": skips }));
        }
        if !metadata.is_empty() {
            out.insert("Metadata".into(), Json::Object(metadata));
        }
        if !self.properties.is_null() && self.properties.as_object().is_none_or(|m| !m.is_empty()) {
            out.insert("Properties".into(), self.properties.clone());
        }
        Json::Object(out)
    }
}

/// A stack output.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// What the output is.
    pub description: Option<String>,
    /// The output value.
    pub value: Value,
    /// The export name, when other stacks import it.
    pub export_name: Option<Value>,
    /// Only emit the output when this condition holds.
    pub condition: Option<String>,
}

impl Output {
    /// An output with a description.
    pub fn new(value: Value, description: impl Into<String>) -> Output {
        Output {
            description: Some(description.into()),
            value,
            export_name: None,
            condition: None,
        }
    }

    fn to_json(&self) -> Json {
        let mut out = Map::new();
        if let Some(d) = &self.description {
            out.insert("Description".into(), Json::String(d.clone()));
        }
        out.insert("Value".into(), json!(self.value));
        if let Some(name) = &self.export_name {
            out.insert("Export".into(), json!({ "Name": name }));
        }
        if let Some(c) = &self.condition {
            out.insert("Condition".into(), Json::String(c.clone()));
        }
        Json::Object(out)
    }
}

/// A template parameter.
#[derive(Debug, Clone, PartialEq, serde_derive::Serialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct Parameter {
    /// The parameter type, e.g. `String` or `AWS::SSM::Parameter::Value<String>`.
    #[serde(rename = "Type")]
    pub parameter_type: String,
    /// What the parameter is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The value used when none is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// The only values accepted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_values: Vec<String>,
    /// Hide the value in the console and API output.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_echo: bool,
    /// A regular expression a `String` value must match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_pattern: Option<String>,
    /// What CloudFormation shows when a constraint fails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraint_description: Option<String>,
    /// The shortest `String` value accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// The longest `String` value accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// The smallest `Number` accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_value: Option<i64>,
    /// The largest `Number` accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_value: Option<i64>,
}

impl Parameter {
    /// A parameter of `parameter_type`: `String`, `Number`, `List<Number>`,
    /// `CommaDelimitedList`, an AWS-specific type such as
    /// `List<AWS::EC2::Subnet::Id>`, or an SSM type such as
    /// `AWS::SSM::Parameter::Value<String>`.
    ///
    /// ```
    /// use cfn_gen::Parameter;
    /// let subnets = Parameter::of_type("List<AWS::EC2::Subnet::Id>")
    ///     .description("Subnets the functions run in");
    /// assert_eq!(subnets.parameter_type, "List<AWS::EC2::Subnet::Id>");
    /// ```
    pub fn of_type(parameter_type: impl Into<String>) -> Parameter {
        Parameter {
            parameter_type: parameter_type.into(),
            ..Parameter::default()
        }
    }

    /// A `String` parameter.
    pub fn string() -> Parameter {
        Parameter::of_type("String")
    }

    /// A `Number` parameter.
    pub fn number() -> Parameter {
        Parameter::of_type("Number")
    }

    /// Say what the parameter is for.
    pub fn description(mut self, description: impl Into<String>) -> Parameter {
        self.description = Some(description.into());
        self
    }

    /// The value used when a deploy gives none.
    pub fn default_value(mut self, value: impl Into<String>) -> Parameter {
        self.default = Some(value.into());
        self
    }

    /// Accept only these values.
    pub fn allowed_values<I, S>(mut self, values: I) -> Parameter
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_values = values.into_iter().map(Into::into).collect();
        self
    }

    /// Hide the value in the console and API output (a `NoEcho` parameter
    /// takes no default: a default would be written to the template).
    pub fn no_echo(mut self) -> Parameter {
        self.no_echo = true;
        self
    }
}

/// One CloudFormation template.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Template {
    /// The template description (at most 1,024 bytes).
    pub description: Option<String>,
    /// Transforms, e.g. [`SAM_TRANSFORM`].
    pub transform: Vec<String>,
    /// Template-level metadata.
    pub metadata: IndexMap<String, Json>,
    /// Parameters by name.
    pub parameters: IndexMap<String, Parameter>,
    /// Conditions by name.
    pub conditions: IndexMap<String, Value>,
    /// Resources by logical ID.
    pub resources: IndexMap<String, Resource>,
    /// Outputs by logical ID.
    pub outputs: IndexMap<String, Output>,
    collisions: Vec<String>,
}

impl Template {
    /// Add a resource. A logical ID that is already taken is kept as it was
    /// and reported by [`Template::collisions`].
    pub fn add_resource(&mut self, logical_id: impl Into<String>, resource: Resource) {
        let id = logical_id.into();
        if self.resources.contains_key(&id) {
            self.collisions.push(id);
        } else {
            self.resources.insert(id, resource);
        }
    }

    /// Add an output. An output ID that is already taken is reported by
    /// [`Template::collisions`].
    pub fn add_output(&mut self, logical_id: impl Into<String>, output: Output) {
        let id = logical_id.into();
        if self.outputs.contains_key(&id) {
            self.collisions.push(id);
        } else {
            self.outputs.insert(id, output);
        }
    }

    /// Logical IDs that were added more than once.
    pub fn collisions(&self) -> &[String] {
        &self.collisions
    }

    /// Forget the collisions recorded after the first `len`: they repeat a
    /// mistake already reported (a construct id used twice).
    pub(crate) fn forget_collisions_since(&mut self, len: usize) {
        self.collisions.truncate(len);
    }

    /// The template as a JSON tree in CloudFormation's section order.
    pub fn to_json(&self) -> Json {
        let mut out = Map::new();
        out.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
        match self.transform.as_slice() {
            [] => {}
            [one] => {
                out.insert("Transform".into(), json!(one));
            }
            many => {
                out.insert("Transform".into(), json!(many));
            }
        }
        if let Some(d) = &self.description {
            out.insert("Description".into(), json!(d));
        }
        if !self.metadata.is_empty() {
            out.insert("Metadata".into(), json!(self.metadata));
        }
        if !self.parameters.is_empty() {
            out.insert("Parameters".into(), json!(self.parameters));
        }
        if !self.conditions.is_empty() {
            out.insert("Conditions".into(), json!(self.conditions));
        }
        let resources: Map<String, Json> = self
            .resources
            .iter()
            .map(|(id, r)| (id.clone(), r.to_json()))
            .collect();
        out.insert("Resources".into(), Json::Object(resources));
        if !self.outputs.is_empty() {
            let outputs: Map<String, Json> = self
                .outputs
                .iter()
                .map(|(id, o)| (id.clone(), o.to_json()))
                .collect();
            out.insert("Outputs".into(), Json::Object(outputs));
        }
        Json::Object(out)
    }

    /// The template as YAML (deterministic, long-form intrinsics).
    pub fn to_yaml(&self) -> String {
        crate::writer::yaml::to_string(&self.to_json())
    }

    /// The template as pretty-printed JSON (deterministic).
    pub fn to_json_string(&self) -> String {
        crate::writer::json::to_string(&self.to_json())
    }

    /// How many resources CloudFormation will see once the SAM transform has
    /// expanded the `AWS::Serverless::*` resources this library emits.
    ///
    /// An `AWS::Serverless::Function` becomes an `AWS::Lambda::Function`, plus
    /// an `AWS::IAM::Role` when it names no `Role`, plus an
    /// `AWS::Lambda::EventInvokeConfig` when it has `EventInvokeConfig`, plus a
    /// version and an alias with `AutoPublishAlias`, plus one resource (two for
    /// schedules, with their permission) per event source.
    pub fn resource_count_after_transform(&self) -> usize {
        self.resources
            .values()
            .map(Resource::count_after_transform)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_come_in_cloudformation_order() {
        let mut t = Template {
            description: Some("d".into()),
            transform: vec![SAM_TRANSFORM.into()],
            ..Default::default()
        };
        t.outputs
            .insert("O".into(), Output::new(Value::reference("R"), "an output"));
        t.resources.insert(
            "R".into(),
            Resource::raw("AWS::SQS::Queue", Value::Map(Default::default())),
        );
        let keys: Vec<String> = t
            .to_json()
            .as_object()
            .map_or(vec![], |m| m.keys().cloned().collect());
        assert_eq!(
            keys,
            [
                "AWSTemplateFormatVersion",
                "Transform",
                "Description",
                "Resources",
                "Outputs"
            ]
        );
    }

    #[test]
    fn resource_attributes_and_skips_are_written() {
        let r = Resource::raw("AWS::Logs::LogGroup", Value::Map(Default::default()))
            .deletion_policy(DeletionPolicy::Retain)
            .update_replace_policy(DeletionPolicy::Retain)
            .depends_on("Other")
            .depends_on("Other")
            .condition("IsProd")
            .skip_check("CKV_AWS_158", "reason");
        assert_eq!(
            r.to_json(),
            json!({
                "Type": "AWS::Logs::LogGroup",
                "Condition": "IsProd",
                "DependsOn": ["Other"],
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Metadata": {"checkov": {"skip": [{"id": "CKV_AWS_158", "comment": "reason"}]}}
            })
        );
    }

    #[test]
    fn outputs_carry_exports() {
        let mut o = Output::new(Value::reference("T"), "topic");
        o.export_name = Some(Value::sub("${AWS::StackName}-Topic"));
        assert_eq!(
            o.to_json(),
            json!({"Description": "topic", "Value": {"Ref": "T"}, "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-Topic"}}})
        );
    }

    #[test]
    fn transformed_count_expands_serverless_functions() {
        let mut t = Template::default();
        t.resources.insert(
            "F".into(),
            Resource::raw(
                "AWS::Serverless::Function",
                Value::Map(
                    [
                        ("Role".to_string(), Value::from("arn")),
                        (
                            "EventInvokeConfig".to_string(),
                            Value::Map(Default::default()),
                        ),
                    ]
                    .into_iter()
                    .collect(),
                ),
            ),
        );
        t.resources.insert(
            "Q".into(),
            Resource::raw("AWS::SQS::Queue", Value::Map(Default::default())),
        );
        assert_eq!(t.resource_count_after_transform(), 3);
    }
}
