//! `delete(primaryId)`: a conditional DeleteItem, or a transaction that also
//! releases the item's unique-constraint values.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use std::collections::HashMap;

use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, ReturnConsumedCapacity, ReturnValue,
    ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};
use serde::Deserialize;
use serde_json::{json, Value};

use super::get::get_item;
use super::{key_item, OpScope};
use crate::db::{capacity_entry, capacity_json, sdk_error};
use crate::error::{Error, ErrorCode, Result};
use crate::expr::filter;
use crate::keys::{canonical_primary_id, js_string, parse_primary_id, UNIQUE_CONSTRAINT_KEY};
use crate::marshal::{from_item, to_attr};

fn not_found() -> Error {
    Error::new(ErrorCode::ItemNotFound, "Item not found")
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteRequest {
    pub primary_id: Value,
    /// `options.condition` in filter syntax (dy operands).
    pub condition: Option<Value>,
    /// The `_pk`/`_sk` an instance was read with (`instance.delete()`).
    pub loaded: Option<serde_json::Map<String, Value>>,
}

/// A delete's condition: the item's existence check, and the user's
/// condition when given.
struct DeleteCondition {
    expression: String,
    names: HashMap<String, String>,
    values: Option<HashMap<String, AttributeValue>>,
}

fn delete_condition(scope: &OpScope<'_>, condition: Option<&Value>) -> Result<DeleteCondition> {
    let mut names = HashMap::from([("#pk".to_string(), "_pk".to_string())]);
    let Some(f) = condition
        .map(|c| filter::build(scope.schema, c))
        .transpose()?
        .flatten()
    else {
        return Ok(DeleteCondition {
            expression: "attribute_exists(#pk)".into(),
            names,
            values: None,
        });
    };
    for (k, v) in f.names {
        names.insert(k, v.as_str().unwrap_or_default().to_string());
    }
    let values = f
        .values
        .iter()
        .map(|(k, v)| Ok((k.clone(), to_attr(v)?)))
        .collect::<Result<HashMap<_, _>>>()?;
    Ok(DeleteCondition {
        expression: format!(
            "attribute_exists(#pk) AND {}",
            filter::grouped(&f.expression)
        ),
        names,
        values: Some(values),
    })
}

fn condition_not_met() -> Error {
    Error::conditional("Delete condition not met", "delete")
}

pub async fn delete(scope: &OpScope<'_>, req: DeleteRequest) -> Result<Value> {
    let schema = scope.schema;
    let codec = scope.codec();
    let id = &req.primary_id;
    let parsed = parse_primary_id(schema, id)?;
    let key = codec.table_key(&parsed)?;
    let owner = canonical_primary_id(schema, id, &parsed)?;
    super::check_loaded_key(scope, &key, req.loaded.as_ref(), "delete")?;
    let client = scope.client().await?;
    let DeleteCondition {
        expression,
        names,
        values,
    } = delete_condition(scope, req.condition.as_ref())?;

    if schema.uniques.is_empty() {
        // The existence condition replaces the original's pre-read: same
        // ItemNotFoundError, one request instead of two. On a failed check the
        // old item tells a missing item from a condition that did not hold.
        let out = client
            .delete_item()
            .table_name(&scope.db.table)
            .set_key(Some(key_item(&key)))
            .condition_expression(expression)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(values)
            .return_values(ReturnValue::AllOld)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await;
        let out = match out {
            Ok(out) => out,
            Err(e) => {
                let err = delete_error(e);
                // Without the old item in the answer (DynamoDB Local omits
                // it), a read tells a missing item from a failed condition.
                if err.code == ErrorCode::ItemNotFound
                    && req.condition.is_some()
                    && get_item(scope, &key).await?.0.is_some()
                {
                    return Err(condition_not_met());
                }
                return Err(err);
            }
        };
        let item = out.attributes().map(from_item).unwrap_or_default();
        let capacity = vec![capacity_entry(
            "write",
            "DeleteItem",
            capacity_json(out.consumed_capacity()),
        )];
        return Ok(json!({ "item": item, "capacity": capacity }));
    }

    let (item, read) = get_item(scope, &key).await?;
    let item = item.ok_or_else(not_found)?;
    let mut items = vec![TransactWriteItem::builder()
        .delete(
            Delete::builder()
                .table_name(&scope.db.table)
                .set_key(Some(key_item(&key)))
                .condition_expression(expression)
                .set_expression_attribute_names(Some(names))
                .set_expression_attribute_values(values)
                .build()
                .map_err(|e| Error::internal(e.to_string()))?,
        )
        .build()];
    for uc in &schema.uniques {
        let field = &schema.fields[uc.field].name;
        // Every claimed value is released, 0 and false included (see save).
        let Some(v) = item.get(field).filter(|v| !v.is_null()) else {
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
    let mut capacity = vec![capacity_entry("read", "GetItem", read)];
    for c in out.consumed_capacity() {
        capacity.push(capacity_entry(
            "write",
            "TransactWriteItems",
            capacity_json(Some(c)),
        ));
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
            // The item was read just before, so its own condition failed.
            return condition_not_met();
        }
    }
    sdk_error(e)
}
