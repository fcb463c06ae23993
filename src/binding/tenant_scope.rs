//! `TenantContext`'s process-wide state, held natively: the
//! `setCurrentTenant` fallback and the resolvers, and the resolution that
//! every data operation runs before it builds a key.

use std::cell::RefCell;

use napi::bindgen_prelude::{FromNapiValue, FunctionRef, Unknown};
use napi::{Env, JsValue, Status, ValueType};
use napi_derive::napi;

use crate::error::{Error as CoreError, ErrorCode};
use crate::tenant::{resolve, validate_tenant_id, Candidate};

type Resolver = FunctionRef<(), Unknown<'static>>;

/// A JS value as a tenant candidate, following JS truthiness.
pub(crate) fn candidate(env: &Env, v: &Unknown) -> napi::Result<Candidate> {
    Ok(match v.get_type()? {
        ValueType::Undefined | ValueType::Null => Candidate::Missing,
        ValueType::String => {
            Candidate::Text(unsafe { String::from_napi_value(env.raw(), v.raw())? })
        }
        ValueType::Boolean => Candidate::Other {
            js_type: "boolean",
            truthy: unsafe { bool::from_napi_value(env.raw(), v.raw())? },
        },
        ValueType::Number => {
            let n = unsafe { f64::from_napi_value(env.raw(), v.raw())? };
            Candidate::Other {
                js_type: "number",
                truthy: n != 0.0 && !n.is_nan(),
            }
        }
        ValueType::BigInt => Candidate::Other {
            js_type: "bigint",
            truthy: true,
        },
        ValueType::Symbol => Candidate::Other {
            js_type: "symbol",
            truthy: true,
        },
        ValueType::Function => Candidate::Other {
            js_type: "function",
            truthy: true,
        },
        _ => Candidate::Other {
            js_type: "object",
            truthy: true,
        },
    })
}

/// Whether resolution stops at the fallback (so no resolver runs).
fn use_fallback_or_empty(fallback: &Candidate, use_fallback: bool) -> bool {
    use_fallback && *fallback != Candidate::Missing
}

/// Clears the re-entry flag however resolution ends.
struct ResetOnDrop<'a>(&'a std::cell::Cell<bool>);

impl Drop for ResetOnDrop<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

/// One per loaded copy of `lib/tenant-context.js`, so a fresh module registry
/// (Jest gives each test file one) starts with fresh tenant state.
#[napi]
pub struct TenantScope {
    fallback: Candidate,
    resolvers: Vec<Resolver>,
    /// Set while resolvers run: a resolver that asks for the tenant again would
    /// recurse until the stack overflows inside V8.
    resolving: std::cell::Cell<bool>,
}

impl Default for TenantScope {
    fn default() -> Self {
        Self::new()
    }
}

#[napi]
impl TenantScope {
    #[napi(constructor)]
    pub fn new() -> Self {
        TenantScope {
            fallback: Candidate::Missing,
            resolvers: Vec::new(),
            resolving: std::cell::Cell::new(false),
        }
    }

    /// `setCurrentTenant(id)` outside any `runWithTenant` scope.
    #[napi]
    pub fn set_fallback(&mut self, env: Env, value: Unknown) -> napi::Result<()> {
        self.fallback = candidate(&env, &value)?;
        Ok(())
    }

    #[napi]
    pub fn clear_fallback(&mut self) {
        self.fallback = Candidate::Missing;
    }

    #[napi]
    pub fn add_resolver(&mut self, resolver: Resolver) {
        self.resolvers.push(resolver);
    }

    #[napi]
    pub fn clear_resolvers(&mut self) {
        self.resolvers.clear();
    }

    /// The candidate for an operation whose AsyncLocalStorage tenant is `explicit`.
    /// A resolver that throws makes this fail with that very exception.
    /// With `use_fallback` false (`tenancy.strict`) the `setCurrentTenant`
    /// fallback is skipped.
    pub(crate) fn resolve(
        &self,
        env: &Env,
        explicit: &Unknown,
        use_fallback: bool,
    ) -> napi::Result<Candidate> {
        let explicit = candidate(env, explicit)?;
        let needs_resolvers = explicit == Candidate::Missing
            && !use_fallback_or_empty(&self.fallback, use_fallback)
            && !self.resolvers.is_empty();
        // Only the call that set the flag clears it again.
        let _guard = if needs_resolvers {
            if self.resolving.get() {
                // Thrown here so that it carries a stable code: napi's own
                // statuses would reach JS as `GenericFailure`.
                let message = "A tenant resolver asked for the current tenant (getCurrentTenant() or a data operation inside a resolver); resolvers must not depend on the tenant they resolve";
                env.throw_error(message, Some(ErrorCode::Configuration.as_str()))?;
                return Err(napi::Error::new(Status::PendingException, message));
            }
            self.resolving.set(true);
            Some(ResetOnDrop(&self.resolving))
        } else {
            None
        };
        let thrown: RefCell<Option<napi::Error>> = RefCell::new(None);
        let resolvers = self.resolvers.iter().map(|r| {
            r.borrow_back(env)
                .and_then(|f| f.call(()))
                .and_then(|v| candidate(env, &v))
                .map_err(|e| {
                    let message = e.reason.clone();
                    *thrown.borrow_mut() = Some(e);
                    CoreError::new(ErrorCode::Internal, message)
                })
        });
        let fallback = if use_fallback {
            &self.fallback
        } else {
            &Candidate::Missing
        };
        let resolved = resolve(&explicit, fallback, resolvers);
        if let Some(e) = thrown.into_inner() {
            return Err(e);
        }
        resolved.map_err(|e| napi::Error::new(Status::GenericFailure, e.message))
    }

    /// `getCurrentTenant()` below the AsyncLocalStorage level: the fallback,
    /// then the resolvers; unvalidated, like the original. A value that is not
    /// a string fails with status `InvalidArg` (the JS layer reports it as
    /// `INVALID_TENANT_ID`).
    #[napi]
    pub fn current(&self, env: Env, explicit: Unknown) -> napi::Result<Option<String>> {
        match self.resolve(&env, &explicit, true)? {
            Candidate::Missing => Ok(None),
            Candidate::Text(s) => Ok(Some(s)),
            other => {
                let message = validate_tenant_id(&other)
                    .err()
                    .map(|e| e.message)
                    .unwrap_or_default();
                Err(napi::Error::new(Status::InvalidArg, message))
            }
        }
    }
}

/// The one tenant-id validation, for JS code that admits a tenant from outside
/// (the Express middleware, the Lambda wrapper) before any operation runs.
/// Returns the id; throws with code `INVALID_TENANT_ID`.
#[napi(js_name = "validateTenantId")]
#[cfg_attr(test, allow(dead_code))] // registered with Node by #[napi]
pub fn validate_tenant_id_export(env: Env, id: Unknown) -> napi::Result<String, ErrorCode> {
    let c = candidate(&env, &id)
        .map_err(|e| napi::Error::new(ErrorCode::Internal, e.reason.clone()))?;
    validate_tenant_id(&c)
        .map(|t| t.as_str().to_string())
        .map_err(|e| napi::Error::new(e.code, e.message))
}
