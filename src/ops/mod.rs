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
