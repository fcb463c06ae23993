//! `create`, `update` and `save` (spec §5.7 `_saveItem`): one UpdateItem with
//! `ALL_NEW`, a TransactWriteItems when unique-constraint items change, or,
//! for a create that only needs its key to be absent, one PutItem.
//!
//! The JS layer has already run the field descriptors (initial values,
//! validation, `toDy`, `updateBeforeSave`); this module owns everything that
//! touches keys or DynamoDB: the current item, index back-fill, GSI and
//! iteration keys, constraint items, the expression and the request.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConsumedCapacity, Delete, Put, ReturnConsumedCapacity, ReturnValue,
    TransactWriteItem, Update,
};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::get::{get_attributes, get_item};
use super::{key_item, OpScope, Reply};
use crate::db::{capacity_entry, capacity_json, sdk_error};
use crate::error::{Error, ErrorCode, Result};
use crate::expr::filter;
use crate::expr::update::UpdateExpression;
use crate::keys::{
    canonical_primary_id, js_string, make_primary_id, new_item_key, parse_primary_id, to_gsi,
    UNIQUE_CONSTRAINT_KEY,
};
use crate::marshal::{to_attr, DyItem};
use crate::schema::{FieldKind, IndexDef, KeyPart, ModelSchema};
use crate::search_text;

/// The attribute searchable models keep their normalised text in.
const SEARCH_TEXT: &str = "_searchText";
/// JavaScript's `Number.MAX_SAFE_INTEGER`.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SaveRequest {
    #[serde(default)]
    pub is_new: bool,
    /// The id being updated (absent on create).
    pub primary_id: Option<Value>,
    /// dy values to write, in field declaration order.
    pub dy: Map<String, Value>,
    /// The instance's dy data when saving an instance (no pre-read needed).
    pub current: Option<Map<String, Value>>,
    #[serde(default)]
    pub force_reindex: bool,
    /// `options.condition` in filter syntax (dy operands).
    pub condition: Option<Value>,
}

/// A key part's value in the data at hand: `None` when the save does not know it.
fn part_value<'v>(
    schema: &'v ModelSchema,
    part: KeyPart,
    data: &'v Map<String, Value>,
) -> Option<(FieldKind, Option<&'v Value>)> {
    match part {
        KeyPart::ModelPrefix => Some((FieldKind::String, None)),
        KeyPart::Field(i) => {
            let f = &schema.fields[i];
            data.get(&f.name).map(|v| (f.kind, Some(v)))
        }
    }
}

fn part_gsi(schema: &ModelSchema, known: (FieldKind, Option<&Value>)) -> Result<String> {
    match known {
        (_, None) => Ok(schema.prefix.clone()),
        (kind, v) => to_gsi(kind, v),
    }
}

/// Step 3: on updates, complete half-known indexes from the stored item so
/// their keys can be rewritten.
fn backfill(
    schema: &ModelSchema,
    data: &mut Map<String, Value>,
    current: &Map<String, Value>,
    force: bool,
) {
    if force {
        for f in &schema.fields {
            if !data.contains_key(&f.name) {
                if let Some(v) = current.get(&f.name) {
                    data.insert(f.name.clone(), v.clone());
                }
            }
        }
        return;
    }
    complete_indexes(schema, data, |name| current.get(name).cloned());
}

/// Step 3's pass without forceReindex: every index with one half of its key
/// in `data` gets the other half from `fetch`, in index order, so an index
/// completed by an earlier one counts as half-known for the later ones.
fn complete_indexes(
    schema: &ModelSchema,
    data: &mut Map<String, Value>,
    mut fetch: impl FnMut(&str) -> Option<Value>,
) {
    let known = |d: &Map<String, Value>, p: KeyPart| match p {
        KeyPart::ModelPrefix => true,
        KeyPart::Field(i) => d.contains_key(&schema.fields[i].name),
    };
    for ix in &schema.indexes {
        let (pk, sk) = (known(data, ix.pk), known(data, ix.sk));
        if pk != sk {
            let missing = if pk { ix.sk } else { ix.pk };
            if let Some(name) = schema.part_name(missing) {
                if let Some(v) = fetch(name) {
                    data.insert(name.to_string(), v);
                }
            }
        }
    }
}

/// What an update reads of the stored item when it has no instance: its
/// existence (`_pk`), the other half of every index whose key it half-knows
/// (step 3), the old values of the unique and string-set fields it writes
/// (steps 7 and the set diff) and, when it changes a searchable field, every
/// searchable field. `None` (the whole item) for a forced reindex. The read
/// costs the same capacity units either way; a large item no longer crosses
/// the wire and the SDK's parser only to prove it exists.
fn pre_read_attributes(
    schema: &ModelSchema,
    dy: &Map<String, Value>,
    force_reindex: bool,
) -> Option<Vec<String>> {
    if force_reindex {
        return None;
    }
    let mut names = vec!["_pk".to_string()];
    // Backfill's own pass, answering every lookup as if the value were
    // stored: whatever it could ask for is read (byS fills dt, after which
    // byOwner(owner, dt) asks for owner).
    let mut known: Map<String, Value> = dy.keys().map(|k| (k.clone(), Value::Null)).collect();
    complete_indexes(schema, &mut known, |name| {
        names.push(name.to_string());
        Some(Value::Null)
    });
    for uc in &schema.uniques {
        let field = &schema.fields[uc.field].name;
        if dy.contains_key(field) {
            names.push(field.clone());
        }
    }
    for f in &schema.fields {
        if f.kind == FieldKind::StringSet && dy.contains_key(&f.name) {
            names.push(f.name.clone());
        }
    }
    if let Some(search) = &schema.search {
        if search.fields.iter().any(|f| dy.contains_key(f)) {
            names.extend(search.fields.iter().cloned());
        }
    }
    names.sort();
    names.dedup();
    Some(names)
}

/// Step 8: `_gsiN_pk` / `_gsiN_sk` for every index whose two values are known.
fn index_keys(
    scope: &OpScope<'_>,
    data: &Map<String, Value>,
    is_new: bool,
) -> Result<Vec<(String, String)>> {
    let schema = scope.schema;
    let codec = scope.codec();
    let mut out = Vec::new();
    for ix in &schema.indexes {
        let Some(gsi) = &ix.gsi else { continue };
        let pk = part_value(schema, ix.pk, data);
        let sk = part_value(schema, ix.sk, data);
        match (pk, sk) {
            (Some(pk), Some(sk)) => {
                out.push((
                    format!("_{gsi}_pk"),
                    codec.gsi_pk(gsi, &part_gsi(schema, pk)?),
                ));
                out.push((format!("_{gsi}_sk"), part_gsi(schema, sk)?));
            }
            (Some(_), None) if !is_new => return Err(partial_index_error(schema, ix, true)),
            (None, Some(_)) if !is_new => return Err(partial_index_error(schema, ix, false)),
            _ => {}
        }
    }
    Ok(out)
}

fn partial_index_error(schema: &ModelSchema, ix: &IndexDef, has_pk: bool) -> Error {
    let name = |p| schema.part_name(p).unwrap_or("modelPrefix").to_string();
    let (pk, sk) = (name(ix.pk), name(ix.sk));
    let message = if has_pk {
        format!(
            "Update includes GSI partition key \"{pk}\" for index \"{}\" but is missing sort key \"{sk}\". Include both fields or use forceReindex.",
            ix.name
        )
    } else {
        format!(
            "Update includes GSI sort key \"{sk}\" for index \"{}\" but is missing partition key \"{pk}\". Include both fields or use forceReindex.",
            ix.name
        )
    };
    Error::validation(message)
}

/// A string set saved as a diff against the stored set (StringSetField
/// `getUpdateExpression`): only additions → ADD, only removals → DELETE, both
/// (or nothing stored) → SET of the whole set, no change → nothing.
fn set_update(
    update: &mut UpdateExpression,
    name: &str,
    new: &[Value],
    old: Option<&Vec<Value>>,
) -> Result<()> {
    let old = match old {
        Some(o) if !o.is_empty() => o,
        _ => {
            update.set(name, to_attr(&Value::Array(new.to_vec()))?);
            return Ok(());
        }
    };
    let added: Vec<Value> = new.iter().filter(|v| !old.contains(v)).cloned().collect();
    let removed: Vec<Value> = old.iter().filter(|v| !new.contains(v)).cloned().collect();
    match (added.is_empty(), removed.is_empty()) {
        (true, true) => {}
        (false, true) => update.add(name, to_attr(&Value::Array(added))?),
        (true, false) => update.delete(name, to_attr(&Value::Array(removed))?),
        (false, false) => update.set(name, to_attr(&Value::Array(new.to_vec()))?),
    }
    Ok(())
}

/// Unique-constraint writes for this save (step 7).
struct ConstraintOps {
    items: Vec<TransactWriteItem>,
    /// `(field, key)` of every new value, for the pre-check.
    claims: Vec<(String, String)>,
}

fn constraint_ops(
    scope: &OpScope<'_>,
    dy: &Map<String, Value>,
    loaded: Option<&Map<String, Value>>,
    primary_id: &str,
) -> Result<ConstraintOps> {
    let codec = scope.codec();
    let schema = scope.schema;
    let mut ops = ConstraintOps {
        items: Vec::new(),
        claims: Vec::new(),
    };
    let owner_values = || {
        HashMap::from([
            (
                ":relatedId".to_string(),
                AttributeValue::S(primary_id.to_string()),
            ),
            (
                ":modelName".to_string(),
                AttributeValue::S(schema.name.clone()),
            ),
        ])
    };
    for uc in &schema.uniques {
        let field = &schema.fields[uc.field].name;
        let Some(new) = dy.get(field) else { continue };
        let old = loaded.and_then(|l| l.get(field));
        if Some(new) == old {
            continue;
        }
        // Released whenever it was claimed: a claim is made for any value but
        // null (0 and false too; DynamoBao released only truthy values, so a
        // 0 stayed taken for good once changed).
        if let Some(old) = old.filter(|o| !o.is_null()) {
            let key = codec.unique_key(&uc.constraint_id, field, &js_string(Some(old)));
            let delete = Delete::builder()
                .table_name(&scope.db.table)
                .set_key(Some(key_item(&(key, UNIQUE_CONSTRAINT_KEY.to_string()))))
                .condition_expression("relatedId = :relatedId AND relatedModel = :modelName")
                .set_expression_attribute_values(Some(owner_values()))
                .build()
                .map_err(|e| Error::internal(e.to_string()))?;
            ops.items
                .push(TransactWriteItem::builder().delete(delete).build());
        }
        if new.is_null() {
            continue;
        }
        let key = codec.unique_key(&uc.constraint_id, field, &js_string(Some(new)));
        let mut item = key_item(&(key.clone(), UNIQUE_CONSTRAINT_KEY.to_string()));
        item.insert("uniqueValue".into(), AttributeValue::S(key.clone()));
        item.insert(
            "relatedId".into(),
            AttributeValue::S(primary_id.to_string()),
        );
        item.insert(
            "relatedModel".into(),
            AttributeValue::S(schema.name.clone()),
        );
        if let Some(t) = &scope.tenant {
            item.insert(
                "_gsi_test_id".into(),
                AttributeValue::S(t.as_str().to_string()),
            );
        }
        let put = Put::builder()
            .table_name(&scope.db.table)
            .set_item(Some(item))
            .condition_expression(
                "attribute_not_exists(#pk) OR (relatedId = :relatedId AND relatedModel = :modelName)",
            )
            .expression_attribute_names("#pk", "_pk")
            .set_expression_attribute_values(Some(owner_values()))
            .build()
            .map_err(|e| Error::internal(e.to_string()))?;
        ops.items
            .push(TransactWriteItem::builder().put(put).build());
        ops.claims.push((field.clone(), key));
    }
    Ok(ops)
}

/// Step 6: a readable error before the transaction when a value is taken.
async fn check_claims(
    scope: &OpScope<'_>,
    claims: &[(String, String)],
    owner: &str,
    is_new: bool,
) -> Result<()> {
    for (field, key) in claims {
        let (item, _) = get_item(scope, &(key.clone(), UNIQUE_CONSTRAINT_KEY.to_string())).await?;
        if let Some(item) = item {
            let related = item.get("relatedId").and_then(Value::as_str);
            if is_new || related != Some(owner) {
                return Err(Error::conditional(
                    format!("{field} must be unique"),
                    "unique_constraint",
                )
                .with_field(field.clone()));
            }
        }
    }
    Ok(())
}

pub async fn save(scope: &OpScope<'_>, req: SaveRequest) -> Result<Reply> {
    let schema = scope.schema;
    let codec = scope.codec();
    let mut capacity = Vec::new();
    for name in req.dy.keys() {
        if schema.field(name).is_none() {
            return Err(Error::configuration(format!(
                "Field {name} not found in {} fields",
                schema.name
            )));
        }
    }

    // Step 1 and 4: the key, the primary id and (for updates) the stored item.
    let (key, primary_id, current) = if req.is_new {
        let k = new_item_key(schema, &req.dy)?;
        let id = make_primary_id(schema, &k.pk, k.sk.as_deref().unwrap_or_default());
        (codec.table_key(&k)?, id, None)
    } else {
        let id = req
            .primary_id
            .as_ref()
            .ok_or_else(|| Error::validation("primaryId is required to update an item"))?;
        let k = parse_primary_id(schema, id)?;
        let key = codec.table_key(&k)?;
        let canonical = canonical_primary_id(schema, id, &k)?;
        let current = match req.current {
            Some(c) => {
                super::check_loaded_key(scope, &key, Some(&c), "save")?;
                c
            }
            None => {
                let attributes = pre_read_attributes(schema, &req.dy, req.force_reindex);
                let (item, cap) = get_attributes(scope, &key, attributes.as_deref()).await?;
                capacity.push(capacity_entry("read", "GetItem", cap));
                item.ok_or_else(|| Error::new(ErrorCode::ItemNotFound, "Item not found"))?
            }
        };
        (key, canonical, Some(current))
    };

    let mut index_data = req.dy.clone();
    if let Some(cur) = &current {
        backfill(schema, &mut index_data, cur, req.force_reindex);
    }
    let keys = index_keys(scope, &index_data, req.is_new)?;

    let mut update = UpdateExpression::default();
    for (name, v) in &req.dy {
        let kind = schema.field(name).map(|f| f.kind);
        match v {
            Value::Null => update.remove(name),
            Value::String(s)
                if kind == Some(FieldKind::Counter)
                    && (s.starts_with('+') || s.starts_with('-')) =>
            {
                let n: i64 = s.parse().map_err(|_| {
                    Error::validation("CounterField value must be an integer")
                        .with_field(name.clone())
                })?;
                // The same limit as a plain value: JS numbers hold no more.
                if n.unsigned_abs() > MAX_SAFE_INTEGER {
                    return Err(Error::validation(
                        "CounterField value is outside the safe integer range (±9007199254740991)",
                    )
                    .with_field(name.clone()));
                }
                update.add(name, AttributeValue::N(n.to_string()));
            }
            Value::Array(new) if kind == Some(FieldKind::StringSet) => {
                let old = current
                    .as_ref()
                    .and_then(|c| c.get(name))
                    .and_then(Value::as_array);
                set_update(&mut update, name, new, old)?;
            }
            v => update.set(name, to_attr(v)?),
        }
    }
    for (attr, value) in &keys {
        update.set(attr, to_attr(&Value::String(value.clone()))?);
    }
    if schema.iterable {
        let (pk, sk) = codec.iteration_keys(&primary_id);
        update.set("_iter_pk", AttributeValue::S(pk));
        update.set("_iter_sk", AttributeValue::S(sk));
    }
    if let Some(search) = &schema.search {
        match search_text::update(
            search,
            &req.dy,
            current.as_ref(),
            req.is_new,
            req.force_reindex,
        ) {
            Some(Some(text)) => update.set(SEARCH_TEXT, AttributeValue::S(text)),
            Some(None) => update.remove(SEARCH_TEXT),
            None => {}
        }
    }
    // `options.condition` replaces the create's existence check, as in the original.
    let condition = match req
        .condition
        .as_ref()
        .map(|c| filter::build(schema, c))
        .transpose()?
        .flatten()
    {
        Some(f) => {
            update.merge_condition_placeholders(f.names, &f.values)?;
            Some(f.expression)
        }
        None if req.is_new => {
            update.names.insert("#pk".into(), "_pk".into());
            Some("attribute_not_exists(#pk)".to_string())
        }
        None => None,
    };

    let constraints = constraint_ops(scope, &req.dy, current.as_ref(), &primary_id)?;
    let client = scope.client().await?;
    // A create that only checks the key is absent writes the whole item: the
    // same stored item as the update below, with a smaller request and an
    // answer that carries no item back. With the caller's own condition the
    // item may exist, and only the update merges into it.
    if req.is_new && req.condition.is_none() && constraints.items.is_empty() {
        let mut item = update.into_new_item();
        item.extend(key_item(&key));
        let out = client
            .put_item()
            .table_name(&scope.db.table)
            .set_item(Some(item.clone()))
            .set_condition_expression(condition)
            .expression_attribute_names("#pk", "_pk")
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(put_error)?;
        return written(&item, capacity, "PutItem", out.consumed_capacity());
    }
    let expression = update.expression();
    let names = (!update.names.is_empty()).then_some(update.names);
    let values = (!update.values.is_empty()).then_some(update.values);

    if constraints.items.is_empty() {
        let out = client
            .update_item()
            .table_name(&scope.db.table)
            .set_key(Some(key_item(&key)))
            .set_update_expression(expression)
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .return_values(ReturnValue::AllNew)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(update_error)?;
        let none = HashMap::new();
        let item = out.attributes().unwrap_or(&none);
        return written(item, capacity, "UpdateItem", out.consumed_capacity());
    }

    check_claims(scope, &constraints.claims, &primary_id, req.is_new).await?;
    let mut items = constraints.items;
    let upd = Update::builder()
        .table_name(&scope.db.table)
        .set_key(Some(key_item(&key)))
        .set_update_expression(expression)
        .set_condition_expression(condition)
        .set_expression_attribute_names(names)
        .set_expression_attribute_values(values)
        .build()
        .map_err(|e| Error::internal(e.to_string()))?;
    items.push(TransactWriteItem::builder().update(upd).build());
    let out = client
        .transact_write_items()
        .set_transact_items(Some(items))
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await;
    let out = match out {
        Ok(o) => o,
        Err(e) => {
            let err = transact_error(e);
            if err.code == ErrorCode::DynamoDb {
                // Not a condition failure: a uniqueness clash that raced in
                // gives the clearer message, as in the original.
                check_claims(scope, &constraints.claims, &primary_id, req.is_new).await?;
            }
            return Err(err);
        }
    };
    for c in out.consumed_capacity() {
        capacity.push(capacity_entry(
            "write",
            "TransactWriteItems",
            capacity_json(Some(c)),
        ));
    }
    let (item, cap) = get_item(scope, &key).await?;
    capacity.push(capacity_entry("read", "GetItem", cap));
    let item = item.ok_or_else(|| Error::conditional("Failed to fetch saved item", "update"))?;
    Ok(json!({ "item": item, "capacity": capacity }).into())
}

/// What a save answers: the stored item and the capacity entries.
#[derive(serde::Serialize)]
struct Saved<'a> {
    item: DyItem<'a>,
    capacity: Vec<Value>,
}

/// The answer of a save made by one write request: the item it stored, and
/// the capacity entries with the write's last.
fn written(
    item: &HashMap<String, AttributeValue>,
    mut capacity: Vec<Value>,
    operation: &str,
    consumed: Option<&ConsumedCapacity>,
) -> Result<Reply> {
    capacity.push(capacity_entry("write", operation, capacity_json(consumed)));
    Reply::json(&Saved {
        item: DyItem(item),
        capacity,
    })
}

fn update_error(
    e: SdkError<UpdateItemError, aws_sdk_dynamodb::config::http::HttpResponse>,
) -> Error {
    if matches!(
        e.as_service_error(),
        Some(UpdateItemError::ConditionalCheckFailedException(_))
    ) {
        return Error::conditional("Condition check failed", "update");
    }
    sdk_error(e)
}

/// A create's condition failure reads as the update's did: DynamoBao's message.
fn put_error(e: SdkError<PutItemError, aws_sdk_dynamodb::config::http::HttpResponse>) -> Error {
    if matches!(
        e.as_service_error(),
        Some(PutItemError::ConditionalCheckFailedException(_))
    ) {
        return Error::conditional("Condition check failed", "update");
    }
    sdk_error(e)
}

fn transact_error(
    e: SdkError<TransactWriteItemsError, aws_sdk_dynamodb::config::http::HttpResponse>,
) -> Error {
    if let Some(TransactWriteItemsError::TransactionCanceledException(tc)) = e.as_service_error() {
        let conditional = tc
            .cancellation_reasons()
            .iter()
            .any(|r| r.code() == Some("ConditionalCheckFailed"));
        if conditional {
            return Error::conditional(
                "Transaction cancelled due to condition check failure",
                "update",
            );
        }
    }
    sdk_error(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::tests::all_types;

    #[test]
    fn backfill_completes_half_known_indexes() {
        let s = all_types();
        let current =
            serde_json::json!({"id": "X", "s": "hello", "dt": 5, "i": 1, "f": 2.5, "b": true});
        let mut data = serde_json::json!({"s": "new"})
            .as_object()
            .cloned()
            .unwrap();
        backfill(&s, &mut data, current.as_object().unwrap(), false);
        assert_eq!(data.get("dt"), Some(&serde_json::json!(5)));
        assert_eq!(data.get("i"), None, "byI has neither value: untouched");
        // byB's pk is modelPrefix, so its sort key is always back-filled.
        assert_eq!(data.get("b"), Some(&serde_json::json!(true)));
        let mut all = Map::new();
        backfill(&s, &mut all, current.as_object().unwrap(), true);
        assert_eq!(all.len(), 6);
    }

    #[test]
    fn pre_read_fetches_what_the_update_needs() {
        let s = all_types();
        let read = |dy: Value, force| pre_read_attributes(&s, dy.as_object().unwrap(), force);
        // byB's pk is modelPrefix: its sort key is read for every update.
        assert_eq!(
            read(json!({"i": 1, "f": 2.5}), false),
            Some(vec!["_pk".into(), "b".into()])
        );
        assert_eq!(
            read(json!({"s": "new"}), false),
            Some(vec!["_pk".into(), "b".into(), "dt".into()]),
            "half of byS known: its sort key"
        );
        assert_eq!(
            read(json!({"s": "new", "dt": 1, "i": 2, "b": true}), false),
            Some(vec!["_pk".into(), "f".into()]),
            "byS and byB complete, byI half"
        );
        assert_eq!(
            read(json!({"s2": "x", "b": false}), false),
            Some(vec!["_pk".into(), "s2".into()]),
            "the old unique value"
        );
        assert_eq!(read(json!({"s": "new"}), true), None);

        let s = ModelSchema::from_json(
            r#"{"name":"Chain","prefix":"c","fields":[{"name":"id","kind":"string"},{"name":"s","kind":"string"},
              {"name":"dt","kind":"dateTime"},{"name":"owner","kind":"string"}],"primaryKey":{"pk":"id"},
            "indexes":[{"name":"byS","pk":"s","sk":"dt","indexId":"gsi1"},{"name":"byOwner","pk":"owner","sk":"dt","indexId":"gsi2"}]}"#,
        )
        .unwrap();
        assert_eq!(
            pre_read_attributes(&s, json!({"s": "x"}).as_object().unwrap(), false),
            Some(vec!["_pk".into(), "dt".into(), "owner".into()]),
            "byS back-fills dt, which makes byOwner half-known"
        );

        let s = ModelSchema::from_json(
            r#"{"name":"Doc","prefix":"d","fields":[{"name":"id","kind":"string"},{"name":"title","kind":"string"},
              {"name":"body","kind":"string"},{"name":"tags","kind":"stringSet"},{"name":"n","kind":"integer"}],
            "primaryKey":{"pk":"id"},"searchConfig":{"fields":["title","body"]}}"#,
        )
        .unwrap();
        let read = |dy: Value| pre_read_attributes(&s, dy.as_object().unwrap(), false);
        assert_eq!(
            read(json!({"n": 1})),
            Some(vec!["_pk".into()]),
            "existence only"
        );
        assert_eq!(
            read(json!({"tags": ["a"]})),
            Some(vec!["_pk".into(), "tags".into()]),
            "the stored set, for the diff"
        );
        assert_eq!(
            read(json!({"title": "t"})),
            Some(vec!["_pk".into(), "body".into(), "title".into()]),
            "every searchable field, to rebuild _searchText"
        );
    }
}
