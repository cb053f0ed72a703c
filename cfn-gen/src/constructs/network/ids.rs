//! [`NetworkIds`]: the subnets, security groups or route tables a construct
//! is placed in, as literals, stack parameters or imports, and their checks
//! (id format, count, duplicates).

use crate::construct::StackParameter;
use crate::validate::Report;
use crate::value::Value;

/// A list of subnet, security group or route table ids.
///
/// Either each id on its own (a literal such as `subnet-0a1b2c3d`, a
/// single-id parameter such as `AWS::EC2::SecurityGroup::Id`, or an
/// `Fn::ImportValue`), or one list-valued parameter
/// (`List<AWS::EC2::Subnet::Id>`) whose length is only known at deploy time.
///
/// ```
/// use cfn_gen::{App, NetworkIds, Parameter, Stack, Value};
/// let app = App::new();
/// let stack = Stack::new(&app, "Net");
/// let literal = NetworkIds::from(["subnet-0a1b2c3d", "subnet-4e5f6a7b"]);
/// assert_eq!(literal.count(), Some(2));
/// let subnets = stack.parameter("SubnetIds", Parameter::of_type("List<AWS::EC2::Subnet::Id>"));
/// assert_eq!(NetworkIds::from(&subnets).count(), None);
/// let imported = NetworkIds::each([Value::import("shared-sg-id")]);
/// assert_eq!(imported.count(), Some(1));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum NetworkIds {
    /// Each id on its own: literals or single-id intrinsics.
    Each(Vec<Value>),
    /// One list-valued intrinsic, e.g. `Ref` to a `List<AWS::EC2::Subnet::Id>` parameter.
    List(Value),
}

impl NetworkIds {
    /// Ids given one by one (literals, single-id parameters, imports).
    pub fn each(ids: impl IntoIterator<Item = impl Into<Value>>) -> NetworkIds {
        NetworkIds::Each(ids.into_iter().map(Into::into).collect())
    }

    /// A list-valued intrinsic (a `List<...>` parameter's `Ref`).
    pub fn list(value: impl Into<Value>) -> NetworkIds {
        NetworkIds::List(value.into())
    }

    /// How many ids, when known at synth time.
    pub fn count(&self) -> Option<usize> {
        match self {
            NetworkIds::Each(ids) => Some(ids.len()),
            NetworkIds::List(_) => None,
        }
    }

    /// The ids as one template value (a list).
    pub fn value(&self) -> Value {
        match self {
            NetworkIds::Each(ids) => Value::List(ids.clone()),
            NetworkIds::List(list) => list.clone(),
        }
    }

    /// The ids given one by one, if they were.
    pub(crate) fn elements(&self) -> Option<&[Value]> {
        match self {
            NetworkIds::Each(ids) => Some(ids),
            NetworkIds::List(_) => None,
        }
    }

    /// The literal ids among them.
    pub(crate) fn literals(&self) -> Vec<&str> {
        self.elements()
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_literal)
            .collect()
    }
}

impl<const N: usize> From<[&str; N]> for NetworkIds {
    fn from(ids: [&str; N]) -> Self {
        NetworkIds::each(ids)
    }
}

impl From<Vec<&str>> for NetworkIds {
    fn from(ids: Vec<&str>) -> Self {
        NetworkIds::each(ids)
    }
}

impl From<Vec<String>> for NetworkIds {
    fn from(ids: Vec<String>) -> Self {
        NetworkIds::each(ids)
    }
}

impl From<Vec<Value>> for NetworkIds {
    fn from(ids: Vec<Value>) -> Self {
        NetworkIds::Each(ids)
    }
}

impl From<&StackParameter> for NetworkIds {
    /// A `List<AWS::EC2::...::Id>` parameter.
    fn from(parameter: &StackParameter) -> Self {
        NetworkIds::List(parameter.value())
    }
}

impl From<StackParameter> for NetworkIds {
    fn from(parameter: StackParameter) -> Self {
        NetworkIds::List(parameter.value())
    }
}

/// What kind of id a list holds, its format and its limit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IdKind {
    /// `subnet`, `security group`, `route table`.
    pub what: &'static str,
    /// `subnet-`, `sg-`, `rtb-`.
    pub prefix: &'static str,
    /// The most a list may hold.
    pub max: usize,
    /// The builder method that sets it, for fixes.
    pub setter: &'static str,
}

/// Subnets of a function or task (Lambda and ECS allow 16).
pub(crate) const SUBNETS: IdKind = IdKind {
    what: "subnet",
    prefix: "subnet-",
    max: 16,
    setter: ".vpc(subnet_ids, security_group_ids)",
};

/// Security groups of a function or task (Lambda and ECS allow 5).
pub(crate) const SECURITY_GROUPS: IdKind = IdKind {
    what: "security group",
    prefix: "sg-",
    max: 5,
    setter: ".vpc(subnet_ids, security_group_ids)",
};

/// `prefix` then 8 or 17 lower-case hex digits, as EC2 writes ids.
pub(crate) fn is_ec2_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|hex| {
        (hex.len() == 8 || hex.len() == 17)
            && hex
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    })
}

/// At least one id, at most `kind.max`, each literal well formed, none twice.
pub(crate) fn check_ids(path: &str, ids: &NetworkIds, kind: IdKind, report: &mut Report) {
    let IdKind {
        what,
        prefix,
        max,
        setter,
    } = kind;
    if let Some(count) = ids.count() {
        if count == 0 {
            report.error(
                path,
                format!("no {what} is given"),
                format!("pass at least one {what} id ({prefix}0123456789abcdef0) to {setter}"),
            );
        }
        if count > max {
            report.error(
                path,
                format!("{count} {what}s are given; at most {max} are allowed"),
                format!("pass at most {max} {what} ids to {setter}"),
            );
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for id in ids.literals() {
        if !is_ec2_id(id, prefix) {
            report.error(
                path,
                format!("`{id}` is not a {what} id"),
                format!(
                    "pass ids like {prefix}0123456789abcdef0 ({prefix} then 8 or 17 hex digits) to {setter}"
                ),
            );
        }
        if !seen.insert(id) {
            report.error(
                path,
                format!("{what} `{id}` is given twice"),
                format!("pass each {what} once to {setter}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(ids: NetworkIds, kind: IdKind) -> Vec<String> {
        let mut report = Report::default();
        check_ids("S/F", &ids, kind, &mut report);
        report
            .problems_cloned()
            .iter()
            .map(|p| format!("{} -- {}", p.message, p.fix))
            .collect()
    }

    #[test]
    fn ids_are_checked_for_format_count_and_duplicates() {
        assert!(problems(
            NetworkIds::from(["subnet-0a1b2c3d", "subnet-0123456789abcdef0"]),
            SUBNETS
        )
        .is_empty());
        let bad = problems(NetworkIds::from(["sg-0a1b2c3d"]), SUBNETS);
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert!(
            bad[0].contains("`sg-0a1b2c3d` is not a subnet id"),
            "{bad:?}"
        );
        assert!(problems(NetworkIds::from(["subnet-0A1B2C3D"]), SUBNETS).len() == 1);
        let none = problems(NetworkIds::each(Vec::<Value>::new()), SECURITY_GROUPS);
        assert!(none[0].contains("no security group"), "{none:?}");
        let six: Vec<String> = (0..6).map(|i| format!("sg-0000000{i}")).collect();
        let many = problems(NetworkIds::from(six), SECURITY_GROUPS);
        assert!(many[0].contains("6 security groups"), "{many:?}");
        let twice = problems(
            NetworkIds::from(["sg-0a1b2c3d", "sg-0a1b2c3d"]),
            SECURITY_GROUPS,
        );
        assert!(twice[0].contains("given twice"), "{twice:?}");
    }

    #[test]
    fn intrinsics_are_not_format_checked() {
        assert!(problems(NetworkIds::list(Value::reference("Subnets")), SUBNETS).is_empty());
        assert!(problems(NetworkIds::each([Value::import("sg")]), SECURITY_GROUPS).is_empty());
    }
}
