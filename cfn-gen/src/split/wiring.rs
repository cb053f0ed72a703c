//! Owns the references between a split stack's root and its children: which
//! constructs may move, the parameters a child needs, rewriting its
//! `Fn::GetAtt` / `Fn::Sub` uses of root names into parameters, and the
//! root's `AWS::Serverless::Application` resources and forwarded outputs.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::{json, Value as Json};

use super::placement::Item;
use super::{NestedStack, Split};
use crate::logical_id;
use crate::passes::references::sub_names;
use crate::passes::Origins;
use crate::template::{DeletionPolicy, Output, Parameter, Resource, Template, SAM_TRANSFORM};
use crate::value::{Pseudo, Value};

/// The parameter that carries the root's `AWS::StackName` into a child, so
/// names built from it do not change when a construct moves.
pub const PARENT_STACK_NAME: &str = "ParentStackName";
/// The parameter that carries the root's `AWS::StackId` into a child.
pub const PARENT_STACK_ID: &str = "ParentStackId";

/// Who owns which name in the unsplit template.
pub struct Analysis {
    /// `AWS::Serverless::*` logical IDs: SAM derives names from them.
    serverless: HashSet<String>,
    /// The resources each construct wrote, in template order.
    owned: HashMap<String, Vec<String>>,
    /// How many outputs each construct wrote.
    outputs: HashMap<String, usize>,
    /// Construct ids that another construct refers to: they stay in the root.
    pinned: HashSet<String>,
}

impl Analysis {
    /// Analyse the references of `template`.
    pub fn of(template: &Template, origins: &Origins) -> Analysis {
        let serverless: HashSet<String> = template
            .resources
            .iter()
            .filter(|(_, r)| r.resource_type().starts_with("AWS::Serverless::"))
            .map(|(id, _)| id.clone())
            .collect();
        let mut owned: HashMap<String, Vec<String>> = HashMap::new();
        for id in template.resources.keys() {
            if let Some(owner) = origins.resource_owner(id) {
                owned.entry(owner.to_owned()).or_default().push(id.clone());
            }
        }
        let mut outputs: HashMap<String, usize> = HashMap::new();
        for id in template.outputs.keys() {
            if let Some(owner) = origins.output_owner(id) {
                *outputs.entry(owner.to_owned()).or_default() += 1;
            }
        }
        let mut analysis = Analysis {
            serverless,
            owned,
            outputs,
            pinned: HashSet::new(),
        };
        let mut pinned = HashSet::new();
        for (id, resource) in &template.resources {
            let from = origins.resource_owner(id);
            let mut names = resource.depends_on_ids().to_vec();
            names_in(resource.properties(), &mut names);
            for name in names {
                analysis.pin_owner(template, origins, from, &name, &mut pinned);
            }
        }
        for (id, output) in &template.outputs {
            let from = origins.output_owner(id);
            let mut names = Vec::new();
            names_in(&json!(output.value), &mut names);
            if let Some(export) = &output.export_name {
                names_in(&json!(export), &mut names);
            }
            for name in names {
                analysis.pin_owner(template, origins, from, &name, &mut pinned);
            }
        }
        analysis.pinned = pinned;
        analysis
    }

    fn pin_owner(
        &self,
        template: &Template,
        origins: &Origins,
        from: Option<&str>,
        name: &str,
        pinned: &mut HashSet<String>,
    ) {
        if let Some(owner) = self
            .owner_of(template, name)
            .and_then(|r| origins.resource_owner(r))
        {
            if Some(owner) != from {
                pinned.insert(owner.to_owned());
            }
        }
    }

    /// The resource that defines `name`: itself, or the `AWS::Serverless::*`
    /// resource SAM derives it from (`FnRole` from `Fn`).
    fn owner_of<'a>(&'a self, template: &'a Template, name: &'a str) -> Option<&'a str> {
        if let Some((id, _)) = template.resources.get_key_value(name) {
            return Some(id.as_str());
        }
        if name.starts_with("AWS::") {
            return None;
        }
        // The longest prefix that is a serverless resource: at most one
        // lookup per character, whatever the size of the template.
        (1..name.len())
            .rev()
            .filter_map(|end| name.get(..end))
            .find_map(|prefix| self.serverless.get(prefix))
            .map(String::as_str)
    }

    /// Constructs that can move into a child, in creation order.
    pub fn movable_constructs(&self, template: &Template, origins: &Origins) -> Vec<String> {
        let mut blocked: HashSet<&str> = self.pinned.iter().map(String::as_str).collect();
        let mut owned: HashMap<&str, Vec<&str>> = HashMap::new();
        for (id, resource) in &template.resources {
            let Some(owner) = origins.resource_owner(id) else {
                continue;
            };
            owned.entry(owner).or_default().push(id);
            if resource.condition_name().is_some() || has_key(resource.properties(), "Fn::If") {
                blocked.insert(owner);
            }
        }
        for (id, output) in &template.outputs {
            let Some(owner) = origins.output_owner(id) else {
                continue;
            };
            let mut names = Vec::new();
            names_in(&json!(output.value), &mut names);
            let own = owned.get(owner);
            let inside = names
                .iter()
                .filter(|n| {
                    self.owner_of(template, n)
                        .is_some_and(|r| own.is_some_and(|o| o.contains(&r)))
                })
                .count();
            let mixed = inside > 0 && inside < names.len();
            if output.condition.is_some() || mixed {
                blocked.insert(owner);
            }
        }
        let mut seen = HashSet::new();
        origins
            .constructs()
            .iter()
            .filter(|c| owned.contains_key(c.as_str()) && !blocked.contains(c.as_str()))
            .filter(|c| seen.insert(c.as_str()))
            .cloned()
            .collect()
    }

    /// What construct `id` costs a part.
    pub fn item(&self, template: &Template, stack: &str, id: &str) -> Item {
        let own: HashSet<&str> = self
            .owned
            .get(id)
            .map(|rs| rs.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let mut item = Item {
            id: id.to_owned(),
            path: format!("{stack}/{id}"),
            resources: 0,
            bytes: 0,
            outputs: self.outputs.get(id).copied().unwrap_or_default(),
            parameters: BTreeSet::new(),
        };
        for r in &own {
            let Some(resource) = template.resources.get(*r) else {
                continue;
            };
            item.resources += resource.count_after_transform();
            let mut scratch = resource.properties().clone();
            // Compact JSON plus the entry's type, policies and metadata.
            item.bytes += scratch.to_string().len() + 200;
            let mut params = BTreeMap::new();
            let scope = Scope {
                analysis: self,
                template,
                inside: &own,
            };
            scope.rewrite(&mut scratch, &mut params);
            item.parameters.extend(params.into_keys());
        }
        item
    }
}

/// One child's view: which resources are inside it.
struct Scope<'a> {
    analysis: &'a Analysis,
    template: &'a Template,
    inside: &'a HashSet<&'a str>,
}

impl Scope<'_> {
    /// The parameter a child uses for `name` (a `Ref` target) when the name
    /// lives outside it, with the value the root passes.
    fn outside_ref(&self, name: &str) -> Option<(String, Value)> {
        match name {
            "AWS::StackName" => {
                return Some((
                    PARENT_STACK_NAME.to_owned(),
                    Value::Pseudo(Pseudo::StackName),
                ))
            }
            "AWS::StackId" => {
                return Some((PARENT_STACK_ID.to_owned(), Value::Pseudo(Pseudo::StackId)))
            }
            n if n.starts_with("AWS::") => return None,
            _ => {}
        }
        if let Some(p) = self.template.parameters.get(name) {
            let value = if p.parameter_type.contains("List") {
                // `Fn::Join` of the list itself (not of a one-item list).
                Value::Map(BTreeMap::from([(
                    "Fn::Join".to_owned(),
                    Value::List(vec![Value::from(","), Value::reference(name)]),
                )]))
            } else {
                Value::reference(name)
            };
            return Some((name.to_owned(), value));
        }
        let owner = self.analysis.owner_of(self.template, name)?;
        (!self.inside.contains(owner)).then(|| (name.to_owned(), Value::reference(name)))
    }

    /// The parameter for `Fn::GetAtt name.attribute` when `name` is outside.
    fn outside_att(&self, name: &str, attribute: &str) -> Option<(String, Value)> {
        let owner = self.analysis.owner_of(self.template, name)?;
        if self.inside.contains(owner) {
            return None;
        }
        let suffix: String = attribute
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        Some((format!("{name}{suffix}"), Value::get_att(name, attribute)))
    }

    /// Rewrite uses of outside names into parameters, collecting them.
    fn rewrite(&self, json: &mut Json, params: &mut BTreeMap<String, Value>) {
        match json {
            Json::Object(map) if map.len() == 1 => {
                if let Some(Json::String(name)) = map.get("Ref") {
                    if let Some((param, value)) = self.outside_ref(name) {
                        *json = json!({ "Ref": param });
                        params.insert(param, value);
                    }
                    return;
                }
                if let Some(att) = map.get("Fn::GetAtt") {
                    let parts: Option<(String, String)> = match att {
                        Json::Array(a) => match (a.first(), a.get(1)) {
                            (Some(Json::String(n)), Some(Json::String(at))) => {
                                Some((n.clone(), at.clone()))
                            }
                            _ => None,
                        },
                        Json::String(s) => s
                            .split_once('.')
                            .map(|(n, at)| (n.to_owned(), at.to_owned())),
                        _ => None,
                    };
                    if let Some((name, attribute)) = parts {
                        if let Some((param, value)) = self.outside_att(&name, &attribute) {
                            *json = json!({ "Ref": param });
                            params.insert(param, value);
                        }
                        return;
                    }
                }
                if let Some(sub) = map.get_mut("Fn::Sub") {
                    self.rewrite_sub(sub, params);
                    return;
                }
                map.values_mut().for_each(|v| self.rewrite(v, params));
            }
            Json::Object(map) => map.values_mut().for_each(|v| self.rewrite(v, params)),
            Json::Array(items) => items.iter_mut().for_each(|v| self.rewrite(v, params)),
            _ => {}
        }
    }

    fn rewrite_sub(&self, sub: &mut Json, params: &mut BTreeMap<String, Value>) {
        let (format, vars) = match sub {
            Json::String(s) => (s, None),
            Json::Array(a) => match a.as_mut_slice() {
                [Json::String(s), vars] => (s, Some(vars)),
                _ => return,
            },
            _ => return,
        };
        let own_vars: HashSet<String> = vars
            .as_ref()
            .and_then(|v| v.as_object())
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        for name in sub_names(format) {
            if own_vars.contains(&name) {
                continue;
            }
            let found = match name.split_once('.') {
                Some((head, attribute)) if !head.starts_with("AWS::") => {
                    self.outside_att(head, attribute)
                }
                _ => self.outside_ref(&name),
            };
            if let Some((param, value)) = found {
                if param != name {
                    *format = format.replace(&format!("${{{name}}}"), &format!("${{{param}}}"));
                }
                params.insert(param, value);
            }
        }
        if let Some(vars) = vars {
            self.rewrite(vars, params);
        }
    }
}

/// Every name a JSON tree refers to: `Ref`, `Fn::GetAtt`, `Fn::Sub`
/// variables (the part before a `.`) and `DependsOn`.
fn names_in(json: &Json, out: &mut Vec<String>) {
    match json {
        Json::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("Ref", Json::String(n)) => out.push(n.clone()),
                    ("Fn::GetAtt", Json::Array(a)) => {
                        if let Some(Json::String(n)) = a.first() {
                            out.push(n.clone());
                        }
                    }
                    ("Fn::GetAtt", Json::String(s)) => {
                        out.push(s.split('.').next().unwrap_or(s).to_owned());
                    }
                    ("Fn::Sub", Json::String(s)) => out.extend(sub_heads(s)),
                    ("Fn::Sub", Json::Array(a)) => {
                        if let Some(Json::String(s)) = a.first() {
                            out.extend(sub_heads(s));
                        }
                        a.iter().skip(1).for_each(|v| names_in(v, out));
                    }
                    ("DependsOn", Json::String(n)) => out.push(n.clone()),
                    ("DependsOn", Json::Array(a)) => {
                        out.extend(a.iter().filter_map(Json::as_str).map(str::to_owned));
                    }
                    _ => names_in(value, out),
                }
            }
        }
        Json::Array(items) => items.iter().for_each(|v| names_in(v, out)),
        _ => {}
    }
}

fn sub_heads(format: &str) -> Vec<String> {
    sub_names(format)
        .into_iter()
        .filter(|n| !n.starts_with("AWS::"))
        .map(|n| n.split('.').next().unwrap_or(&n).to_owned())
        .collect()
}

fn has_key(json: &Json, key: &str) -> bool {
    match json {
        Json::Object(map) => map.contains_key(key) || map.values().any(|v| has_key(v, key)),
        Json::Array(items) => items.iter().any(|v| has_key(v, key)),
        _ => false,
    }
}

/// The root and children for `parts` (from [`super::placement::place`] over
/// the items of the movable constructs `items`).
pub fn build(
    template: &Template,
    origins: &Origins,
    analysis: &Analysis,
    items: &[Item],
    parts: &[(String, Vec<usize>)],
    extension: &str,
) -> Split {
    let stack = origins.stack();
    let mut part_of: HashMap<&str, usize> = HashMap::new();
    for (p, (_, members)) in parts.iter().enumerate() {
        for &m in members {
            if let Some(item) = items.get(m) {
                part_of.insert(item.id.as_str(), p);
            }
        }
    }
    let mut root = template.clone();
    let mut part_resources: Vec<Vec<(&String, &Resource)>> = vec![Vec::new(); parts.len()];
    let mut kept = indexmap::IndexMap::new();
    for (id, resource) in &template.resources {
        match origins.resource_owner(id).and_then(|o| part_of.get(o)) {
            Some(&p) => part_resources[p].push((id, resource)),
            None => {
                kept.insert(id.clone(), resource.clone());
            }
        }
    }
    root.resources = kept;
    let mut moved_outputs: HashSet<String> = HashSet::new();
    let mut nested = Vec::new();
    for (p, (bits, members)) in parts.iter().enumerate() {
        let name = format!("{stack}Part{bits}");
        let logical = logical_id::from_path(&["NestedStack", bits]);
        let inside: HashSet<&str> = part_resources[p]
            .iter()
            .map(|(id, _)| id.as_str())
            .collect();
        let scope = Scope {
            analysis,
            template,
            inside: &inside,
        };
        let mut child = Template::default();
        child.description = Some(format!(
            "{stack}, part {bits}: {} construct(s) of stack {stack}, deployed as its nested stack",
            members.len()
        ));
        child.transform = vec![SAM_TRANSFORM.to_owned()];
        let mut params: BTreeMap<String, Value> = BTreeMap::new();
        let mut waits: BTreeSet<String> = BTreeSet::new();
        for (id, resource) in &part_resources[p] {
            let mut moved = (*resource).clone();
            scope.rewrite(moved.properties_mut(), &mut params);
            let depends = moved.depends_on_mut();
            depends.retain(|d| {
                let here = analysis
                    .owner_of(template, d)
                    .is_some_and(|o| inside.contains(o));
                if !here {
                    waits.insert(d.clone());
                }
                here
            });
            child.add_resource((*id).clone(), moved);
        }
        let constructs: Vec<String> = members
            .iter()
            .filter_map(|&m| items.get(m).map(|i| i.id.clone()))
            .collect();
        for (oid, output) in &template.outputs {
            let owned = origins
                .output_owner(oid)
                .and_then(|o| part_of.get(o))
                .is_some_and(|&q| q == p);
            if !owned {
                continue;
            }
            let mut names = Vec::new();
            names_in(&json!(output.value), &mut names);
            let refers_inside = names.iter().any(|n| {
                analysis
                    .owner_of(template, n)
                    .is_some_and(|o| inside.contains(o))
            });
            if !refers_inside {
                // Only names outside the part: the root can still say it.
                continue;
            }
            let mut moved = Output::new(output.value.clone(), "");
            moved.description = output.description.clone();
            child.add_output(oid.clone(), moved);
            if output.export_name.is_some() {
                // Exports stay in the root, so a construct moving between
                // parts never deletes and recreates an export in use.
                if let Some(root_output) = root.outputs.get_mut(oid) {
                    root_output.value = Value::get_att(&logical, format!("Outputs.{oid}"));
                }
            } else {
                moved_outputs.insert(oid.clone());
            }
        }
        let mut passed = BTreeMap::new();
        for (param, value) in params {
            let mut declared = Parameter::string();
            if let Some(root_param) = template.parameters.get(&param) {
                if root_param.parameter_type.contains("List") {
                    declared = Parameter::of_type("CommaDelimitedList");
                }
                declared.no_echo = root_param.no_echo;
            }
            declared.description = Some(format!("{param} of stack {stack}"));
            child.parameters.insert(param.clone(), declared);
            passed.insert(param, value);
        }
        let file = format!("{name}.template.{extension}");
        let mut properties = BTreeMap::from([("Location".to_owned(), Value::String(file))]);
        if !passed.is_empty() {
            properties.insert("Parameters".to_owned(), Value::Map(passed));
        }
        // The part's resources carry their own policies (a retained table
        // stays retained); the nested stack itself is plain infrastructure.
        let mut app = Resource::raw("AWS::Serverless::Application", Value::Map(properties))
            .deletion_policy(DeletionPolicy::Delete)
            .update_replace_policy(DeletionPolicy::Delete);
        for wait in waits {
            app = app.depends_on(wait);
        }
        root.add_resource(logical.clone(), app);
        nested.push(NestedStack {
            name,
            logical_id: logical,
            bits: bits.clone(),
            constructs,
            template: child,
        });
    }
    root.outputs.retain(|id, _| !moved_outputs.contains(id));
    Split { root, nested }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::Snapshot;

    fn raw(ty: &str, props: Json) -> Resource {
        let mut r = Resource::raw(ty, Value::Map(BTreeMap::new()));
        *r.properties_mut() = props;
        r
    }

    /// A shared topic `Shared` and a job `Job` that uses it every way a
    /// template can, plus a root parameter.
    fn template() -> (Template, Origins) {
        let mut t = Template::default();
        t.parameters.insert("Mode".into(), Parameter::string());
        t.parameters.insert(
            "Subnets".into(),
            Parameter::of_type("List<AWS::EC2::Subnet::Id>"),
        );
        let mut origins = Origins::new("S");
        let before = Snapshot::of(&t);
        t.add_resource("Shared", raw("AWS::SNS::Topic", json!({})));
        origins.record("Shared", &before, &t);
        let before = Snapshot::of(&t);
        t.add_resource(
            "JobQueue",
            raw(
                "AWS::SQS::Queue",
                json!({
                    "Topic": {"Ref": "Shared"},
                    "TopicName": {"Fn::GetAtt": ["Shared", "TopicName"]},
                    "Arn": {"Fn::Sub": "${Shared.TopicArn}/${AWS::Region}/${AWS::StackName}/${JobOther}"},
                    "Mode": {"Ref": "Mode"},
                    "Subnets": {"Ref": "Subnets"},
                }),
            )
            .depends_on("Shared"),
        );
        t.add_resource(
            "JobOther",
            raw(
                "AWS::SQS::Queue",
                json!({"Q": {"Fn::GetAtt": "JobQueue.Arn"}}),
            ),
        );
        let mut exported = Output::new(Value::reference("JobQueue"), "queue");
        exported.export_name = Some(Value::from("job-queue"));
        t.add_output("JobQueueUrl", exported);
        t.add_output(
            "JobOtherUrl",
            Output::new(Value::reference("JobOther"), "other"),
        );
        origins.record("Job", &before, &t);
        (t, origins)
    }

    fn split() -> Split {
        let (t, origins) = template();
        let analysis = Analysis::of(&t, &origins);
        let movable = analysis.movable_constructs(&t, &origins);
        assert_eq!(movable, ["Job"], "the shared topic stays in the root");
        let items: Vec<Item> = movable
            .iter()
            .map(|id| analysis.item(&t, "S", id))
            .collect();
        let parts = vec![("1".to_owned(), vec![0])];
        build(&t, &origins, &analysis, &items, &parts, "yaml")
    }

    #[test]
    fn outside_names_become_parameters_the_root_passes() {
        let s = split();
        let child = &s.nested[0];
        let queue = child.template.resources["JobQueue"].properties();
        assert_eq!(queue["Topic"], json!({"Ref": "Shared"}));
        assert_eq!(queue["TopicName"], json!({"Ref": "SharedTopicName"}));
        assert_eq!(
            queue["Arn"],
            json!({"Fn::Sub": "${SharedTopicArn}/${AWS::Region}/${ParentStackName}/${JobOther}"})
        );
        assert_eq!(queue["Subnets"], json!({"Ref": "Subnets"}));
        let params: Vec<&String> = child.template.parameters.keys().collect();
        assert_eq!(
            params,
            [
                "Mode",
                "ParentStackName",
                "Shared",
                "SharedTopicArn",
                "SharedTopicName",
                "Subnets"
            ]
        );
        assert_eq!(
            child.template.parameters["Subnets"].parameter_type,
            "CommaDelimitedList"
        );
        // Inside the part nothing changes.
        let other = child.template.resources["JobOther"].properties();
        assert_eq!(other["Q"], json!({"Fn::GetAtt": "JobQueue.Arn"}));
        assert!(child.template.resources["JobQueue"]
            .depends_on_ids()
            .is_empty());

        let app = s.root.resources[&child.logical_id].to_json();
        assert_eq!(app["Type"], "AWS::Serverless::Application");
        assert_eq!(app["DependsOn"], json!(["Shared"]));
        let passed = &app["Properties"]["Parameters"];
        assert_eq!(
            passed["SharedTopicArn"],
            json!({"Fn::GetAtt": ["Shared", "TopicArn"]})
        );
        assert_eq!(passed["ParentStackName"], json!({"Ref": "AWS::StackName"}));
        assert_eq!(
            passed["Subnets"],
            json!({"Fn::Join": [",", {"Ref": "Subnets"}]})
        );
        assert_eq!(app["Properties"]["Location"], "SPart1.template.yaml");
    }

    #[test]
    fn exported_outputs_stay_in_the_root_and_others_move() {
        let s = split();
        let child = &s.nested[0];
        assert!(child.template.outputs.contains_key("JobQueueUrl"));
        assert!(child.template.outputs.contains_key("JobOtherUrl"));
        assert!(!s.root.outputs.contains_key("JobOtherUrl"));
        let root = &s.root.outputs["JobQueueUrl"];
        assert_eq!(
            root.value,
            Value::get_att(&child.logical_id, "Outputs.JobQueueUrl")
        );
        assert_eq!(root.export_name, Some(Value::from("job-queue")));
        assert!(child.template.outputs["JobQueueUrl"].export_name.is_none());
    }
}
