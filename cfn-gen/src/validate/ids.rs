//! Owns construct ids: the characters and lengths that break once an id reaches places
//! with narrower alphabets or length limits.
//!
//! - Logical ids keep only ASCII letters and digits, then add an 8-hex hash of the full
//!   path (`logical_id.rs`), so `my-job` and `my_job` never collide, but their
//!   resources differ only in the hash: a warning.
//! - Logical ids are cut at 255 characters: an id whose letters and digits plus the
//!   longest resource suffix (`IdempotencyTable`) do not fit loses its suffixes.
//! - The path lands in IAM role descriptions ("Execution role of PATH"): at most 1,000
//!   characters of Latin-1 (tab, newline and U+0020 to U+00FF, without controls).

use std::collections::HashMap;

use crate::logical_id::MAX_LOGICAL_ID_LEN;
use crate::validate::Report;

/// The longest child suffix constructs add to their logical ids.
pub const LONGEST_SUFFIX: &str = "IdempotencyTable";
/// Letters and digits of an id that fit with the suffix and the 8-hex hash.
pub const MAX_ID_ALPHANUMERICS: usize = MAX_LOGICAL_ID_LEN - 8 - LONGEST_SUFFIX.len();
/// IAM role descriptions.
pub const MAX_ROLE_DESCRIPTION: usize = 1_000;
const ROLE_PREFIX: &str = "Execution role of ";

/// Characters IAM takes in a role description.
fn iam_description_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{a1}'..='\u{ff}')
}

/// Checks the construct ids of one stack.
pub fn check_stack_ids(stack: &str, ids: &[String], report: &mut Report) {
    // Readable form -> the first id with it: one lookup per id, so a stack
    // of thousands of constructs is checked in linear time.
    let mut seen: HashMap<String, &str> = HashMap::with_capacity(ids.len());
    for id in ids {
        let path = format!("{stack}/{id}");
        check_id(stack, id, report);
        let readable = alphanumerics(id);
        if readable.is_empty() {
            report.warning(
                &path,
                format!("construct id `{id}` has no ASCII letters or digits, so the logical ids of its resources are only a hash"),
                "use an id with letters, e.g. \"NightlyReport\"",
            );
        }
        match seen.get(&readable) {
            // The same id twice is the stack's own "used twice" error.
            Some(first) if *first == id => {}
            Some(first) if !readable.is_empty() => report.warning(
                &path,
                format!("construct ids `{first}` and `{id}` differ only in characters logical ids drop, so their resources differ only in an 8-hex hash in the console"),
                format!("give one a distinct name, e.g. `{id}2`"),
            ),
            Some(_) => {}
            None => {
                seen.insert(readable, id);
            }
        }
    }
}

/// Checks one id: characters IAM rejects, and lengths; the fix is a shorter or cleaned id.
pub fn check_id(stack: &str, id: &str, report: &mut Report) {
    let path = format!("{stack}/{id}");
    let bad: String = id.chars().filter(|c| !iam_description_char(*c)).collect();
    if !bad.is_empty() {
        let cleaned: String = id.chars().filter(|c| iam_description_char(*c)).collect();
        let cleaned = if alphanumerics(&cleaned).is_empty() {
            "Job".to_string()
        } else {
            cleaned
        };
        report.error(
            &path,
            format!("construct id `{id}` contains {bad:?}, which IAM does not accept in the role description that names the construct"),
            format!("use Latin letters, digits, spaces and punctuation, e.g. \"{cleaned}\""),
        );
    }
    let alnum = alphanumerics(id).len();
    let description = ROLE_PREFIX.len() + path.len();
    if alnum > MAX_ID_ALPHANUMERICS || description > MAX_ROLE_DESCRIPTION {
        let budget =
            MAX_ID_ALPHANUMERICS.min(MAX_ROLE_DESCRIPTION - ROLE_PREFIX.len() - stack.len() - 1);
        let shorter = shorten(id, budget.min(64));
        report.error(
            &path,
            format!("construct id `{}…` is {} characters long; logical ids of its resources would be cut at {MAX_LOGICAL_ID_LEN} characters (letters and digits at most {MAX_ID_ALPHANUMERICS}) or its role description exceed {MAX_ROLE_DESCRIPTION}", shorten(id, 32), id.chars().count()),
            format!("use a shorter id, e.g. \"{shorter}\""),
        );
    }
}

fn alphanumerics(id: &str) -> String {
    id.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// The first characters of `id`, keeping at most `max` characters in all.
fn shorten(id: &str, max: usize) -> String {
    id.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Severity;

    fn problems(ids: &[&str]) -> Vec<crate::validate::Problem> {
        let ids: Vec<String> = ids.iter().map(|s| (*s).to_string()).collect();
        let mut r = Report::default();
        check_stack_ids("Jobs", &ids, &mut r);
        r.into_problems()
    }

    fn fixed_id(fix: &str) -> String {
        fix.split('"').nth(1).expect(fix).to_string()
    }

    #[test]
    fn ids_that_differ_only_in_dropped_characters_warn() {
        let p = problems(&["my-job", "my_job"]);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].severity, Severity::Warning);
        assert!(p[0].fix.contains("`my_job2`"));
        assert!(problems(&["my-job", "my_job2"]).is_empty());
        assert!(problems(&["my-job", "my-job"]).is_empty());
        assert_ne!(
            crate::logical_id::from_path(&["my-job"]),
            crate::logical_id::from_path(&["my_job"])
        );
    }

    #[test]
    fn long_ids_get_a_shorter_one() {
        let long = "Report".repeat(60);
        let p = problems(&[&long]);
        assert_eq!(p.len(), 1, "{p:?}");
        let fixed = fixed_id(&p[0].fix);
        assert!(problems(&[&fixed]).is_empty(), "{fixed}");
        assert!(problems(&[&"x".repeat(MAX_ID_ALPHANUMERICS)]).is_empty());
    }

    #[test]
    fn characters_iam_rejects_are_named() {
        let p = problems(&["Nightly 📈 Report"]);
        assert_eq!(p[0].severity, Severity::Error);
        let fixed = fixed_id(&p[0].fix);
        assert_eq!(fixed, "Nightly  Report");
        assert!(problems(&[&fixed]).is_empty());
        assert!(problems(&["Café Report"]).is_empty());
        let p = problems(&["日報"]);
        assert!(problems(&[&fixed_id(&p[0].fix)]).is_empty());
    }
}
