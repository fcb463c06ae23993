//! `batchFind`: BatchGetItem in chunks of 100 keys, re-requesting unprocessed
//! keys with backoff (spec §5.6). Results are keyed by each item's primary id.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, ReturnConsumedCapacity};
use serde_json::{json, Value};

use super::{key_item, OpScope};
use crate::db::{capacity_json, sdk_error};
use crate::error::{Error, Result};
use crate::keys::{parse_primary_id, primary_id};
use crate::marshal::from_item;

/// DynamoDB's limit of keys per BatchGetItem.
const CHUNK: usize = 100;
/// Requests per chunk before unprocessed keys are given up on.
const ATTEMPTS: usize = 3;
const BACKOFF_MS: [u64; ATTEMPTS] = [200, 400, 800];

type Key = HashMap<String, AttributeValue>;

/// Fetches items by table key: `(items, consumed capacity entries, keys left unprocessed)`.
pub async fn get_keys(
    scope: &OpScope<'_>,
    keys: Vec<Key>,
) -> Result<(Vec<Value>, Vec<Value>, usize)> {
    let client = scope.client().await?;
    let table = &scope.db.table;
    let (mut items, mut capacity, mut unprocessed) = (Vec::new(), Vec::new(), 0);
    for chunk in keys.chunks(CHUNK) {
        let mut pending = chunk.to_vec();
        for backoff in BACKOFF_MS {
            let request = KeysAndAttributes::builder()
                .set_keys(Some(pending))
                .build()
                .map_err(|e| Error::internal(e.to_string()))?;
            let out = client
                .batch_get_item()
                .request_items(table, request)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(sdk_error)?;
            for c in out.consumed_capacity() {
                capacity.push(capacity_json(Some(c)));
            }
            if let Some(found) = out.responses().and_then(|r| r.get(table)) {
                items.extend(found.iter().map(|i| Value::Object(from_item(i))));
            }
            pending = out
                .unprocessed_keys()
                .and_then(|u| u.get(table))
                .map(|k| k.keys().to_vec())
                .unwrap_or_default();
            if pending.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(backoff)).await;
        }
        unprocessed += pending.len();
    }
    Ok((items, capacity, unprocessed))
}

/// `Model.batchFind(ids)`: `{items: [[primaryId, dy], …], consumedCapacity, unprocessed}`.
pub async fn batch_find(scope: &OpScope<'_>, ids: &[Value]) -> Result<Value> {
    let codec = scope.codec();
    let mut seen = std::collections::HashSet::new();
    let mut keys = Vec::new();
    for id in ids {
        let key = codec.table_key(&parse_primary_id(scope.schema, id)?)?;
        if seen.insert(key.clone()) {
            keys.push(key_item(&key));
        }
    }
    let (items, capacity, unprocessed) = get_keys(scope, keys).await?;
    let keyed = items
        .into_iter()
        .map(|item| {
            let id = match &item {
                Value::Object(o) => primary_id(scope.schema, o)?,
                _ => String::new(),
            };
            Ok(json!([id, item]))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(json!({ "items": keyed, "consumedCapacity": capacity, "unprocessed": unprocessed }))
}
