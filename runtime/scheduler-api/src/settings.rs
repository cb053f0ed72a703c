//! Owns [`ApiSettings`]: which authorizer value names the caller's tenant
//! and how large a request may be, read from `CLOUDCRON_API_*` variables.

use cloud_cron_scheduler::MAX_INPUT_BYTES;

use cloud_cron_contract::schedules_api::{
    DEFAULT_IAM_TENANT_FIELD, DEFAULT_TENANT_CLAIM, MIN_MAX_BODY_BYTES,
};

/// The variables, shared with the `SchedulesApi` construct that sets them:
/// the JWT claim holding the tenant (default `tenant`); which IAM caller
/// value is the tenant (`accountId` (default), `userArn`, `userId`,
/// `callerId` or `principalOrgId`); the largest request body in bytes
/// (default [`DEFAULT_MAX_BODY_BYTES`]).
pub use cloud_cron_contract::schedules_api::{
    IAM_TENANT_ENV, MAX_BODY_BYTES_ENV, TENANT_CLAIM_ENV,
};

/// Default largest body: room for a payload of the client's maximum input
/// size plus the other fields.
pub const DEFAULT_MAX_BODY_BYTES: usize = MAX_INPUT_BYTES + 8 * 1024;

/// The value of `requestContext.authorizer.iam` that is the tenant of a
/// caller signed with SigV4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IamTenant {
    /// `accountId`: every principal of an AWS account is one tenant.
    AccountId,
    /// `userArn`: one tenant per IAM user or role session. For an assumed role
    /// the ARN ends in the session name, so each session is its own tenant.
    UserArn,
    /// `userId`: the principal's unique id (`AROA...:session` for roles).
    UserId,
    /// `callerId`.
    CallerId,
    /// `principalOrgId`: every account of an AWS Organization is one tenant.
    PrincipalOrgId,
}

impl IamTenant {
    /// Every value, in the order of the contract's `IAM_TENANT_FIELDS`.
    pub const ALL: [IamTenant; 5] = [
        IamTenant::AccountId,
        IamTenant::UserArn,
        IamTenant::UserId,
        IamTenant::CallerId,
        IamTenant::PrincipalOrgId,
    ];

    /// Reads the variable's spelling (the field name in the event).
    pub fn parse(value: &str) -> Option<IamTenant> {
        IamTenant::ALL.into_iter().find(|t| t.field() == value)
    }

    /// The field name in `requestContext.authorizer.iam`.
    pub fn field(self) -> &'static str {
        match self {
            IamTenant::AccountId => "accountId",
            IamTenant::UserArn => "userArn",
            IamTenant::UserId => "userId",
            IamTenant::CallerId => "callerId",
            IamTenant::PrincipalOrgId => "principalOrgId",
        }
    }
}

/// A setting the environment holds wrongly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("environment variable {name} is `{value}`: {problem}")]
pub struct SettingsError {
    /// The variable.
    pub name: &'static str,
    /// Its value.
    pub value: String,
    /// What it must be.
    pub problem: &'static str,
}

/// How the API reads tenants and sizes requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiSettings {
    /// The JWT claim holding the tenant.
    pub tenant_claim: String,
    /// The IAM caller value that is the tenant.
    pub iam_tenant: IamTenant,
    /// The largest request body in bytes (after base64 decoding).
    pub max_body_bytes: usize,
    /// The largest payload in bytes (its JSON text); the schedule input it is
    /// wrapped in is checked against the client's own limit too.
    pub max_payload_bytes: usize,
}

impl Default for ApiSettings {
    fn default() -> Self {
        ApiSettings {
            tenant_claim: DEFAULT_TENANT_CLAIM.to_owned(),
            iam_tenant: IamTenant::parse(DEFAULT_IAM_TENANT_FIELD).unwrap_or(IamTenant::AccountId),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_payload_bytes: MAX_INPUT_BYTES,
        }
    }
}

impl ApiSettings {
    /// Settings from the process environment; unset variables take defaults.
    pub fn from_env() -> Result<ApiSettings, SettingsError> {
        ApiSettings::from_lookup(|name| std::env::var(name).ok())
    }

    /// Settings from `lookup` (a variable's value by name).
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<ApiSettings, SettingsError> {
        let mut settings = ApiSettings::default();
        if let Some(claim) = lookup(TENANT_CLAIM_ENV) {
            if claim.trim().is_empty() {
                return Err(SettingsError {
                    name: TENANT_CLAIM_ENV,
                    value: claim,
                    problem: "it must name a JWT claim, e.g. `tenant` or `custom:tenant`",
                });
            }
            settings.tenant_claim = claim;
        }
        if let Some(value) = lookup(IAM_TENANT_ENV) {
            settings.iam_tenant = IamTenant::parse(&value).ok_or(SettingsError {
                name: IAM_TENANT_ENV,
                value,
                problem: "it must be one of accountId, userArn, userId, callerId, principalOrgId",
            })?;
        }
        if let Some(value) = lookup(MAX_BODY_BYTES_ENV) {
            settings.max_body_bytes = value
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= MIN_MAX_BODY_BYTES)
                .ok_or(SettingsError {
                    name: MAX_BODY_BYTES_ENV,
                    value,
                    problem: "it must be a number of bytes, at least 1024",
                })?;
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let none = ApiSettings::from_lookup(|_| None).expect("defaults");
        assert_eq!(none, ApiSettings::default());
        assert_eq!(none.tenant_claim, "tenant");
        let set = ApiSettings::from_lookup(|name| match name {
            TENANT_CLAIM_ENV => Some("custom:org".to_owned()),
            IAM_TENANT_ENV => Some("userArn".to_owned()),
            MAX_BODY_BYTES_ENV => Some("4096".to_owned()),
            _ => None,
        })
        .expect("valid");
        assert_eq!(set.tenant_claim, "custom:org");
        assert_eq!(set.iam_tenant, IamTenant::UserArn);
        assert_eq!(set.max_body_bytes, 4096);
    }

    #[test]
    fn iam_tenants_are_the_contract_fields() {
        use cloud_cron_contract::schedules_api::IAM_TENANT_FIELDS;
        let fields: Vec<&str> = IamTenant::ALL.iter().map(|t| t.field()).collect();
        assert_eq!(fields, IAM_TENANT_FIELDS);
        for field in IAM_TENANT_FIELDS {
            assert_eq!(IamTenant::parse(field).map(IamTenant::field), Some(field));
        }
        assert_eq!(ApiSettings::default().iam_tenant, IamTenant::AccountId);
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err =
            ApiSettings::from_lookup(|name| (name == IAM_TENANT_ENV).then(|| "account".to_owned()))
                .expect_err("invalid");
        assert_eq!(err.name, IAM_TENANT_ENV);
        assert!(err.to_string().contains("accountId, userArn"), "{err}");
        let err =
            ApiSettings::from_lookup(|name| (name == MAX_BODY_BYTES_ENV).then(|| "12".to_owned()))
                .expect_err("too small");
        assert_eq!(err.name, MAX_BODY_BYTES_ENV);
    }
}
