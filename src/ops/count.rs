//! `Model.count()`: the guide's per-tenant item count. It reads the
//! tenant-prefixed iteration partitions with `Select: COUNT`, so it needs an
//! iterable model and never scans the table.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity, Select};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::{json, Value};

use super::OpScope;
use crate::db::sdk_error;
use crate::error::{Error, Result};

/// Bucket partitions queried at once.
const PARALLEL_BUCKETS: usize = 16;

async fn count_bucket(scope: &OpScope<'_>, pk: String) -> Result<(i64, f64)> {
    let client = scope.db.client().await;
    let (mut count, mut units) = (0i64, 0f64);
    let mut start = None;
    loop {
        let out = client
            .query()
            .table_name(&scope.db.table)
            .index_name(&scope.db.iteration_index)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", "_iter_pk")
            .expression_attribute_values(":pk", AttributeValue::S(pk.clone()))
            .select(Select::Count)
            .set_exclusive_start_key(start)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(sdk_error)?;
        count += i64::from(out.count());
        units += out
            .consumed_capacity()
            .and_then(|c| c.capacity_units())
            .unwrap_or(0.0);
        start = out.last_evaluated_key;
        if start.is_none() {
            return Ok((count, units));
        }
    }
}

pub async fn count(scope: &OpScope<'_>) -> Result<Value> {
    let schema = scope.schema;
    if !schema.iterable {
        return Err(Error::configuration(format!(
            "Model {} is not configured as iterable; count() reads the iteration index",
            schema.name
        )));
    }
    let codec = scope.codec();
    let pks: Vec<String> = (0..schema.buckets()).map(|b| codec.iter_pk(b)).collect();
    let parts: Vec<(i64, f64)> = futures_util::stream::iter(pks)
        .map(|pk| count_bucket(scope, pk))
        .buffer_unordered(PARALLEL_BUCKETS)
        .try_collect()
        .await?;
    let (count, units) = parts
        .iter()
        .fold((0, 0.0), |(c, u), (c2, u2)| (c + c2, u + u2));
    Ok(json!({
        "count": count,
        "consumedCapacity": {"TableName": scope.db.table, "CapacityUnits": units},
    }))
}
