//! `find`: one GetItem by primary id.

use aws_sdk_dynamodb::operation::get_item::GetItemOutput;
use aws_sdk_dynamodb::types::ReturnConsumedCapacity;
use serde::Serialize;
use serde_json::{Map, Value};

use super::{key_item, OpScope, Reply};
use crate::db::{capacity_json, sdk_error};
use crate::error::Result;
use crate::keys::parse_primary_id;
use crate::marshal::{from_item, DyItem};

/// One GetItem; `attributes` limits what comes back (`None`: the whole item).
async fn send_get(
    scope: &OpScope<'_>,
    key: &(String, String),
    attributes: Option<&[String]>,
) -> Result<GetItemOutput> {
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
    request.send().await.map_err(sdk_error)
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
    let out = send_get(scope, key, attributes).await?;
    Ok((
        out.item().map(from_item),
        capacity_json(out.consumed_capacity()),
    ))
}

#[derive(Serialize)]
struct Found<'a> {
    item: Option<DyItem<'a>>,
    #[serde(rename = "consumedCapacity")]
    consumed_capacity: Value,
}

/// `Model.find(primaryId)`: `{item: dy | null, consumedCapacity}`.
pub async fn find(scope: &OpScope<'_>, id: &Value) -> Result<Reply> {
    let key = scope
        .codec()
        .table_key(&parse_primary_id(scope.schema, id)?)?;
    let out = send_get(scope, &key, None).await?;
    Reply::json(&Found {
        item: out.item().map(DyItem),
        consumed_capacity: capacity_json(out.consumed_capacity()),
    })
}
