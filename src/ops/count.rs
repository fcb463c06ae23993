//! `Model.count(filter?)`: the guide's per-tenant item count. It counts the
//! tenant-prefixed iteration partitions with `Select: COUNT`, so it needs an
//! iterable model and never scans the table; a filter may only use what the
//! iteration index projects.

use futures_util::{StreamExt, TryStreamExt};
use serde_json::{json, Map, Value};

use super::iterate::{build_query, QueryPlan};
use super::raw::{self, Confinement, Form};
use super::OpScope;
use crate::error::{Error, Result};

/// Bucket partitions counted at once.
const PARALLEL_BUCKETS: usize = 16;

async fn count_bucket(
    scope: &OpScope<'_>,
    bucket: u32,
    filter: Option<&Value>,
) -> Result<(i64, f64)> {
    let (mut count, mut units) = (0i64, 0f64);
    let mut start_key: Option<Map<String, Value>> = None;
    loop {
        let plan = QueryPlan {
            bucket,
            batch_size: None,
            filter: filter.cloned(),
            search: None,
            start_key,
        };
        let mut input = build_query(scope, &plan)?;
        input["Select"] = Value::String("COUNT".into());
        // Confined to the operation's tenant: signed with its credentials
        // (`tenancy.credentials`), and its key condition checked again.
        let out = raw::send(
            scope.db,
            &Confinement {
                tenant: scope.tenant.as_ref(),
            },
            "Query",
            Form::Document,
            &input,
        )
        .await?;
        count += out["Count"].as_i64().unwrap_or(0);
        units += out["ConsumedCapacity"]["CapacityUnits"]
            .as_f64()
            .unwrap_or(0.0);
        start_key = out["LastEvaluatedKey"].as_object().cloned();
        if start_key.is_none() {
            return Ok((count, units));
        }
    }
}

pub async fn count(scope: &OpScope<'_>, filter: Option<&Value>) -> Result<Value> {
    let schema = scope.schema;
    if !schema.iterable {
        return Err(Error::configuration(format!(
            "Model {} is not configured as iterable; count() reads the iteration index",
            schema.name
        )));
    }
    let parts: Vec<(i64, f64)> = futures_util::stream::iter(0..schema.buckets())
        .map(|b| count_bucket(scope, b, filter))
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
