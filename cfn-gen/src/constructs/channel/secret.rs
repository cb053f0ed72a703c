//! Secret references of a channel: their synth-time checks and the IAM
//! statements that let the notifier read exactly those secrets.

use cloud_cron_contract::notifier::SecretRef;

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

/// `ssm:GetParameter` / `secretsmanager:GetSecretValue` on exactly these
/// secrets. SecureStrings under the AWS managed key `aws/ssm` need no KMS
/// statement: that key's policy lets SSM decrypt for the account's roles.
pub(crate) fn statements<'a>(secrets: impl Iterator<Item = &'a SecretRef>) -> Vec<iam::Statement> {
    let mut parameters = Vec::new();
    let mut managed = Vec::new();
    for secret in secrets {
        match secret {
            SecretRef::Ssm { name } => {
                let name = name.strip_prefix('/').unwrap_or(name);
                let arn = Value::sub(format!(
                    "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/{name}"
                ));
                if !parameters.contains(&arn) {
                    parameters.push(arn);
                }
            }
            SecretRef::SecretsManager { id } => {
                let arn = if id.starts_with("arn:") {
                    Value::String(id.clone())
                } else {
                    // A secret's ARN ends in `-` and six random characters.
                    Value::sub(format!(
                        "arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{id}-??????"
                    ))
                };
                if !managed.contains(&arn) {
                    managed.push(arn);
                }
            }
        }
    }
    let mut out = Vec::new();
    if !parameters.is_empty() {
        out.push(iam::Statement::allow(["ssm:GetParameter"], parameters));
    }
    if !managed.is_empty() {
        out.push(iam::Statement::allow(
            ["secretsmanager:GetSecretValue"],
            managed,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
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
