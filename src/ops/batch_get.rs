//! `batchFind`: BatchGetItem in chunks of 100 keys, re-requesting unprocessed
//! keys with backoff (spec §5.6). Results are keyed by each item's primary id.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, ReturnConsumedCapacity};
use serde::ser::{Serialize, SerializeTuple, Serializer};
use serde_json::{Map, Value};

use super::{key_item, OpScope, Reply};
use crate::db::{capacity_json, sdk_error};
use crate::error::{Error, Result};
use crate::keys::{parse_primary_id, primary_id};
use crate::marshal::{from_attr, DyItem};
use crate::schema::{KeyPart, ModelSchema};

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
) -> Result<(Vec<Key>, Vec<Value>, usize)> {
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
            let mut out = client
                .batch_get_item()
                .request_items(table, request)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(sdk_error)?;
            for c in out.consumed_capacity() {
                capacity.push(capacity_json(Some(c)));
            }
            if let Some(found) = out.responses.as_mut().and_then(|r| r.remove(table)) {
                items.extend(found);
            }
            pending = out
                .unprocessed_keys
                .as_mut()
                .and_then(|u| u.remove(table))
                .map(|k| k.keys)
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

/// The primary id of a stored item, from its key fields alone.
fn stored_primary_id(schema: &ModelSchema, item: &Key) -> Result<String> {
    let mut keys = Map::new();
    for part in [schema.pk, schema.sk] {
        if let KeyPart::Field(i) = part {
            let name = &schema.fields[i].name;
            if let Some(v) = item.get(name) {
                keys.insert(name.clone(), from_attr(v));
            }
        }
    }
    primary_id(schema, &keys)
}

/// `[primaryId, dy]`, one entry of batchFind's answer.
struct Entry<'a>(String, DyItem<'a>);

impl Serialize for Entry<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut t = serializer.serialize_tuple(2)?;
        t.serialize_element(&self.0)?;
        t.serialize_element(&self.1)?;
        t.end()
    }
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Found<'a> {
    items: Vec<Entry<'a>>,
    consumed_capacity: Vec<Value>,
    unprocessed: usize,
}

/// `Model.batchFind(ids)`: `{items: [[primaryId, dy], …], consumedCapacity, unprocessed}`.
pub async fn batch_find(scope: &OpScope<'_>, ids: &[Value]) -> Result<Reply> {
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
        .iter()
        .map(|item| Ok(Entry(stored_primary_id(scope.schema, item)?, DyItem(item))))
        .collect::<Result<Vec<_>>>()?;
    Reply::json(&Found {
        items: keyed,
        consumed_capacity: capacity,
        unprocessed,
    })
}
