//! `findByUniqueConstraint(name, value)` (spec §5.9): the constraint item
//! names its owner, which is then read like `find`.

use serde::Deserialize;
use serde_json::{json, Value};

use super::get::get_item;
use super::OpScope;
use crate::error::{Error, Result};
use crate::keys::{js_string, parse_primary_id, UNIQUE_CONSTRAINT_KEY};

#[derive(Deserialize)]
pub struct UniqueLookup {
    pub name: String,
    pub value: Value,
}

/// `{item: dy | null, consumedCapacity: [lookup, find?]}`.
pub async fn find_by_unique(scope: &OpScope<'_>, req: UniqueLookup) -> Result<Value> {
    let schema = scope.schema;
    let uc = schema
        .uniques
        .iter()
        .find(|u| u.name == req.name)
        .ok_or_else(|| {
            Error::configuration(format!(
                "Unknown unique constraint '{}' in {}",
                req.name, schema.name
            ))
        })?;
    let codec = scope.codec();
    let field = &schema.fields[uc.field].name;
    let key = codec.unique_key(&uc.constraint_id, field, &js_string(Some(&req.value)));
    let (constraint, lookup) = get_item(scope, &(key, UNIQUE_CONSTRAINT_KEY.to_string())).await?;
    let Some(owner) = constraint
        .as_ref()
        .and_then(|c| c.get("relatedId"))
        .and_then(Value::as_str)
    else {
        return Ok(json!({ "item": null, "consumedCapacity": [lookup] }));
    };
    let owner_key = codec.table_key(&parse_primary_id(
        schema,
        &Value::String(owner.to_string()),
    )?)?;
    let (item, read) = get_item(scope, &owner_key).await?;
    Ok(json!({ "item": item, "consumedCapacity": [lookup, read] }))
}
