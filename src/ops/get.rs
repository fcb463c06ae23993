//! `find`: one GetItem by primary id.

use aws_sdk_dynamodb::types::ReturnConsumedCapacity;
use serde_json::{json, Map, Value};

use super::{key_item, OpScope};
use crate::db::{capacity_json, sdk_error};
use crate::error::Result;
use crate::keys::parse_primary_id;
use crate::marshal::from_item;

/// The raw item at a table key, with the read's consumed capacity.
pub async fn get_item(
    scope: &OpScope<'_>,
    key: &(String, String),
) -> Result<(Option<Map<String, Value>>, Value)> {
    let out = scope
        .client()
        .await?
        .get_item()
        .table_name(&scope.db.table)
        .set_key(Some(key_item(key)))
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .map_err(sdk_error)?;
    Ok((
        out.item().map(from_item),
        capacity_json(out.consumed_capacity()),
    ))
}

/// `Model.find(primaryId)`: `{item: dy | null, consumedCapacity}`.
pub async fn find(scope: &OpScope<'_>, id: &Value) -> Result<Value> {
    let key = scope
        .codec()
        .table_key(&parse_primary_id(scope.schema, id)?)?;
    let (item, cap) = get_item(scope, &key).await?;
    Ok(json!({ "item": item, "consumedCapacity": cap }))
}
