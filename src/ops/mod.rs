//! Data operations. Each takes an [`OpScope`] — the table, the model and the
//! tenant already resolved and validated — and answers with JSON for the JS
//! layer (dy items, consumed capacity).

pub mod audit;
pub mod batch_get;
pub mod count;
pub mod delete;
pub mod get;
pub mod iterate;
pub mod query;
pub mod raw;
pub mod save;
pub mod table;
pub mod unique;

use crate::db::Db;
use crate::keys::KeyCodec;
use crate::schema::ModelSchema;
use crate::tenant::TenantId;

pub struct OpScope<'a> {
    pub db: &'a Db,
    pub schema: &'a ModelSchema,
    pub tenant: Option<TenantId>,
}

impl OpScope<'_> {
    pub fn codec(&self) -> KeyCodec<'_> {
        KeyCodec::new(self.schema, self.tenant.as_ref())
    }

    /// The client this operation's requests are signed with.
    pub async fn client(&self) -> crate::error::Result<aws_sdk_dynamodb::Client> {
        self.db.client_for(self.tenant.as_ref()).await
    }
}

/// What an operation answers the JS layer: a JSON value, or JSON already
/// written (SDK items are serialised directly, see `marshal::DyItem`).
pub enum Reply {
    Value(serde_json::Value),
    Json(String),
}

impl Reply {
    /// `value` written as JSON now.
    pub fn json<T: serde::Serialize>(value: &T) -> crate::error::Result<Reply> {
        Ok(Reply::Json(serde_json::to_string(value)?))
    }

    pub fn into_json(self) -> String {
        match self {
            Reply::Value(v) => v.to_string(),
            Reply::Json(s) => s,
        }
    }
}

impl From<serde_json::Value> for Reply {
    fn from(v: serde_json::Value) -> Self {
        Reply::Value(v)
    }
}

/// `{_pk, _sk}` as an item key.
pub(crate) fn key_item(
    key: &(String, String),
) -> std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue> {
    use aws_sdk_dynamodb::types::AttributeValue;
    std::collections::HashMap::from([
        ("_pk".to_string(), AttributeValue::S(key.0.clone())),
        ("_sk".to_string(), AttributeValue::S(key.1.clone())),
    ])
}

/// The tenant part of a stored partition key (`[acme]#u#1` → `acme`).
fn tenant_of_key(pk: &str) -> Option<&str> {
    pk.strip_prefix('[')?.split_once("]#").map(|(t, _)| t)
}

fn tenant_name(t: Option<&str>) -> String {
    t.map_or("no tenant".to_string(), |t| format!("tenant \"{t}\""))
}

fn mismatch(message: String) -> crate::error::Error {
    crate::error::Error::new(crate::error::ErrorCode::TenantMismatch, message)
}

/// Refuses to write or delete through an instance whose stored item is not
/// the one `key` names: an instance read in tenant A and saved while tenant B
/// is current would otherwise copy A's data into B's partition (or, for a
/// delete, remove B's item of the same id). `loaded` is the instance's stored
/// data; an instance that was never read has no `_pk` and passes.
pub(crate) fn check_loaded_key(
    scope: &OpScope<'_>,
    key: &(String, String),
    loaded: Option<&serde_json::Map<String, serde_json::Value>>,
    action: &str,
) -> crate::error::Result<()> {
    let stored = |name: &str| loaded.and_then(|m| m.get(name)).and_then(|v| v.as_str());
    let Some(pk) = stored("_pk") else {
        return Ok(());
    };
    if pk == key.0 && stored("_sk").is_none_or(|sk| sk == key.1) {
        return Ok(());
    }
    let read_in = tenant_name(tenant_of_key(pk));
    let current = tenant_name(scope.tenant.as_ref().map(|t| t.as_str()));
    let how = if read_in == current {
        "its stored key differs from the one this operation would use".to_string()
    } else {
        format!("run the {action} as the tenant it was read in (TenantContext.withTenant)")
    };
    Err(mismatch(format!(
        "This {} was read in {read_in} and cannot be {action}d in {current}: {how}",
        scope.schema.name
    )))
}

/// Refuses a read made through an instance (its related objects) while a
/// tenant other than the one it was read in is current: the ids it holds
/// are that tenant's, and would name another tenant's items here.
pub fn check_loaded_tenant(
    model: &str,
    tenant: Option<&TenantId>,
    loaded_pk: &str,
    what: &str,
) -> crate::error::Result<()> {
    let read_in = tenant_of_key(loaded_pk);
    let current = tenant.map(|t| t.as_str());
    if read_in == current {
        return Ok(());
    }
    Err(mismatch(format!(
        "This {model} was read in {} and cannot {what} in {}: run it as the tenant it was read in (TenantContext.withTenant)",
        tenant_name(read_in),
        tenant_name(current)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::{validate_tenant_id, Candidate};

    #[test]
    fn an_instance_is_used_only_in_the_tenant_it_was_read_in() {
        let a = validate_tenant_id(&Candidate::Text("acme".into())).unwrap();
        let b = validate_tenant_id(&Candidate::Text("acme2".into())).unwrap();
        assert!(check_loaded_tenant("Post", Some(&a), "[acme]#p#1", "load").is_ok());
        assert!(check_loaded_tenant("Post", None, "p#1", "load").is_ok());
        let err = check_loaded_tenant("Post", Some(&b), "[acme]#p#1", "load its related objects")
            .unwrap_err();
        assert_eq!(err.code, crate::error::ErrorCode::TenantMismatch);
        assert_eq!(
            err.message,
            "This Post was read in tenant \"acme\" and cannot load its related objects in tenant \"acme2\": run it as the tenant it was read in (TenantContext.withTenant)"
        );
        assert!(check_loaded_tenant("Post", None, "[acme]#p#1", "load").is_err());
        assert!(check_loaded_tenant("Post", Some(&a), "p#1", "load").is_err());
    }
}
