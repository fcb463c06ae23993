//! `NativeModel`: a registered model schema and the key-codec functions the
//! JS layer needs synchronously (`getPrimaryId`, `makePrimaryId`).

use std::sync::Arc;

use napi_derive::napi;
use serde_json::{Map, Value};

use super::to_napi;
use crate::error::{Error, ErrorCode};
use crate::keys;
use crate::schema::ModelSchema;

#[napi]
pub struct NativeModel {
    pub(crate) schema: Arc<ModelSchema>,
}

fn parse_object(json: &str) -> Result<Map<String, Value>, Error> {
    match serde_json::from_str(json)? {
        Value::Object(m) => Ok(m),
        _ => Err(Error::validation(
            "Data object is required for _getPrimaryKeyValues call",
        )),
    }
}

#[napi]
impl NativeModel {
    /// Throws with code `CONFIGURATION` and DynamoBao's message for a model that cannot work.
    #[napi(constructor)]
    pub fn new(schema_json: String) -> napi::Result<Self, ErrorCode> {
        let schema = ModelSchema::from_json(&schema_json).map_err(to_napi)?;
        Ok(NativeModel {
            schema: Arc::new(schema),
        })
    }

    /// `getPrimaryId(data)` for dy data given as JSON.
    #[napi]
    pub fn primary_id(&self, dy_json: String) -> napi::Result<String, ErrorCode> {
        let dy = parse_object(&dy_json).map_err(to_napi)?;
        keys::primary_id(&self.schema, &dy).map_err(to_napi)
    }

    /// `makePrimaryId(pk, sk)` with already-converted parts.
    #[napi]
    pub fn make_primary_id(&self, pk: String, sk: String) -> String {
        keys::make_primary_id(&self.schema, &pk, &sk)
    }
}
