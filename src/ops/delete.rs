//! `delete(primaryId)`: a conditional DeleteItem, or a transaction that also
//! releases the item's unique-constraint values.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, ReturnConsumedCapacity, ReturnValue, TransactWriteItem,
};
use serde_json::{json, Value};

use super::get::get_item;
use super::{key_item, OpScope};
use crate::db::{capacity_entry, sdk_error};
use crate::error::{Error, ErrorCode, Result};
use crate::keys::{js_string, make_primary_id, parse_primary_id, truthy, UNIQUE_CONSTRAINT_KEY};
use crate::marshal::from_item;

fn not_found() -> Error {
    Error::new(ErrorCode::ItemNotFound, "Item not found")
}

pub async fn delete(scope: &OpScope<'_>, id: &Value) -> Result<Value> {
    let schema = scope.schema;
    let codec = scope.codec();
    let parsed = parse_primary_id(schema, id)?;
    let key = codec.table_key(&parsed)?;
    let client = scope.db.client().await;

    if schema.uniques.is_empty() {
        // The existence condition replaces the original's pre-read: same
        // ItemNotFoundError, one request instead of two.
        let out = client
            .delete_item()
            .table_name(&scope.db.table)
            .set_key(Some(key_item(&key)))
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", "_pk")
            .return_values(ReturnValue::AllOld)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(delete_error)?;
        let item = out.attributes().map(from_item).unwrap_or_default();
        let capacity = vec![capacity_entry("write", out.consumed_capacity())];
        return Ok(json!({ "item": item, "capacity": capacity }));
    }

    let (item, read) = get_item(scope, &key).await?;
    let item = item.ok_or_else(not_found)?;
    let owner = match id {
        Value::String(s) => s.clone(),
        _ => make_primary_id(schema, &parsed.pk, parsed.sk.as_deref().unwrap_or_default()),
    };
    let mut items = vec![TransactWriteItem::builder()
        .delete(
            Delete::builder()
                .table_name(&scope.db.table)
                .set_key(Some(key_item(&key)))
                .condition_expression("attribute_exists(#pk)")
                .expression_attribute_names("#pk", "_pk")
                .build()
                .map_err(|e| Error::internal(e.to_string()))?,
        )
        .build()];
    for uc in &schema.uniques {
        let field = &schema.fields[uc.field].name;
        let Some(v) = item.get(field).filter(|v| truthy(Some(v))) else {
            continue;
        };
        let ckey = codec.unique_key(&uc.constraint_id, field, &js_string(Some(v)));
        let delete = Delete::builder()
            .table_name(&scope.db.table)
            .set_key(Some(key_item(&(ckey, UNIQUE_CONSTRAINT_KEY.to_string()))))
            .condition_expression("relatedId = :relatedId AND relatedModel = :modelName")
            .expression_attribute_values(":relatedId", AttributeValue::S(owner.clone()))
            .expression_attribute_values(":modelName", AttributeValue::S(schema.name.clone()))
            .build()
            .map_err(|e| Error::internal(e.to_string()))?;
        items.push(TransactWriteItem::builder().delete(delete).build());
    }
    let out = client
        .transact_write_items()
        .set_transact_items(Some(items))
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .map_err(transact_error)?;
    let mut capacity = vec![json!({"type": "read", "consumedCapacity": read})];
    for c in out.consumed_capacity() {
        capacity.push(capacity_entry("write", Some(c)));
    }
    Ok(json!({ "item": item, "capacity": capacity }))
}

fn delete_error(
    e: SdkError<DeleteItemError, aws_sdk_dynamodb::config::http::HttpResponse>,
) -> Error {
    if matches!(
        e.as_service_error(),
        Some(DeleteItemError::ConditionalCheckFailedException(_))
    ) {
        return not_found();
    }
    sdk_error(e)
}

fn transact_error(
    e: SdkError<TransactWriteItemsError, aws_sdk_dynamodb::config::http::HttpResponse>,
) -> Error {
    if let Some(TransactWriteItemsError::TransactionCanceledException(tc)) = e.as_service_error() {
        let first = tc.cancellation_reasons().first().and_then(|r| r.code());
        if first == Some("ConditionalCheckFailed") {
            // The item vanished between the read and the transaction.
            return not_found();
        }
    }
    sdk_error(e)
}
