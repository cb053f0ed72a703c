//! Where each key of a spec file is: a pass over the YAML events (with
//! `saphyr-parser`, which gives every event its line and column) that maps
//! each spec path (`stacks.Jobs.tasks.NightlySync.schedule`) to the line and
//! column of its key, and finds keys given twice in one mapping (serde
//! keeps the last silently). Used for the problems found after parsing:
//! unknown references, duplicate ids, synth findings.

use indexmap::IndexMap;
use saphyr_parser::{Event, Parser, Span};

/// A line and column, both from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
}

impl Position {
    fn of(span: &Span) -> Position {
        Position {
            line: span.start.line(),
            column: span.start.col() + 1,
        }
    }
}

/// A key given twice in one mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The spec path of the key.
    pub path: String,
    /// Where it is first given.
    pub first: Position,
    /// Where it is given again.
    pub again: Position,
}

/// Every spec path of a document, with its position.
#[derive(Debug, Clone, Default)]
pub struct Positions {
    paths: IndexMap<String, Position>,
    duplicates: Vec<DuplicateKey>,
    complete: bool,
}

/// `parent.key`, or `key` at the root.
pub fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

enum Frame {
    Mapping {
        path: String,
        /// The key whose value comes next; `None` when a key comes next.
        key: Option<String>,
    },
    Sequence {
        path: String,
        index: usize,
    },
}

impl Positions {
    /// Map the document `yaml`. A syntax error stops the pass: serde reports it.
    pub fn scan(yaml: &str) -> Positions {
        let mut out = Positions::default();
        let mut stack: Vec<Frame> = Vec::new();
        out.complete = true;
        for event in Parser::new_from_str(yaml) {
            let Ok((event, span)) = event else {
                out.complete = false;
                break;
            };
            let at = Position::of(&span);
            match event {
                Event::Scalar(text, ..) => {
                    if out.key_of(&mut stack, &text, at) {
                        continue;
                    }
                    let path = Positions::enter(&mut stack);
                    out.paths.entry(path).or_insert(at);
                }
                Event::Alias(_) => {
                    let path = Positions::enter(&mut stack);
                    out.paths.entry(path).or_insert(at);
                }
                Event::MappingStart(..) => {
                    let path = Positions::enter(&mut stack);
                    out.paths.entry(path.clone()).or_insert(at);
                    stack.push(Frame::Mapping { path, key: None });
                }
                Event::SequenceStart(..) => {
                    let path = Positions::enter(&mut stack);
                    out.paths.entry(path.clone()).or_insert(at);
                    stack.push(Frame::Sequence { path, index: 0 });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                }
                _ => {}
            }
        }
        out
    }

    /// When a mapping expects a key, record `text` as that key and say so.
    fn key_of(&mut self, stack: &mut [Frame], text: &str, at: Position) -> bool {
        let Some(Frame::Mapping { path, key }) = stack.last_mut() else {
            return false;
        };
        if key.is_some() {
            return false;
        }
        let full = join(path, text);
        match self.paths.get(&full) {
            Some(first) => {
                self.duplicates.push(DuplicateKey {
                    path: full,
                    first: *first,
                    again: at,
                });
                // The repeated key's value gets paths of its own, so its
                // keys are not taken for repeats of the first one's.
                *key = Some(format!("{text}#{}", self.duplicates.len()));
            }
            None => {
                self.paths.insert(full, at);
                *key = Some(text.to_owned());
            }
        }
        true
    }

    /// The path of the node starting now (a value), advancing its parent.
    fn enter(stack: &mut [Frame]) -> String {
        match stack.last_mut() {
            None => String::new(),
            Some(Frame::Mapping { path, key }) => match key.take() {
                Some(k) => join(path, &k),
                // A complex (non-scalar) key: no path of its own.
                None => format!("{path}.?"),
            },
            Some(Frame::Sequence { path, index }) => {
                let p = format!("{path}[{index}]");
                *index += 1;
                p
            }
        }
    }

    /// Where `path` is, or else its nearest ancestor that is in the file,
    /// with the path actually found.
    pub fn nearest(&self, path: &str) -> (String, Position) {
        let mut current = path.to_owned();
        loop {
            if let Some(at) = self.paths.get(&current) {
                return (current, *at);
            }
            match parent(&current) {
                Some(p) => current = p,
                None => {
                    return (
                        String::new(),
                        self.paths
                            .get("")
                            .copied()
                            .unwrap_or(Position { line: 1, column: 1 }),
                    )
                }
            }
        }
    }

    /// Exactly where `path` is.
    pub fn get(&self, path: &str) -> Option<Position> {
        self.paths.get(path).copied()
    }

    /// Whether the whole document scanned (false after a syntax error).
    pub fn complete(&self) -> bool {
        self.complete
    }

    /// Keys given twice in one mapping, in document order.
    pub fn duplicates(&self) -> &[DuplicateKey] {
        &self.duplicates
    }
}

/// The path one level up (`a.b[2]` -> `a.b`, `a.b` -> `a`, `a` -> ``).
fn parent(path: &str) -> Option<String> {
    if path.is_empty() {
        return None;
    }
    if path.ends_with(']') {
        if let Some(i) = path.rfind('[') {
            return Some(path[..i].to_owned());
        }
    }
    Some(match path.rfind('.') {
        Some(i) => path[..i].to_owned(),
        None => String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_items_have_positions() {
        let yaml = "stacks:\n  Jobs:\n    tags:\n      team: erp\n    list: [a, {b: 1}]\n";
        let p = Positions::scan(yaml);
        assert_eq!(p.get("stacks"), Some(Position { line: 1, column: 1 }));
        assert_eq!(p.get("stacks.Jobs"), Some(Position { line: 2, column: 3 }));
        assert_eq!(
            p.get("stacks.Jobs.tags.team"),
            Some(Position { line: 4, column: 7 })
        );
        assert_eq!(
            p.get("stacks.Jobs.list[1].b"),
            Some(Position {
                line: 5,
                column: 16
            })
        );
        let (found, at) = p.nearest("stacks.Jobs.tasks.X");
        assert_eq!(found, "stacks.Jobs");
        assert_eq!(at.line, 2);
    }

    #[test]
    fn duplicate_keys_are_found() {
        let p = Positions::scan("a:\n  x: {k: 1}\n  y: 2\n  x: {k: 3}\n");
        assert_eq!(
            p.duplicates(),
            [DuplicateKey {
                path: "a.x".into(),
                first: Position { line: 2, column: 3 },
                again: Position { line: 4, column: 3 },
            }]
        );
    }
}
