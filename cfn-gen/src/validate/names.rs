//! Naming rules of the AWS resources cloud-cron names: lengths and characters.

/// A naming rule: what is named, how long it may be, which characters it takes.
#[derive(Debug, Clone, Copy)]
pub struct NameRule {
    /// What the name is, e.g. "SNS topic name".
    pub what: &'static str,
    /// The shortest allowed length.
    pub min: usize,
    /// The longest allowed length.
    pub max: usize,
    /// Whether a character is allowed anywhere in the name.
    pub allowed: fn(char) -> bool,
    /// The allowed characters, in words.
    pub allowed_text: &'static str,
    /// Whether a character is allowed first.
    pub first: fn(char) -> bool,
    /// The allowed first characters, in words (empty when any allowed one is).
    pub first_text: &'static str,
}

fn alnum_dash_underscore(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

fn any(_: char) -> bool {
    true
}

/// CloudFormation stack names.
pub const STACK: NameRule = NameRule {
    what: "stack name",
    min: 1,
    max: 128,
    allowed: |c| c.is_ascii_alphanumeric() || c == '-',
    allowed_text: "ASCII letters, digits and hyphens",
    first: |c| c.is_ascii_alphabetic(),
    first_text: "a letter",
};

/// SNS topic names (a FIFO topic's `.fifo` suffix is checked separately).
pub const TOPIC: NameRule = NameRule {
    what: "SNS topic name",
    min: 1,
    max: 256,
    allowed: alnum_dash_underscore,
    allowed_text: "ASCII letters, digits, hyphens and underscores",
    first: any,
    first_text: "",
};

/// SQS queue names (a FIFO queue's `.fifo` suffix is checked separately).
pub const QUEUE: NameRule = NameRule {
    what: "SQS queue name",
    min: 1,
    max: 80,
    allowed: alnum_dash_underscore,
    allowed_text: "ASCII letters, digits, hyphens and underscores",
    first: any,
    first_text: "",
};

/// Lambda function names.
pub const FUNCTION: NameRule = NameRule {
    what: "Lambda function name",
    min: 1,
    max: 64,
    allowed: alnum_dash_underscore,
    allowed_text: "ASCII letters, digits, hyphens and underscores",
    first: any,
    first_text: "",
};

/// EventBridge Scheduler schedule names.
pub const SCHEDULE: NameRule = NameRule {
    what: "schedule name",
    min: 1,
    max: 64,
    allowed: |c| alnum_dash_underscore(c) || c == '.',
    allowed_text: "ASCII letters, digits, hyphens, underscores and periods",
    first: any,
    first_text: "",
};

/// EventBridge Scheduler schedule group names.
pub const SCHEDULE_GROUP: NameRule = NameRule {
    what: "schedule group name",
    min: 1,
    max: 64,
    allowed: |c| alnum_dash_underscore(c) || c == '.',
    allowed_text: "ASCII letters, digits, hyphens, underscores and periods",
    first: any,
    first_text: "",
};

/// Lambda environment variable names.
pub const ENV_VAR: NameRule = NameRule {
    what: "environment variable name",
    min: 2,
    max: 4096,
    allowed: |c| c.is_ascii_alphanumeric() || c == '_',
    allowed_text: "ASCII letters, digits and underscores",
    first: |c| c.is_ascii_alphabetic(),
    first_text: "a letter",
};

/// CloudFormation export names.
pub const EXPORT: NameRule = NameRule {
    what: "export name",
    min: 1,
    max: 255,
    allowed: |c| c.is_ascii_alphanumeric() || c == '-' || c == ':',
    allowed_text: "ASCII letters, digits, hyphens and colons",
    first: any,
    first_text: "",
};

impl NameRule {
    /// Check `name`; the error says what is wrong with it.
    ///
    /// ```
    /// use cfn_gen::validate::names::FUNCTION;
    /// assert!(FUNCTION.check("nightly-report").is_ok());
    /// let err = FUNCTION.check("nightly report").unwrap_err();
    /// assert!(err.contains("` `"), "{err}");
    /// ```
    pub fn check(&self, name: &str) -> Result<(), String> {
        let len = name.chars().count();
        if len < self.min || len > self.max {
            return Err(format!(
                "{} `{name}` is {len} characters long; it must be {} to {} characters",
                self.what, self.min, self.max
            ));
        }
        let bad: Vec<String> = {
            let mut seen = Vec::new();
            for c in name.chars().filter(|c| !(self.allowed)(*c)) {
                let shown = format!("`{c}`");
                if !seen.contains(&shown) {
                    seen.push(shown);
                }
            }
            seen
        };
        if !bad.is_empty() {
            return Err(format!(
                "{} `{name}` contains {}; only {} are allowed",
                self.what,
                bad.join(", "),
                self.allowed_text
            ));
        }
        match name.chars().next() {
            Some(c) if !(self.first)(c) => Err(format!(
                "{} `{name}` starts with `{c}`; it must start with {}",
                self.what, self.first_text
            )),
            _ => Ok(()),
        }
    }
}

/// Check a name that must end in `.fifo` exactly when `fifo` is set; the
/// suffix counts toward the length limit.
pub fn check_fifo_name(rule: &NameRule, name: &str, fifo: bool) -> Result<(), String> {
    match (fifo, name.strip_suffix(".fifo")) {
        (true, Some(stem)) => rule
            .check(stem)
            .and_then(|()| length_with_suffix(rule, name)),
        (true, None) => Err(format!(
            "{} `{name}` is for a FIFO resource and must end in `.fifo`",
            rule.what
        )),
        (false, Some(_)) => Err(format!(
            "{} `{name}` ends in `.fifo` but the resource is not FIFO",
            rule.what
        )),
        (false, None) => rule.check(name),
    }
}

fn length_with_suffix(rule: &NameRule, name: &str) -> Result<(), String> {
    let len = name.chars().count();
    if len > rule.max {
        Err(format!(
            "{} `{name}` is {len} characters long including `.fifo`; the limit is {}",
            rule.what, rule.max
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_report_length_characters_and_first_letter() {
        assert!(STACK.check("CloudCronExample").is_ok());
        assert!(STACK
            .check("1stack")
            .unwrap_err()
            .contains("must start with a letter"));
        assert!(STACK.check("a_b").unwrap_err().contains("`_`"));
        assert!(FUNCTION
            .check(&"f".repeat(65))
            .unwrap_err()
            .contains("65 characters long; it must be 1 to 64"));
        assert!(SCHEDULE.check("nightly.sync-1_a").is_ok());
        assert!(SCHEDULE.check("").unwrap_err().contains("0 characters"));
        assert!(ENV_VAR
            .check("9X")
            .unwrap_err()
            .contains("start with a letter"));
        assert!(EXPORT.check("shared:alerts-arn").is_ok());
        assert!(EXPORT.check("a/b").unwrap_err().contains("`/`"));
    }

    #[test]
    fn fifo_names_need_the_suffix() {
        assert!(check_fifo_name(&TOPIC, "alerts.fifo", true).is_ok());
        assert!(check_fifo_name(&TOPIC, "alerts", true)
            .unwrap_err()
            .contains("must end in `.fifo`"));
        assert!(check_fifo_name(&TOPIC, "alerts.fifo", false)
            .unwrap_err()
            .contains("not FIFO"));
        let long = format!("{}.fifo", "q".repeat(76));
        assert!(check_fifo_name(&QUEUE, &long, true)
            .unwrap_err()
            .contains("81 characters long including `.fifo`"));
    }
}
