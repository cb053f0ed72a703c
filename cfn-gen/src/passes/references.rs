//! Dangling references: every `Ref`, `Fn::GetAtt`, `Fn::Sub` variable and
//! `DependsOn` of a template must name something in that template.
//!
//! A `Ref` (and a `${Name}` in `Fn::Sub`) may name a resource, a parameter or
//! a pseudo parameter (`AWS::Region` ...); `Fn::GetAtt` (and `${Name.Attr}`)
//! and `DependsOn` only a resource. `Fn::Sub` variables given in its map are
//! its own names, and `${!Literal}` is an escape, not a reference. Names the
//! SAM transform creates are accepted: a function's `<Function>Role` when it
//! names no role, `<Function>.Alias` / `.Version` with `AutoPublishAlias`,
//! `<Function><Event>...` per event, and anything starting with the logical
//! ID of another `AWS::Serverless::*` resource.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use crate::passes::Origins;
use crate::suggest;
use crate::template::Template;
use crate::validate::Report;

/// The pseudo parameters CloudFormation defines.
pub const PSEUDO_PARAMETERS: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ref,
    GetAtt,
    SubName,
    SubAttr,
    DependsOn,
}

impl Kind {
    fn shown(self) -> &'static str {
        match self {
            Kind::Ref => "Ref",
            Kind::GetAtt => "Fn::GetAtt",
            Kind::SubName | Kind::SubAttr => "Fn::Sub",
            Kind::DependsOn => "DependsOn",
        }
    }

    fn takes_parameters(self) -> bool {
        matches!(self, Kind::Ref | Kind::SubName)
    }
}

#[derive(Debug)]
struct Found {
    kind: Kind,
    name: String,
    location: String,
}

/// Every name a template may refer to.
struct Names {
    resources: BTreeSet<String>,
    parameters: BTreeSet<String>,
    sam_exact: BTreeSet<String>,
    /// A set, looked up by each prefix of a name: linear in the name, not
    /// in the number of functions.
    sam_prefixes: BTreeSet<String>,
}

impl Names {
    fn of(template: &Template) -> Names {
        let mut sam_exact = BTreeSet::new();
        let mut sam_prefixes = BTreeSet::new();
        for (id, r) in &template.resources {
            match r.resource_type() {
                "AWS::Serverless::Function" => {
                    if r.property("Role").is_none() {
                        sam_exact.insert(format!("{id}Role"));
                    }
                    if r.property("AutoPublishAlias").is_some() {
                        sam_exact.insert(format!("{id}.Alias"));
                        sam_exact.insert(format!("{id}.Version"));
                        sam_prefixes.insert(format!("{id}Alias"));
                        sam_prefixes.insert(format!("{id}Version"));
                    }
                    if r.property("EventInvokeConfig").is_some() {
                        sam_exact.insert(format!("{id}EventInvokeConfig"));
                    }
                    if let Some(events) = r.property("Events").and_then(Json::as_object) {
                        sam_prefixes.extend(events.keys().map(|e| format!("{id}{e}")));
                    }
                }
                t if t.starts_with("AWS::Serverless::") => {
                    sam_prefixes.insert(id.clone());
                }
                _ => {}
            }
        }
        Names {
            resources: template.resources.keys().cloned().collect(),
            parameters: template.parameters.keys().cloned().collect(),
            sam_exact,
            sam_prefixes,
        }
    }

    fn resolves(&self, kind: Kind, name: &str) -> bool {
        // Exact names first: the prefix scan is the slow part in a template
        // of thousands of functions.
        self.resources.contains(name)
            || self.sam_exact.contains(name)
            || (kind.takes_parameters()
                && (self.parameters.contains(name) || PSEUDO_PARAMETERS.contains(&name)))
            || (1..=name.len())
                .filter_map(|end| name.get(..end))
                .any(|prefix| self.sam_prefixes.contains(prefix))
    }

    fn candidates(&self, kind: Kind) -> Vec<&str> {
        let mut out: Vec<&str> = self.resources.iter().map(String::as_str).collect();
        if kind.takes_parameters() {
            out.extend(self.parameters.iter().map(String::as_str));
            out.extend(PSEUDO_PARAMETERS);
        }
        out
    }
}

/// The `${...}` names of an `Fn::Sub` format string, without `${!...}` escapes.
///
/// ```
/// use cfn_gen::passes::references::sub_names;
/// assert_eq!(
///     sub_names("arn:${AWS::Partition}:sns:${Topic.TopicName}:${!Literal}"),
///     ["AWS::Partition", "Topic.TopicName"]
/// );
/// ```
pub fn sub_names(format: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        if let Some(literal) = after.strip_prefix('!') {
            rest = literal;
            continue;
        }
        match after.find('}') {
            Some(end) => {
                out.push(after[..end].trim().to_owned());
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

fn push(out: &mut Vec<Found>, kind: Kind, name: &str, location: &str) {
    out.push(Found {
        kind,
        name: name.to_owned(),
        location: location.to_owned(),
    });
}

fn walk(json: &Json, location: &str, out: &mut Vec<Found>) {
    match json {
        Json::Object(map) if map.len() == 1 => {
            let Some((key, arg)) = map.iter().next() else {
                return;
            };
            match (key.as_str(), arg) {
                ("Ref", Json::String(name)) => push(out, Kind::Ref, name, location),
                ("Fn::GetAtt", Json::Array(items)) => {
                    if let Some(Json::String(name)) = items.first() {
                        push(out, Kind::GetAtt, name, location);
                    }
                    for item in items.iter().skip(1) {
                        walk(item, location, out);
                    }
                }
                ("Fn::GetAtt", Json::String(dotted)) => {
                    let id = dotted.split('.').next().unwrap_or(dotted);
                    push(out, Kind::GetAtt, id, location);
                }
                ("Fn::Sub", Json::String(format)) => {
                    sub(format, &BTreeSet::new(), location, out);
                }
                ("Fn::Sub", Json::Array(items)) => {
                    let vars = items.get(1).and_then(Json::as_object);
                    let own: BTreeSet<String> = vars
                        .map(|m| m.keys().cloned().collect())
                        .unwrap_or_default();
                    if let Some(Json::String(format)) = items.first() {
                        sub(format, &own, location, out);
                    }
                    for (k, v) in vars.into_iter().flatten() {
                        walk(v, &join(location, &format!("Fn::Sub.{k}")), out);
                    }
                }
                (key, arg) => walk(arg, &join(location, key), out),
            }
        }
        Json::Object(map) => {
            for (k, v) in map {
                walk(v, &join(location, k), out);
            }
        }
        Json::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(v, &join(location, &i.to_string()), out);
            }
        }
        _ => {}
    }
}

fn sub(format: &str, own: &BTreeSet<String>, location: &str, out: &mut Vec<Found>) {
    for name in sub_names(format) {
        if own.contains(&name) {
            continue;
        }
        match name.split_once('.') {
            Some((id, _)) if !own.contains(id) => push(out, Kind::SubAttr, id, location),
            Some(_) => {}
            None => push(out, Kind::SubName, &name, location),
        }
    }
}

fn join(location: &str, key: &str) -> String {
    if location.is_empty() {
        key.to_owned()
    } else {
        format!("{location}.{key}")
    }
}

/// Report every reference in `template` that names nothing in it.
/// `elsewhere` maps names defined in the app's other stacks to their stack.
pub fn check(
    template: &Template,
    origins: &Origins,
    elsewhere: &BTreeMap<String, String>,
    report: &mut Report,
) {
    let names = Names::of(template);
    let json = template.to_json();
    let mut places: Vec<(String, String, Vec<Found>)> = Vec::new();
    if let Some(resources) = json.get("Resources").and_then(Json::as_object) {
        for (id, r) in resources {
            let mut found = Vec::new();
            if let Some(props) = r.get("Properties") {
                walk(props, "Properties", &mut found);
            }
            let depends: Vec<&str> = match r.get("DependsOn") {
                Some(Json::String(one)) => vec![one],
                Some(Json::Array(many)) => many.iter().filter_map(Json::as_str).collect(),
                _ => Vec::new(),
            };
            found.extend(depends.into_iter().map(|d| Found {
                kind: Kind::DependsOn,
                name: d.to_owned(),
                location: "DependsOn".to_owned(),
            }));
            places.push((origins.resource_path(id), format!("resource `{id}`"), found));
        }
    }
    if let Some(outputs) = json.get("Outputs").and_then(Json::as_object) {
        for (id, o) in outputs {
            let mut found = Vec::new();
            walk(o, "", &mut found);
            places.push((origins.output_path(id), format!("output `{id}`"), found));
        }
    }
    if let Some(conditions) = json.get("Conditions").and_then(Json::as_object) {
        for (id, c) in conditions {
            let mut found = Vec::new();
            walk(c, "", &mut found);
            places.push((
                origins.stack().to_owned(),
                format!("condition `{id}`"),
                found,
            ));
        }
    }
    for (path, what, found) in places {
        for f in found {
            if names.resolves(f.kind, &f.name) {
                continue;
            }
            let (message, fix) = explain(&f, &what, origins.stack(), &names, elsewhere);
            report.error(&path, message, fix);
        }
    }
}

fn explain(
    f: &Found,
    what: &str,
    stack: &str,
    names: &Names,
    elsewhere: &BTreeMap<String, String>,
) -> (String, String) {
    let shown = match f.kind {
        Kind::SubName => format!("`${{{}}}`", f.name),
        Kind::SubAttr => format!("`${{{}.…}}`", f.name),
        _ => format!("`{}`", f.name),
    };
    let expects = if f.kind.takes_parameters() {
        "no resource, parameter or pseudo parameter"
    } else {
        "no resource"
    };
    let at = if f.location.is_empty() {
        String::new()
    } else {
        format!(" at `{}`", f.location)
    };
    let mut message = format!(
        "{} {shown} in {what}{at} dangles: {expects} of stack {stack} has that name",
        f.kind.shown()
    );
    if let Some(other) = elsewhere.get(&f.name) {
        message.push_str(&format!("; `{}` is in stack {other}", f.name));
        return (
            message,
            format!("a template only sees its own resources: export the value from stack {other} (an output with an export name, e.g. Topic::export_arn) and read it here with Value::import(\"<export name>\")"),
        );
    }
    let candidates = names.candidates(f.kind);
    let close = suggest::close_matches(&f.name, candidates.iter().copied());
    if let Some(best) = close.first() {
        message.push_str(&format!(
            "; close names: {}",
            suggest::listed(&close).unwrap_or_default()
        ));
        return (message, format!("refer to `{best}` instead"));
    }
    if f.name.starts_with("AWS::") {
        return (
            message,
            format!(
                "use a pseudo parameter (Value::Pseudo): {}",
                PSEUDO_PARAMETERS.join(", ")
            ),
        );
    }
    let escape = if matches!(f.kind, Kind::SubName | Kind::SubAttr) {
        format!(
            "; for a literal `${{{}}}` in the string write `${{!{}}}`",
            f.name, f.name
        )
    } else {
        String::new()
    };
    let fix = if f.kind.takes_parameters() {
        format!("declare it with stack.parameter(\"{}\", Parameter::string()), or add the resource with stack.add_resource_verbatim(\"{}\", ..){escape}", f.name, f.name)
    } else {
        format!("add the resource with stack.add_resource_verbatim(\"{}\", ..), or refer to a resource of the stack{escape}", f.name)
    };
    (message, fix)
}
