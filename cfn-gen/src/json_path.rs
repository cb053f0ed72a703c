//! Dotted paths into a JSON tree, as CDK's `addOverride` takes them:
//! `Properties.Environment.Variables.MODE`.
//!
//! `\.` is a literal dot inside a key (`Tags.app\.kubernetes\.io/name`). A
//! segment that is a number indexes into a list that is already there;
//! everywhere else missing objects are created on the way. Written here
//! (a few dozen lines) because JSON Pointer (`serde_json::Value::pointer_mut`)
//! neither creates missing objects nor reads CDK's dotted syntax.

use serde_json::{Map, Value as Json};

/// A path that cannot be followed in the tree it is applied to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// The path is empty or has an empty segment (`Foo..Bar`).
    #[error("path `{path}` has an empty segment")]
    EmptySegment {
        /// The path as given.
        path: String,
    },
    /// A list was reached and the segment is not an index into it.
    #[error("`{at}` is a list of {len} item(s) and `{segment}` is not an index into it")]
    NotAnIndex {
        /// The path up to the list.
        at: String,
        /// The segment that should have been an index.
        segment: String,
        /// The list's length.
        len: usize,
    },
}

/// Split a dotted path into segments (`\.` is a dot inside a segment).
///
/// ```
/// use cfn_gen::json_path::parse;
/// assert_eq!(parse("Tags.a\\.b").unwrap(), ["Tags", "a.b"]);
/// assert!(parse("Foo..Bar").is_err());
/// ```
pub fn parse(path: &str) -> Result<Vec<String>, PathError> {
    let mut segments = vec![String::new()];
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => segments.push(String::new()),
            c => {
                let c = if c == '\\' && chars.peek() == Some(&'.') {
                    chars.next();
                    '.'
                } else {
                    c
                };
                if let Some(s) = segments.last_mut() {
                    s.push(c);
                }
            }
        }
    }
    if segments.iter().any(String::is_empty) {
        return Err(PathError::EmptySegment {
            path: path.to_owned(),
        });
    }
    Ok(segments)
}

/// Join segments back into a dotted path (escaping dots).
pub fn join(segments: &[String]) -> String {
    segments
        .iter()
        .map(|s| s.replace('.', "\\."))
        .collect::<Vec<_>>()
        .join(".")
}

/// Set (`Some`) or delete (`None`) the value at `path` under `root`.
///
/// Setting creates missing objects on the way and replaces a scalar that is
/// in the way by an object (as CDK does); an index equal to a list's length
/// appends. Deleting something that is not there changes nothing and returns
/// `Ok(false)`.
///
/// ```
/// use cfn_gen::json_path::{parse, set};
/// use serde_json::json;
/// let mut props = json!({"Tags": [{"Key": "a", "Value": "1"}]});
/// set(&mut props, &parse("Environment.Variables.MODE").unwrap(), Some(json!("fast"))).unwrap();
/// set(&mut props, &parse("Tags.0.Value").unwrap(), Some(json!("2"))).unwrap();
/// assert_eq!(props, json!({
///     "Tags": [{"Key": "a", "Value": "2"}],
///     "Environment": {"Variables": {"MODE": "fast"}}
/// }));
/// ```
pub fn set(root: &mut Json, path: &[String], value: Option<Json>) -> Result<bool, PathError> {
    let Some((last, parents)) = path.split_last() else {
        return Err(PathError::EmptySegment {
            path: String::new(),
        });
    };
    let deleting = value.is_none();
    let mut node = root;
    for (i, segment) in parents.iter().enumerate() {
        if !node.is_object() && !node.is_array() {
            if deleting {
                return Ok(false);
            }
            *node = Json::Object(Map::new());
        }
        node = match node {
            Json::Array(items) => {
                let len = items.len();
                match segment.parse::<usize>().ok().filter(|&n| n < len) {
                    Some(n) => &mut items[n],
                    None => {
                        return Err(PathError::NotAnIndex {
                            at: join(&path[..i]),
                            segment: segment.clone(),
                            len,
                        })
                    }
                }
            }
            Json::Object(map) => {
                if deleting && !map.contains_key(segment) {
                    return Ok(false);
                }
                map.entry(segment.clone())
                    .or_insert_with(|| Json::Object(Map::new()))
            }
            // Made an object above.
            _ => return Ok(false),
        };
    }
    if !node.is_object() && !node.is_array() {
        if deleting {
            return Ok(false);
        }
        *node = Json::Object(Map::new());
    }
    match node {
        Json::Array(items) => {
            let len = items.len();
            let limit = if deleting { len } else { len + 1 };
            let Some(n) = last.parse::<usize>().ok().filter(|&n| n < limit) else {
                return Err(PathError::NotAnIndex {
                    at: join(parents),
                    segment: last.clone(),
                    len,
                });
            };
            match value {
                Some(v) if n == len => items.push(v),
                Some(v) => items[n] = v,
                None => {
                    items.remove(n);
                }
            }
            Ok(true)
        }
        Json::Object(map) => Ok(match value {
            Some(v) => {
                map.insert(last.clone(), v);
                true
            }
            None => map.shift_remove(last).is_some(),
        }),
        _ => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(s: &str) -> Vec<String> {
        parse(s).expect("valid path")
    }

    #[test]
    fn creates_intermediate_objects_and_replaces_scalars() {
        let mut j = json!({"A": "scalar"});
        assert_eq!(set(&mut j, &p("A.B.C"), Some(json!(1))), Ok(true));
        assert_eq!(set(&mut j, &p("X.Y"), Some(json!([]))), Ok(true));
        assert_eq!(j, json!({"A": {"B": {"C": 1}}, "X": {"Y": []}}));
    }

    #[test]
    fn deletes_keep_key_order_and_report_misses() {
        let mut j = json!({"A": 1, "B": {"C": 2, "D": 3}, "E": 4});
        assert_eq!(set(&mut j, &p("B.C"), None), Ok(true));
        assert_eq!(set(&mut j, &p("B.Nope"), None), Ok(false));
        assert_eq!(set(&mut j, &p("Q.R"), None), Ok(false));
        assert_eq!(set(&mut j, &p("A.R"), None), Ok(false));
        assert_eq!(j, json!({"A": 1, "B": {"D": 3}, "E": 4}));
    }

    #[test]
    fn lists_take_indexes_only() {
        let mut j = json!({"L": [1, 2]});
        assert_eq!(set(&mut j, &p("L.2"), Some(json!(3))), Ok(true));
        assert_eq!(set(&mut j, &p("L.0"), None), Ok(true));
        assert_eq!(j, json!({"L": [2, 3]}));
        let err = set(&mut j, &p("L.5.X"), Some(json!(0))).unwrap_err();
        assert_eq!(
            err,
            PathError::NotAnIndex {
                at: "L".into(),
                segment: "5".into(),
                len: 2
            }
        );
        assert!(set(&mut j, &p("L.Key"), Some(json!(0))).is_err());
    }

    #[test]
    fn escaped_dots_stay_in_keys() {
        assert_eq!(p("a\\.b.c"), ["a.b", "c"]);
        assert_eq!(join(&p("a\\.b.c")), "a\\.b.c");
        assert!(parse("").is_err());
        assert!(parse("a.").is_err());
    }
}
