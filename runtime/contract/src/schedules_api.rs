//! The schedules HTTP API (`SchedulesApi` in cfn-gen, its handler in
//! `cloud-cron-scheduler-api`): the variables that configure the handler
//! and the values they take, written by the construct and read by the
//! handler from this one definition.

/// The JWT claim holding the caller's tenant (default [`DEFAULT_TENANT_CLAIM`]).
pub const TENANT_CLAIM_ENV: &str = "CLOUDCRON_API_TENANT_CLAIM";
/// Which field of `requestContext.authorizer.iam` is the tenant of a caller
/// signed with SigV4: one of [`IAM_TENANT_FIELDS`] (default
/// [`DEFAULT_IAM_TENANT_FIELD`]).
pub const IAM_TENANT_ENV: &str = "CLOUDCRON_API_IAM_TENANT";
/// The largest request body the handler reads, in bytes (at least
/// [`MIN_MAX_BODY_BYTES`]).
pub const MAX_BODY_BYTES_ENV: &str = "CLOUDCRON_API_MAX_BODY_BYTES";

/// The JWT claim read when [`TENANT_CLAIM_ENV`] is unset.
pub const DEFAULT_TENANT_CLAIM: &str = "tenant";
/// The IAM field read when [`IAM_TENANT_ENV`] is unset: every principal of
/// one AWS account is one tenant.
pub const DEFAULT_IAM_TENANT_FIELD: &str = "accountId";
/// The values [`IAM_TENANT_ENV`] takes: the fields of
/// `requestContext.authorizer.iam` that identify a caller.
///
/// ```
/// use cloud_cron_contract::schedules_api::{DEFAULT_IAM_TENANT_FIELD, IAM_TENANT_FIELDS};
/// assert!(IAM_TENANT_FIELDS.contains(&DEFAULT_IAM_TENANT_FIELD));
/// ```
pub const IAM_TENANT_FIELDS: [&str; 5] = [
    "accountId",
    "userArn",
    "userId",
    "callerId",
    "principalOrgId",
];
/// The smallest value [`MAX_BODY_BYTES_ENV`] takes.
pub const MIN_MAX_BODY_BYTES: usize = 1024;
