//! Secret references ([`SecretRef`]: an SSM SecureString parameter or a
//! Secrets Manager secret): their synth-time checks, and the grant that lets
//! a function read exactly that secret ([`SecretGrants::grant_read`]).

use cloud_cron_contract::notifier::SecretRef;

use crate::constructs::grant::{grant_parameter_read, Grantee};
use crate::resources::iam;
use crate::value::Value;

/// What is wrong with a reference, if anything.
/// A reference that is itself a secret (a webhook URL, a token) is described by kind and
/// never echoed.
pub(crate) fn check(secret: &SecretRef) -> Result<(), String> {
    let (SecretRef::Ssm { name: text } | SecretRef::SecretsManager { id: text }) = secret;
    if let Some(kind) = crate::validate::secrets::find_secret("", text) {
        return Err(format!(
            "the secret reference looks like {kind} itself (not shown), where the name of the parameter or secret that stores it belongs"
        ));
    }
    match secret {
        SecretRef::Ssm { name } => {
            let ok = !name.is_empty()
                && name.len() <= 2048
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.-/".contains(c));
            if ok {
                Ok(())
            } else {
                Err(format!(
                    "`{name}` is not an SSM parameter name (letters, digits, `_`, `.`, `-`, `/`)"
                ))
            }
        }
        SecretRef::SecretsManager { id } => {
            if id.starts_with("arn:") {
                let parts: Vec<&str> = id.splitn(7, ':').collect();
                if parts.len() == 7 && parts[2] == "secretsmanager" && parts[5] == "secret" {
                    Ok(())
                } else {
                    Err(format!("`{id}` is not a Secrets Manager secret ARN (arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX)"))
                }
            } else if !id.is_empty()
                && id.len() <= 512
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c))
            {
                Ok(())
            } else {
                Err(format!(
                    "`{id}` is not a Secrets Manager secret name (letters, digits, `/_+=.@-`)"
                ))
            }
        }
    }
}

/// Read grants on a [`SecretRef`] (a type of the contract crate, hence a trait).
///
/// ```
/// use cfn_gen::{Grantee, RolePolicy, SecretGrants, SecretRef};
/// let policy = RolePolicy::new();
/// SecretRef::ssm("/app/token").grant_read(&policy);
/// SecretRef::secrets_manager("app/key").grant_read(&policy);
/// let actions: Vec<_> = policy.statements().iter().map(|s| s.action[0].clone()).collect();
/// assert_eq!(actions, ["ssm:GetParameter", "secretsmanager:GetSecretValue"]);
/// ```
pub trait SecretGrants {
    /// Let `grantee` read exactly this secret: `ssm:GetParameter` on the
    /// parameter, or `secretsmanager:GetSecretValue` on the secret (by name,
    /// any of the six random characters Secrets Manager appends to the ARN).
    /// SecureStrings under the AWS managed key `aws/ssm` need no KMS
    /// statement: that key's policy lets SSM decrypt for the account's roles.
    fn grant_read(&self, grantee: &dyn Grantee);
}

impl SecretGrants for SecretRef {
    fn grant_read(&self, grantee: &dyn Grantee) {
        match self {
            SecretRef::Ssm { name } => grant_parameter_read(name, grantee),
            SecretRef::SecretsManager { id } => {
                let arn = if id.starts_with("arn:") {
                    Value::String(id.clone())
                } else {
                    // A secret's ARN ends in `-` and six random characters.
                    Value::sub(format!(
                        "arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{id}-??????"
                    ))
                };
                grantee.add_to_role_policy(iam::Statement::allow(
                    ["secretsmanager:GetSecretValue"],
                    vec![arn],
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constructs::grant::RolePolicy;

    #[test]
    fn secrets_manager_grants_cover_the_random_suffix_or_the_exact_arn() {
        let policy = RolePolicy::new();
        SecretRef::secrets_manager("app/key").grant_read(&policy);
        SecretRef::secrets_manager("arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf")
            .grant_read(&policy);
        let statements = policy.statements();
        assert_eq!(statements.len(), 1);
        assert_eq!(
            statements[0].resource,
            vec![
                Value::sub("arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:app/key-??????"),
                Value::String("arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf".into()),
            ]
        );
    }

    #[test]
    fn malformed_references_are_named() {
        assert!(check(&SecretRef::ssm("/ok/name")).is_ok());
        assert!(check(&SecretRef::ssm("bad name")).is_err());
        assert!(check(&SecretRef::secrets_manager("arn:aws:s3:::bucket")).is_err());
    }
}

#[cfg(test)]
mod secret_reference_tests {
    use super::*;

    #[test]
    fn a_secret_given_as_its_own_reference_is_never_echoed() {
        let hook = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX";
        let err = check(&SecretRef::ssm(hook)).unwrap_err();
        assert!(err.contains("Slack webhook URL"), "{err}");
        assert!(!err.contains("hooks.slack.com"), "{err}");
        assert!(check(&SecretRef::ssm("/cloudcron/slack/webhook-url")).is_ok());
        let token = format!("ghp_{}", "A".repeat(36));
        assert!(!check(&SecretRef::secrets_manager(&token))
            .unwrap_err()
            .contains(&token));
    }
}
