//! `NativeModel`: a registered model schema and the key-codec functions the
//! JS layer needs synchronously (`getPrimaryId`, `makePrimaryId`).

use std::sync::Arc;

use napi_derive::napi;
use serde_json::{Map, Value};

use super::to_napi;
use crate::error::{Error, ErrorCode};
use crate::expr::filter::PlainModel;
use crate::keys;
use crate::schema::ModelSchema;

/// `_assertFilterFitsIterIndex(indexName, names)`: throws with code
/// `VALIDATION` when a filter names attributes the index does not project.
#[napi]
#[cfg_attr(test, allow(dead_code))] // registered with Node by #[napi]; unused in unit tests
pub fn assert_filter_fits_index(
    index_name: String,
    attribute_names: Vec<String>,
) -> napi::Result<(), ErrorCode> {
    crate::ops::iterate::assert_filter_fits_index(&index_name, &attribute_names).map_err(to_napi)
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, allow(dead_code))]
struct PlainModelJson {
    fields: Vec<String>,
    search_config: Option<SearchJson>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, allow(dead_code))]
struct SearchJson {
    #[serde(default)]
    case_sensitive: bool,
}

/// `FilterExpressionBuilder.build(filter, model)`: the model as
/// `{fields: [names], searchConfig}` and a dy filter, both JSON. Answers
/// `{FilterExpression, ExpressionAttributeNames, ExpressionAttributeValues}`
/// (dy values) or `null` for an empty filter.
#[napi]
#[cfg_attr(test, allow(dead_code))]
pub fn build_filter(model_json: String, filter_json: String) -> napi::Result<String, ErrorCode> {
    let parse = |s: &str| -> Result<Value, Error> { Ok(serde_json::from_str(s)?) };
    let model: PlainModelJson = serde_json::from_str(&model_json).map_err(|e| to_napi(e.into()))?;
    let model = PlainModel {
        fields: model.fields.into_iter().collect(),
        search: model
            .search_config
            .map(|s| crate::search_text::SearchConfig {
                case_sensitive: s.case_sensitive,
                ..Default::default()
            }),
    };
    let built = crate::expr::filter::build(&model, &parse(&filter_json).map_err(to_napi)?)
        .map_err(to_napi)?;
    Ok(match built {
        Some(f) => serde_json::json!({
            "FilterExpression": f.expression,
            "ExpressionAttributeNames": f.names,
            "ExpressionAttributeValues": f.values,
        })
        .to_string(),
        None => "null".to_string(),
    })
}

/// `field.toGsi(value)` of a built-in field kind, for a dy value given as JSON
/// (`undefined` as no argument).
#[napi]
#[cfg_attr(test, allow(dead_code))]
pub fn field_to_gsi(kind: String, dy_json: Option<String>) -> napi::Result<String, ErrorCode> {
    let kind: crate::schema::FieldKind = serde_json::from_value(Value::String(kind))
        .map_err(|e| to_napi(Error::internal(format!("unknown field kind: {e}"))))?;
    let value: Option<Value> = dy_json
        .map(|j| serde_json::from_str(&j))
        .transpose()
        .map_err(|e| to_napi(e.into()))?;
    keys::to_gsi(kind, value.as_ref()).map_err(to_napi)
}

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

    /// `_getIterationKeys(primaryId)` under a tenant (or none): `[_iter_pk, _iter_sk]`.
    #[napi]
    pub fn iteration_keys(
        &self,
        primary_id: String,
        tenant: Option<String>,
    ) -> napi::Result<Vec<String>, ErrorCode> {
        let tenant = tenant
            .map(|t| crate::tenant::validate_tenant_id(&crate::tenant::Candidate::Text(t)))
            .transpose()
            .map_err(to_napi)?;
        let (pk, sk) =
            keys::KeyCodec::new(&self.schema, tenant.as_ref()).iteration_keys(&primary_id);
        Ok(vec![pk, sk])
    }

    /// `makePrimaryId(pk, sk)` with already-converted parts.
    #[napi]
    pub fn make_primary_id(&self, pk: String, sk: String) -> String {
        keys::make_primary_id(&self.schema, &pk, &sk)
    }
}
