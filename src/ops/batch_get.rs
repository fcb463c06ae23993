//! `batchFind`: BatchGetItem in chunks of 100 keys, re-requesting unprocessed
//! keys with backoff (spec §5.6). Results are keyed by each item's primary id.
//! Items are read from the response body as `wire` items and written straight
//! into the answer.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, ReturnConsumedCapacity};
use serde_json::Value;

use super::{key_item, OpScope, Reply};
use crate::error::{Error, Result};
use crate::keys::{parse_primary_id, primary_id_of};
use crate::response_body::body_of;
use crate::schema::ModelSchema;
use crate::wire::{self, capacity_json, WireAttr, WireCapacity, WireItem};

/// DynamoDB's limit of keys per BatchGetItem.
const CHUNK: usize = 100;
/// Requests per chunk before unprocessed keys are given up on.
const ATTEMPTS: usize = 3;
const BACKOFF_MS: [u64; ATTEMPTS] = [200, 400, 800];

type Key = HashMap<String, AttributeValue>;

/// A BatchGetItem answer, as much of it as is used.
#[derive(serde::Deserialize)]
struct Answer<'a> {
    #[serde(rename = "Responses", borrow, default)]
    responses: HashMap<Cow<'a, str>, Vec<WireItem<'a>>>,
    #[serde(rename = "UnprocessedKeys", borrow, default)]
    unprocessed_keys: HashMap<Cow<'a, str>, Unprocessed<'a>>,
    #[serde(rename = "ConsumedCapacity", default)]
    consumed_capacity: Vec<WireCapacity>,
}

#[derive(serde::Deserialize)]
struct Unprocessed<'a> {
    #[serde(rename = "Keys", borrow, default)]
    keys: Vec<WireItem<'a>>,
}

/// Fetches items by table key, handing each to `found` as it is read:
/// `(consumed capacity entries, keys left unprocessed)`.
async fn get_keys(
    scope: &OpScope<'_>,
    keys: Vec<Key>,
    mut found: impl FnMut(&WireItem) -> Result<()>,
) -> Result<(Vec<Value>, usize)> {
    let client = scope.client().await?;
    let table = &scope.db.table;
    let (mut capacity, mut unprocessed) = (Vec::new(), 0);
    // The keys are moved into their requests: `body_of!` already copies a
    // request once per attempt, so that a cut-off body can be re-requested.
    let mut keys = keys.into_iter().peekable();
    while keys.peek().is_some() {
        let mut pending: Vec<Key> = keys.by_ref().take(CHUNK).collect();
        for backoff in BACKOFF_MS {
            let request = KeysAndAttributes::builder()
                .set_keys(Some(pending))
                .build()
                .map_err(|e| Error::internal(e.to_string()))?;
            let call = client
                .batch_get_item()
                .request_items(table, request)
                .return_consumed_capacity(ReturnConsumedCapacity::Total);
            let body = body_of!(scope.db.body_read(), call).await?;
            let answer: Answer = wire::parse(&body)?;
            capacity.extend(
                answer
                    .consumed_capacity
                    .iter()
                    .map(|c| capacity_json(Some(c))),
            );
            for item in answer.responses.get(table.as_str()).into_iter().flatten() {
                found(item)?;
            }
            pending = match answer.unprocessed_keys.get(table.as_str()) {
                Some(u) => u
                    .keys
                    .iter()
                    .map(WireItem::to_attrs)
                    .collect::<Result<_>>()?,
                None => Vec::new(),
            };
            if pending.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(backoff)).await;
        }
        unprocessed += pending.len();
    }
    Ok((capacity, unprocessed))
}

/// The primary id of a stored item, from its key fields alone.
fn stored_primary_id(schema: &ModelSchema, item: &WireItem) -> Result<String> {
    primary_id_of(schema, &|name| {
        let value = item.get(name).map(WireAttr::to_value).transpose()?;
        Ok(value.map(Cow::Owned))
    })
}

/// `Model.batchFind(ids)`: `{items: [[primaryId, dy], …], consumedCapacity, unprocessed}`.
pub async fn batch_find(scope: &OpScope<'_>, ids: &[Value]) -> Result<Reply> {
    let codec = scope.codec();
    let table_keys = ids
        .iter()
        .map(|id| codec.table_key(&parse_primary_id(scope.schema, id)?))
        .collect::<Result<Vec<_>>>()?;
    let mut seen = std::collections::HashSet::with_capacity(table_keys.len());
    let keys: Vec<Key> = table_keys
        .iter()
        .filter(|key| seen.insert(*key))
        .map(key_item)
        .collect();
    let mut out = Vec::with_capacity(256 * keys.len() + 64);
    out.extend_from_slice(br#"{"items":["#);
    let mut first = true;
    let (capacity, unprocessed) = get_keys(scope, keys, |item| {
        if !std::mem::take(&mut first) {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, &(stored_primary_id(scope.schema, item)?, item))?;
        Ok(())
    })
    .await?;
    out.extend_from_slice(br#"],"consumedCapacity":"#);
    serde_json::to_writer(&mut out, &capacity)?;
    write!(out, r#","unprocessed":{unprocessed}}}"#).map_err(|e| Error::internal(e.to_string()))?;
    String::from_utf8(out)
        .map(Reply::Json)
        .map_err(|e| Error::internal(e.to_string()))
}
