//! Tenant resolution and validation.
//!
//! The JS layer hands every data operation the tenant found in its
//! AsyncLocalStorage store (or nothing). Resolution then follows DynamoBao's
//! order (spec §6.1): the explicit (ALS) tenant, then the process-wide
//! `setCurrentTenant` fallback, then the registered resolvers in order. The
//! winner is validated by [`validate_tenant_id`] — the only place a tenant id
//! is checked — before any key is built from it.

use crate::error::{Error, ErrorCode, Result};

/// Longest tenant id accepted. Keys are limited to 2048 bytes (partition keys
/// to 2048, sort keys to 1024); a short bound leaves the rest for model data.
pub const MAX_TENANT_ID_CHARS: usize = 128;

/// The message DynamoBao uses when tenancy is enabled and no tenant is known;
/// the original suite matches it verbatim.
pub const TENANT_REQUIRED_MESSAGE: &str = "Tenant context is required when tenancy is enabled. \
Use TenantContext.runWithTenant(tenantId, callback) or add tenant resolvers.";

/// A value that may name a tenant, as it arrived from JS.
#[derive(Debug, Clone, PartialEq)]
pub enum Candidate {
    /// `null` or `undefined`: nothing was said, resolution goes on.
    Missing,
    Text(String),
    /// Any other JS value; `truthy` follows JS truthiness (resolvers skip falsy results).
    Other {
        js_type: &'static str,
        truthy: bool,
    },
}

impl Candidate {
    /// Resolvers follow the original: a falsy result means "not me".
    fn is_truthy(&self) -> bool {
        match self {
            Candidate::Missing => false,
            Candidate::Text(s) => !s.is_empty(),
            Candidate::Other { truthy, .. } => *truthy,
        }
    }
}

/// A validated tenant id: safe to place between `[` and `]#` in any key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TenantId(String);

impl TenantId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `key` starts with this tenant's prefix, `[<tenant>]#`.
    pub fn owns_key(&self, key: &str) -> bool {
        key.strip_prefix('[')
            .and_then(|rest| rest.strip_prefix(self.as_str()))
            .is_some_and(|rest| rest.starts_with("]#"))
    }
}

/// The one validation function for tenant ids.
///
/// Rules: a string, non-empty, at most [`MAX_TENANT_ID_CHARS`] characters, no
/// `[`, `]` or `#` (they delimit the tenant prefix, so allowing them would let
/// one tenant's keys collide with another's, e.g. tenant `a]#b`), and no control
/// characters (invisible in logs and IAM policies).
pub fn validate_tenant_id(candidate: &Candidate) -> Result<TenantId> {
    let refuse = |rule: String| Err(Error::new(ErrorCode::InvalidTenantId, rule));
    let s = match candidate {
        Candidate::Text(s) => s,
        Candidate::Missing => return refuse("Invalid tenant id: it is null or undefined".into()),
        Candidate::Other { js_type, .. } => {
            return refuse(format!(
                "Invalid tenant id: it must be a string, got {js_type}"
            ))
        }
    };
    if s.is_empty() {
        return refuse("Invalid tenant id: it must not be empty".into());
    }
    let chars = s.chars().count();
    if chars > MAX_TENANT_ID_CHARS {
        return refuse(format!(
            "Invalid tenant id: it has {chars} characters, at most {MAX_TENANT_ID_CHARS} are allowed"
        ));
    }
    if let Some(c) = s.chars().find(|c| matches!(c, '[' | ']' | '#')) {
        return refuse(format!(
            "Invalid tenant id: it must not contain '{c}' ('[', ']' and '#' delimit the tenant prefix in keys)"
        ));
    }
    if s.chars().any(char::is_control) {
        return refuse("Invalid tenant id: it must not contain control characters".into());
    }
    // JS strings reach Rust as UTF-8, where a lone surrogate becomes U+FFFD: two
    // different ids ("a\uD800", "a\uDBFF") would share one prefix.
    if s.contains('\u{FFFD}') {
        return refuse(
            "Invalid tenant id: it must not contain U+FFFD or a lone surrogate (they cannot be told apart in keys)".into(),
        );
    }
    Ok(TenantId(s.clone()))
}

/// Picks the candidate that names the tenant, without validating it.
///
/// `resolvers` is lazy: a resolver runs only when everything before it said
/// nothing, exactly as in the original (resolvers run on every lookup).
pub fn resolve<I>(explicit: &Candidate, fallback: &Candidate, resolvers: I) -> Result<Candidate>
where
    I: IntoIterator<Item = Result<Candidate>>,
{
    if *explicit != Candidate::Missing {
        return Ok(explicit.clone());
    }
    if *fallback != Candidate::Missing {
        return Ok(fallback.clone());
    }
    for result in resolvers {
        let c = result?;
        if c.is_truthy() {
            return Ok(c);
        }
    }
    Ok(Candidate::Missing)
}

/// What a manager's config says about tenants.
#[derive(Debug, Clone, Default)]
pub struct TenancyPolicy {
    /// `tenancy.enabled`: no data operation runs without a tenant.
    pub enabled: bool,
    /// `tenancy.strict`: the process-wide `setCurrentTenant` fallback does not
    /// count, so only `runWithTenant`/`withTenant` and resolvers supply a tenant
    /// (a fallback left behind by one request cannot leak into another).
    pub strict: bool,
    /// The legacy `testId` / `tenantId` from the config, used only when tenancy
    /// is disabled (with tenancy enabled, falling back to the tenant that was
    /// current at `initModels` would silently cross tenants).
    pub default_tenant: Option<TenantId>,
}

/// The tenant a data operation runs as: validated, and required when tenancy is on.
pub fn effective_tenant(policy: &TenancyPolicy, resolved: &Candidate) -> Result<Option<TenantId>> {
    match resolved {
        Candidate::Missing if policy.enabled && policy.strict => Err(Error::new(
            ErrorCode::TenantRequired,
            format!("{TENANT_REQUIRED_MESSAGE} (tenancy.strict is on: setCurrentTenant() does not supply a tenant)"),
        )),
        Candidate::Missing if policy.enabled => Err(Error::new(
            ErrorCode::TenantRequired,
            TENANT_REQUIRED_MESSAGE,
        )),
        Candidate::Missing => Ok(policy.default_tenant.clone()),
        c => validate_tenant_id(c).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Candidate {
        Candidate::Text(s.to_string())
    }

    #[test]
    fn owns_only_keys_under_its_own_prefix() {
        let t = validate_tenant_id(&text("acme")).unwrap();
        assert!(t.owns_key("[acme]#u#1"));
        for other in [
            "[acme2]#u#1",
            "[acm]#u#1",
            "acme#u#1",
            "[acme]u#1",
            "[acme]",
            "",
        ] {
            assert!(!t.owns_key(other), "{other}");
        }
    }

    #[test]
    fn accepts_ordinary_ids() {
        for id in [
            "01ARZ3NDEKTSV4RRFFQ69G5FAV",
            "tenant-123",
            "acme_co",
            "é-ü",
            &"x".repeat(128),
        ] {
            assert_eq!(
                validate_tenant_id(&text(id)).map(|t| t.0),
                Ok(id.to_string())
            );
        }
    }

    #[test]
    fn refuses_hostile_ids_naming_the_rule() {
        let cases: Vec<(Candidate, &str)> = vec![
            (text("a]#b"), "must not contain ']'"),
            (text("#"), "must not contain '#'"),
            (text("[x"), "must not contain '['"),
            (text(""), "must not be empty"),
            (text(&"x".repeat(300)), "300 characters"),
            (text("a\u{0}b"), "control characters"),
            (text("a\nb"), "control characters"),
            (text("sur\u{FFFD}"), "lone surrogate"),
            (
                Candidate::Other {
                    js_type: "number",
                    truthy: true,
                },
                "got number",
            ),
            (
                Candidate::Other {
                    js_type: "object",
                    truthy: true,
                },
                "got object",
            ),
            (Candidate::Missing, "null or undefined"),
        ];
        for (c, rule) in cases {
            let err = validate_tenant_id(&c).expect_err("must be refused");
            assert_eq!(err.code, ErrorCode::InvalidTenantId);
            assert!(err.message.contains(rule), "{:?}: {}", c, err.message);
        }
    }

    #[test]
    fn explicit_beats_fallback_beats_resolvers() {
        let never = || {
            std::iter::from_fn(|| -> Option<Result<Candidate>> { panic!("resolvers must not run") })
        };
        assert_eq!(resolve(&text("a"), &text("b"), never()).unwrap(), text("a"));
        assert_eq!(
            resolve(&Candidate::Missing, &text("b"), never()).unwrap(),
            text("b")
        );
    }

    #[test]
    fn resolvers_run_in_order_and_skip_falsy_results() {
        let mut calls = Vec::new();
        let results = [
            Candidate::Missing,
            text(""),
            Candidate::Other {
                js_type: "boolean",
                truthy: false,
            },
            text("r4"),
            text("r5"),
        ];
        let got = resolve(
            &Candidate::Missing,
            &Candidate::Missing,
            results.iter().enumerate().map(|(i, c)| {
                calls.push(i);
                Ok(c.clone())
            }),
        )
        .unwrap();
        assert_eq!(got, text("r4"));
        assert_eq!(calls, vec![0, 1, 2, 3]);
    }

    #[test]
    fn explicit_empty_string_is_not_skipped() {
        // An explicit runWithTenant("") is a caller bug; it must not fall through
        // to the process-wide fallback tenant.
        let got = resolve(&text(""), &text("fallback"), Vec::new()).unwrap();
        assert!(validate_tenant_id(&got).is_err());
    }

    #[test]
    fn resolver_errors_propagate() {
        let err = resolve(
            &Candidate::Missing,
            &Candidate::Missing,
            vec![Err(Error::internal("boom"))],
        )
        .unwrap_err();
        assert_eq!(err.message, "boom");
    }

    #[test]
    fn tenancy_enabled_requires_a_tenant() {
        let on = TenancyPolicy {
            enabled: true,
            strict: false,
            default_tenant: Some(TenantId("old".into())),
        };
        let err = effective_tenant(&on, &Candidate::Missing).unwrap_err();
        assert_eq!(err.code, ErrorCode::TenantRequired);
        assert_eq!(err.message, TENANT_REQUIRED_MESSAGE);
        assert_eq!(
            effective_tenant(&on, &text("t1")).unwrap(),
            Some(TenantId("t1".into()))
        );
    }

    #[test]
    fn strict_tenancy_says_why() {
        let strict = TenancyPolicy {
            enabled: true,
            strict: true,
            default_tenant: None,
        };
        let err = effective_tenant(&strict, &Candidate::Missing).unwrap_err();
        assert_eq!(err.code, ErrorCode::TenantRequired);
        assert!(err.message.starts_with(TENANT_REQUIRED_MESSAGE));
        assert!(err.message.contains("tenancy.strict"));
    }

    #[test]
    fn tenancy_disabled_uses_the_legacy_default() {
        let off = TenancyPolicy {
            enabled: false,
            strict: false,
            default_tenant: Some(TenantId("legacy".into())),
        };
        assert_eq!(
            effective_tenant(&off, &Candidate::Missing).unwrap(),
            Some(TenantId("legacy".into()))
        );
        assert_eq!(
            effective_tenant(&TenancyPolicy::default(), &Candidate::Missing).unwrap(),
            None
        );
        assert!(effective_tenant(&off, &text("a#b")).is_err());
    }
}
