//! A function's task secrets (`.secret(NAME, SecretRef)`): the reference in
//! `CLOUDCRON_SECRET_<NAME>` (the contract's
//! [`task_secret`](cloud_cron_contract::task_secret) scheme), read on exactly
//! that parameter or secret, `kms:Decrypt` on a customer managed key when one
//! is given, and their synth-time checks. Values never reach the template.

use std::collections::BTreeMap;

use cloud_cron_contract::notifier::SecretRef;
use cloud_cron_contract::task_secret::secret_env_var;

use crate::constructs::grant::Grantee;
use crate::constructs::secret::{self, SecretGrants};
use crate::resources::iam::Statement;
use crate::validate::Report;
use crate::value::Value;

/// One secret a task reads at run time.
#[derive(Debug, Clone)]
pub(crate) struct TaskSecret {
    /// `ODOO_PASSWORD`: what the task passes to `ctx.secret(..)`.
    pub name: String,
    /// Where the value lives.
    pub reference: SecretRef,
    /// The customer managed KMS key that encrypts it, if not an AWS managed one.
    pub kms_key_arn: Option<String>,
}

impl TaskSecret {
    /// Bytes its variable takes.
    pub fn env_bytes(&self) -> usize {
        secret_env_var(&self.name).map_or(0, |var| var.len()) + self.reference.to_string().len()
    }

    /// Its variable and the reference, when the name is valid.
    pub fn env(&self) -> Option<(String, Value)> {
        let var = secret_env_var(&self.name).ok()?;
        Some((var, Value::String(self.reference.to_string())))
    }

    /// Read on exactly the parameter or secret, and decrypt with its key.
    pub fn grant(&self, grantee: &dyn Grantee) {
        self.reference.grant_read(grantee);
        if let Some(key) = &self.kms_key_arn {
            grantee.add_to_role_policy(Statement::allow(
                ["kms:Decrypt"],
                vec![Value::String(key.clone())],
            ));
        }
    }
}

/// Valid names, each once, not clashing with an added variable; valid
/// references and key ARNs.
pub(super) fn check_secrets(
    path: &str,
    secrets: &[TaskSecret],
    added_env: &BTreeMap<String, Value>,
    report: &mut Report,
) {
    let mut seen = BTreeMap::new();
    for s in secrets {
        match secret_env_var(&s.name) {
            Err(e) => report.error(
                path,
                e.to_string(),
                "pass a name like \"ODOO_PASSWORD\" to .secret(); the task reads it with ctx.secret(\"ODOO_PASSWORD\")",
            ),
            Ok(var) => {
                if seen.insert(s.name.clone(), ()).is_some() {
                    report.error(
                        path,
                        format!("secret {} is declared twice", s.name),
                        "declare each secret once with .secret(NAME, SecretRef)",
                    );
                }
                if added_env.contains_key(&var) {
                    report.error(
                        path,
                        format!("environment variable {var} is set by both .secret() and .add_environment()"),
                        "drop the .add_environment() call: .secret() sets it",
                    );
                }
            }
        }
        if let Err(message) = secret::check(&s.reference) {
            report.error(
                path,
                format!("secret {}: {message}", s.name),
                "pass SecretRef::ssm(\"/app/parameter-name\") or SecretRef::secrets_manager(\"app/secret-name\")",
            );
        }
        if let Some(key) = &s.kms_key_arn {
            if !is_kms_key_arn(key) {
                report.error(
                    path,
                    format!("secret {}: `{key}` is not a KMS key ARN", s.name),
                    "pass the key's ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID; not an alias) to .secret_with_key(), or use .secret() for a secret under an AWS managed key",
                );
            }
        }
    }
}

/// `arn:PARTITION:kms:REGION:ACCOUNT:key/ID`.
pub(crate) fn is_kms_key_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && !parts[1].is_empty()
        && parts[2] == "kms"
        && !parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && parts[5].strip_prefix("key/").is_some_and(|id| {
            !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_arns_are_recognised() {
        assert!(is_kms_key_arn(
            "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        ));
        assert!(!is_kms_key_arn(
            "arn:aws:kms:eu-west-1:123456789012:alias/erp"
        ));
        assert!(!is_kms_key_arn("1234abcd-12ab-34cd-56ef-1234567890ab"));
    }
}
