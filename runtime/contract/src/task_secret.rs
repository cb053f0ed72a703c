//! Secrets of scheduled tasks: the variable `CLOUDCRON_SECRET_<NAME>` that
//! carries where secret `<NAME>` lives, as a
//! [`SecretRef`](crate::notifier::SecretRef) (`ssm:/erp/odoo/password`,
//! `secretsmanager:erp/odoo`). The same scheme as the notifiers' secrets
//! ([`SECRET_ENV_PREFIX`]): `cfn-gen` writes the variable, the runtime's
//! `RunContext::secret` reads it. Values are never in the environment.

use std::fmt;

pub use crate::notifier::SECRET_ENV_PREFIX;

/// The longest secret name (the variable stays well within Lambda's 4 KB).
pub const MAX_SECRET_NAME_LEN: usize = 64;

/// A secret name that cannot be a variable suffix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSecretName {
    name: String,
}

impl fmt::Display for InvalidSecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "secret name `{}` is not 1 to {MAX_SECRET_NAME_LEN} upper-case ASCII letters, digits and `_` starting with a letter (e.g. ODOO_PASSWORD)",
            self.name
        )
    }
}

impl std::error::Error for InvalidSecretName {}

/// The variable that carries where secret `name` lives.
///
/// ```
/// use cloud_cron_contract::task_secret::secret_env_var;
/// assert_eq!(secret_env_var("ODOO_PASSWORD").unwrap(), "CLOUDCRON_SECRET_ODOO_PASSWORD");
/// assert!(secret_env_var("odoo-password").is_err());
/// ```
///
/// # Errors
///
/// [`InvalidSecretName`] unless `name` is upper-case letters, digits and `_`,
/// starting with a letter, at most [`MAX_SECRET_NAME_LEN`] long.
pub fn secret_env_var(name: &str) -> Result<String, InvalidSecretName> {
    let valid = !name.is_empty()
        && name.len() <= MAX_SECRET_NAME_LEN
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(format!("{SECRET_ENV_PREFIX}{name}"))
    } else {
        Err(InvalidSecretName {
            name: name.chars().take(MAX_SECRET_NAME_LEN).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_upper_case_variable_suffixes() {
        assert_eq!(
            secret_env_var("API_KEY2").as_deref(),
            Ok("CLOUDCRON_SECRET_API_KEY2")
        );
        for bad in ["", "api_key", "2KEY", "_KEY", "A-B", "A B"] {
            assert!(secret_env_var(bad).is_err(), "{bad}");
        }
        assert!(secret_env_var(&"A".repeat(65)).is_err());
        assert!(secret_env_var("odoo")
            .unwrap_err()
            .to_string()
            .contains("`odoo`"));
    }
}
