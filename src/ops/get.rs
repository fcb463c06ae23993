//! `find`: one GetItem by primary id.

use aws_sdk_dynamodb::types::ReturnConsumedCapacity;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{key_item, OpScope, Reply};
use crate::error::Result;
use crate::keys::parse_primary_id;
use crate::response_body::body_of;
use crate::wire::{self, capacity_json, WireCapacity, WireItem};

/// A GetItem answer.
#[derive(Deserialize)]
struct Answer<'a> {
    #[serde(rename = "Item", borrow, default)]
    item: Option<WireItem<'a>>,
    #[serde(rename = "ConsumedCapacity", default)]
    consumed_capacity: Option<WireCapacity>,
}

/// One GetItem's body; `attributes` limits what comes back (`None`: the
/// whole item).
async fn send_get(
    scope: &OpScope<'_>,
    key: &(String, String),
    attributes: Option<&[String]>,
) -> Result<Bytes> {
    let mut request = scope
        .client()
        .await?
        .get_item()
        .table_name(&scope.db.table)
        .set_key(Some(key_item(key)))
        .return_consumed_capacity(ReturnConsumedCapacity::Total);
    if let Some(attributes) = attributes {
        let mut projection = String::new();
        for (i, name) in attributes.iter().enumerate() {
            let placeholder = format!("#a{i}");
            if i > 0 {
                projection.push_str(", ");
            }
            projection.push_str(&placeholder);
            request = request.expression_attribute_names(placeholder, name);
        }
        request = request.projection_expression(projection);
    }
    body_of!(scope.db.body_read(), request).await
}

/// The raw item at a table key, with the read's consumed capacity.
pub async fn get_item(
    scope: &OpScope<'_>,
    key: &(String, String),
) -> Result<(Option<Map<String, Value>>, Value)> {
    get_attributes(scope, key, None).await
}

/// Like [`get_item`], with only `attributes` of the item (`None`: all). The
/// read costs the same capacity units: DynamoDB charges for the item's size.
pub async fn get_attributes(
    scope: &OpScope<'_>,
    key: &(String, String),
    attributes: Option<&[String]>,
) -> Result<(Option<Map<String, Value>>, Value)> {
    let body = send_get(scope, key, attributes).await?;
    let out: Answer = wire::parse(&body)?;
    Ok((
        out.item.as_ref().map(WireItem::to_map).transpose()?,
        capacity_json(out.consumed_capacity.as_ref()),
    ))
}

#[derive(Serialize)]
struct Found<'a> {
    item: Option<&'a WireItem<'a>>,
    #[serde(rename = "consumedCapacity")]
    consumed_capacity: Value,
}

/// `Model.find(primaryId)`: `{item: dy | null, consumedCapacity}`.
pub async fn find(scope: &OpScope<'_>, id: &Value) -> Result<Reply> {
    let key = scope
        .codec()
        .table_key(&parse_primary_id(scope.schema, id)?)?;
    let body = send_get(scope, &key, None).await?;
    let out: Answer = wire::parse(&body)?;
    Reply::json(&Found {
        item: out.item.as_ref(),
        consumed_capacity: capacity_json(out.consumed_capacity.as_ref()),
    })
}
