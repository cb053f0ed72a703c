//! Owns [`Tenant`]: who the caller is, taken from the API Gateway authorizer
//! context (never from the request), and the key namespace that keeps one
//! tenant's schedules apart from every other's.
//!
//! The scheduler client reads a key's tenant as the part before its first
//! `/`, so a caller's key `invoice-7` is stored as `<namespace>/invoice-7`.
//! The namespace is the tenant with `%`, `/` and `:` percent-escaped (so no
//! tenant can reach into another's namespace with a `/` of its own), and IAM
//! tenants are prefixed `iam:` (so a JWT tenant that happens to equal an
//! account id is still another tenant). Escaping is injective: distinct
//! tenants never share a namespace.

use aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

use crate::problem::ApiError;
use crate::settings::{ApiSettings, IamTenant};

/// Characters escaped in a namespace: the escape itself, the client's tenant
/// separator, and the IAM prefix's separator.
const ESCAPED: &AsciiSet = &CONTROLS.add(b'%').add(b'/').add(b':');

/// Which authorizer vouched for the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantSource {
    /// A JWT authorizer's claim.
    Jwt,
    /// IAM (SigV4) authorization.
    Iam,
}

/// The caller's tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    value: String,
    source: TenantSource,
}

impl Tenant {
    /// A tenant named `value` by `source`; `None` if `value` is blank.
    pub fn new(value: &str, source: TenantSource) -> Option<Tenant> {
        (!value.trim().is_empty()).then(|| Tenant {
            value: value.to_owned(),
            source,
        })
    }

    /// The tenant as the authorizer gave it.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Which authorizer gave it.
    pub fn source(&self) -> TenantSource {
        self.source
    }

    /// The tenant part of the client keys of this tenant (what the target
    /// sees as `tenant`).
    ///
    /// ```
    /// use cloud_cron_scheduler_api::tenant::{Tenant, TenantSource};
    /// let jwt = Tenant::new("acme/eu", TenantSource::Jwt).unwrap();
    /// assert_eq!(jwt.namespace(), "acme%2Feu");
    /// let iam = Tenant::new("123456789012", TenantSource::Iam).unwrap();
    /// assert_eq!(iam.namespace(), "iam:123456789012");
    /// ```
    pub fn namespace(&self) -> String {
        let escaped = utf8_percent_encode(&self.value, ESCAPED).to_string();
        match self.source {
            TenantSource::Jwt => escaped,
            TenantSource::Iam => format!("iam:{escaped}"),
        }
    }

    /// The client key of the caller's `key`.
    pub fn scoped_key(&self, key: &str) -> String {
        format!("{}/{key}", self.namespace())
    }

    /// The caller's key within `scoped`, if `scoped` belongs to this tenant.
    pub fn unscoped<'a>(&self, scoped: &'a str) -> Option<&'a str> {
        let (namespace, key) = scoped.split_once('/')?;
        (namespace == self.namespace()).then_some(key)
    }

    /// The caller's tenant from `context.authorizer`: the JWT claim
    /// `settings.tenant_claim`, or the IAM caller's `settings.iam_tenant`.
    /// No authorizer context (or only a Lambda authorizer's) is 401; an
    /// authorizer without the tenant value is 403.
    pub fn from_context(
        context: &ApiGatewayV2httpRequestContext,
        settings: &ApiSettings,
    ) -> Result<Tenant, ApiError> {
        let unauthenticated = || {
            ApiError::new(
                401,
                "no JWT or IAM authorizer identified the caller: configure a JWT authorizer or IAM authorization on the route",
            )
        };
        let authorizer = context.authorizer.as_ref().ok_or_else(unauthenticated)?;
        if let Some(jwt) = &authorizer.jwt {
            let claim = &settings.tenant_claim;
            return jwt
                .claims
                .get(claim)
                .and_then(|value| Tenant::new(value, TenantSource::Jwt))
                .ok_or_else(|| {
                    ApiError::new(
                        403,
                        format!(
                            "the token has no `{claim}` claim: it must name the caller's tenant"
                        ),
                    )
                });
        }
        if let Some(iam) = &authorizer.iam {
            let field = settings.iam_tenant;
            let value = match field {
                IamTenant::AccountId => &iam.account_id,
                IamTenant::UserArn => &iam.user_arn,
                IamTenant::UserId => &iam.user_id,
                IamTenant::CallerId => &iam.caller_id,
                IamTenant::PrincipalOrgId => &iam.principal_org_id,
            };
            return value
                .as_deref()
                .and_then(|value| Tenant::new(value, TenantSource::Iam))
                .ok_or_else(|| {
                    ApiError::new(
                        403,
                        format!(
                            "the IAM caller has no `{}`: it names the caller's tenant",
                            field.field()
                        ),
                    )
                });
        }
        Err(unauthenticated())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_are_injective_and_slash_free() {
        let tenants = [
            Tenant::new("a", TenantSource::Jwt),
            Tenant::new("a/b", TenantSource::Jwt),
            Tenant::new("a%2Fb", TenantSource::Jwt),
            Tenant::new("iam:a", TenantSource::Jwt),
            Tenant::new("a", TenantSource::Iam),
        ];
        let namespaces: Vec<String> = tenants
            .iter()
            .map(|t| t.as_ref().expect("non-blank").namespace())
            .collect();
        for (i, a) in namespaces.iter().enumerate() {
            assert!(!a.contains('/'), "{a}");
            for b in &namespaces[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn keys_round_trip_within_their_tenant_only() {
        let a = Tenant::new("a", TenantSource::Jwt).expect("tenant");
        let ab = Tenant::new("a/b", TenantSource::Jwt).expect("tenant");
        let scoped = a.scoped_key("b/c");
        assert_eq!(a.unscoped(&scoped), Some("b/c"));
        assert_eq!(ab.unscoped(&scoped), None);
        assert_ne!(ab.scoped_key("c"), scoped);
        assert!(Tenant::new("  ", TenantSource::Jwt).is_none());
    }
}
