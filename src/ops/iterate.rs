//! `iterateAll` / `iterateBucket` pages (spec §5.11): one Query of a
//! tenant-prefixed iteration partition, hydrated with BatchGetItem.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity, Select};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::batch_get::get_keys;
use super::{key_item, OpScope};
use crate::db::{capacity_json, sdk_error};
use crate::error::{Error, ErrorCode, Result};
use crate::expr::filter;
use crate::marshal::{from_item, to_attr, to_item};

/// Attributes each iteration index projects (DynamoBao's `_PROJECTED_ATTRS_BY_INDEX`).
pub fn projected_attributes(index: &str) -> Option<&'static [&'static str]> {
    match index {
        "iter_index" => Some(&["_pk", "_sk", "_iter_pk", "_iter_sk"]),
        "iter_search_index" => Some(&["_pk", "_sk", "_iter_pk", "_iter_sk", "_searchText"]),
        _ => None,
    }
}

/// A filter on an iteration index can only use projected attributes: anything
/// else would silently match nothing (`_assertFilterFitsIterIndex`).
pub fn assert_filter_fits_index(index: &str, referenced: &[String]) -> Result<()> {
    let Some(projected) = projected_attributes(index) else {
        return Ok(());
    };
    let missing: Vec<&str> = referenced
        .iter()
        .map(String::as_str)
        .filter(|n| !projected.contains(n))
        .collect();
    let Some(example) = missing.first() else {
        return Ok(());
    };
    Err(Error::validation(format!(
        "Filter on '{index}' references attribute(s) that aren't projected: [{}]. \
         The index projects: [{}]. DynamoDB can't filter on anything else at the index level — \
         filter the hydrated batch in JS instead, e.g.:\n  for await (const batch of Model.iterateAll()) {{\n    \
         for (const item of batch) {{\n      if (item.{example} === ...) {{ /* keep */ }}\n    }}\n  }}",
        missing.join(", "),
        projected.join(", "),
    )))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageRequest {
    /// Ignored for a model with one bucket (its partition has no number).
    #[serde(default)]
    pub bucket: u32,
    pub batch_size: Option<i32>,
    pub filter: Option<Value>,
    pub start_key: Option<Map<String, Value>>,
    #[serde(default)]
    pub count_only: bool,
}

/// Turns DynamoDB's "no such index" into the original's pointer to `bao-update-table`.
fn missing_index(e: Error, index: &str, table: &str) -> Error {
    let m = e.message.to_lowercase();
    let mentions = m.contains("does not have the specified index")
        || m.contains(&format!("specified index: {}", index.to_lowercase()))
        || (e.aws_name.as_deref() == Some("ResourceNotFoundException") && m.contains("index"));
    if e.code == ErrorCode::DynamoDb && mentions {
        return Error::configuration(format!(
            "Index '{index}' is missing on table '{table}'. Run 'bao-update-table' to add it."
        ));
    }
    e
}

/// One page of one bucket: `{items, lastEvaluatedKey, consumedCapacity, unprocessed}`,
/// or `{count, lastEvaluatedKey, …}` with `countOnly`.
pub async fn page(scope: &OpScope<'_>, req: PageRequest) -> Result<Value> {
    let schema = scope.schema;
    if !schema.iterable {
        return Err(Error::configuration(format!(
            "Model {} is not configured as iterable",
            schema.name
        )));
    }
    let index = &scope.db.iteration_index;
    let mut names = std::collections::HashMap::from([("#pk".to_string(), "_iter_pk".to_string())]);
    let mut values = std::collections::HashMap::from([(
        ":pk".to_string(),
        AttributeValue::S(scope.codec().iter_pk(req.bucket)),
    )]);
    let mut filter_expression = None;
    if let Some(f) = req
        .filter
        .as_ref()
        .map(|f| filter::build(schema, f))
        .transpose()?
        .flatten()
    {
        let referenced: Vec<String> = f
            .names
            .values()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        assert_filter_fits_index(index, &referenced)?;
        for (k, v) in f.names {
            names.insert(k, v.as_str().unwrap_or_default().to_string());
        }
        for (k, v) in &f.values {
            values.insert(k.clone(), to_attr(v)?);
        }
        filter_expression = Some(filter::grouped(&f.expression));
    }
    let out = scope
        .db
        .client()
        .await
        .query()
        .table_name(&scope.db.table)
        .index_name(index)
        .key_condition_expression("#pk = :pk")
        .set_expression_attribute_names(Some(names))
        .set_expression_attribute_values(Some(values))
        .set_filter_expression(filter_expression)
        .set_limit(req.batch_size.filter(|n| *n > 0))
        .set_exclusive_start_key(req.start_key.as_ref().map(to_item).transpose()?)
        .set_select(req.count_only.then_some(Select::Count))
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .map_err(|e| missing_index(sdk_error(e), index, &scope.db.table))?;
    let last = out.last_evaluated_key().map(from_item);
    if req.count_only {
        return Ok(json!({
            "count": out.count(),
            "lastEvaluatedKey": last,
            "consumedCapacity": capacity_json(out.consumed_capacity()),
        }));
    }
    // Hydrate in index order from the base table (the index holds keys only).
    let order: Vec<(String, String)> = out
        .items()
        .iter()
        .filter_map(|i| match (i.get("_pk"), i.get("_sk")) {
            (Some(AttributeValue::S(pk)), Some(AttributeValue::S(sk))) => {
                Some((pk.clone(), sk.clone()))
            }
            _ => None,
        })
        .collect();
    let (mut items, capacity, unprocessed) =
        get_keys(scope, order.iter().map(key_item).collect()).await?;
    let position = |item: &Value| {
        let key = |a: &str| item.get(a).and_then(Value::as_str).unwrap_or_default();
        order
            .iter()
            .position(|(pk, sk)| pk == key("_pk") && sk == key("_sk"))
            .unwrap_or(usize::MAX)
    };
    items.sort_by_key(position);
    Ok(json!({
        "items": items,
        "lastEvaluatedKey": last,
        "consumedCapacity": capacity,
        "unprocessed": unprocessed,
    }))
}
