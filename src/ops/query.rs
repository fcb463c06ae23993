//! `queryByIndex` / `queryByPrimaryKey` (spec §5.8): the partition value and
//! the sort-key condition are converted with the key codec, so a query names
//! exactly the keys a save wrote; filters use DynamoBao's syntax.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity, Select};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::{OpScope, Reply};
use crate::error::{Error, Result};
use crate::expr::filter;
use crate::keys::to_gsi;
use crate::marshal::{to_attr, to_item};
use crate::response_body::body_of;
use crate::schema::{FieldKind, IndexDef, KeyPart, ModelSchema};
use crate::wire::{self, capacity_json, WireAttr, WireCapacity, WireItem};

/// `Model.defaultQueryLimit`.
pub const DEFAULT_QUERY_LIMIT: i32 = 100;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryRequest {
    /// An index name; `None` queries the table's primary key (`queryByPrimaryKey`).
    pub index: Option<String>,
    pub pk_value: Value,
    /// `{field: value}` or `{field: {$op: value}}` with dy operands.
    pub sk_condition: Option<Map<String, Value>>,
    /// Checked by [`page_limit`]: any JSON value may arrive here.
    pub limit: Option<Value>,
    pub direction: Option<String>,
    pub start_key: Option<Map<String, Value>>,
    /// An opaque cursor from an earlier page (`options.cursor`).
    pub cursor: Option<String>,
    #[serde(default)]
    pub count_only: bool,
    /// DynamoBao filter syntax with dy operands.
    pub filter: Option<Value>,
}

fn part_kind(schema: &ModelSchema, p: KeyPart) -> FieldKind {
    match p {
        KeyPart::ModelPrefix => FieldKind::String,
        KeyPart::Field(i) => schema.fields[i].kind,
    }
}

/// The page size: DynamoBao's `limit || defaultQueryLimit` (the JS layer
/// substitutes the default), so 0 and null give the default. Anything but a
/// positive integer is refused: DynamoDB would refuse a negative or
/// fractional one, and mapping it to the default would hide the mistake.
fn page_limit(limit: Option<&Value>) -> Result<i32> {
    match limit {
        None | Some(Value::Null) => Ok(DEFAULT_QUERY_LIMIT),
        Some(Value::Number(n)) if n.as_u64() == Some(0) => Ok(DEFAULT_QUERY_LIMIT),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|l| i32::try_from(l).ok())
            .ok_or_else(|| Error::query(format!("limit must be a positive integer, got {n}"))),
        Some(other) => Err(Error::query(format!(
            "limit must be a positive integer, got {other}"
        ))),
    }
}

/// The key condition on the sort key (`KeyConditionBuilder`).
fn sort_condition(
    schema: &ModelSchema,
    ix: &IndexDef,
    cond: &Map<String, Value>,
    values: &mut HashMap<String, AttributeValue>,
) -> Result<String> {
    // Only one condition reaches DynamoDB: a second one would be dropped
    // without a word, and the query would return more than was asked for.
    if cond.len() > 1 {
        return Err(Error::query(format!(
            "A sort key condition names one field, found {}",
            cond.len()
        )));
    }
    let (field, c) = cond
        .iter()
        .next()
        .ok_or_else(|| Error::query("Invalid condition format"))?;
    if schema.part_name(ix.sk).unwrap_or("modelPrefix") != field {
        return Err(Error::query(format!(
            "Field \"{field}\" is not the sort key for index \"{}\"",
            ix.name
        )));
    }
    let kind = part_kind(schema, ix.sk);
    let gsi =
        |v: &Value| -> Result<AttributeValue> { Ok(AttributeValue::S(to_gsi(kind, Some(v))?)) };
    let Value::Object(op) = c else {
        values.insert(":sortKeyValue".into(), gsi(c)?);
        return Ok("#sk = :sortKeyValue".into());
    };
    if op.len() > 1 {
        return Err(Error::query(format!(
            "A sort key condition takes one operator, found {} (use $between for a range)",
            op.len()
        )));
    }
    let (name, v) = op
        .iter()
        .next()
        .ok_or_else(|| Error::query("Invalid condition format"))?;
    let cmp = match name.as_str() {
        "$gt" => ">",
        "$gte" => ">=",
        "$lt" => "<",
        "$lte" => "<=",
        "$beginsWith" => {
            values.insert(":sortKeyValue".into(), gsi(v)?);
            return Ok("begins_with(#sk, :sortKeyValue)".into());
        }
        "$between" => {
            let pair = v.as_array().filter(|a| a.len() == 2).ok_or_else(|| {
                Error::query("$between requires an array with exactly 2 elements")
            })?;
            values.insert(":sortKeyStart".into(), gsi(&pair[0])?);
            values.insert(":sortKeyEnd".into(), gsi(&pair[1])?);
            return Ok("#sk BETWEEN :sortKeyStart AND :sortKeyEnd".into());
        }
        other => {
            return Err(Error::query(format!(
                "Unsupported sort key operator: {other}"
            )))
        }
    };
    values.insert(":sortKeyValue".into(), gsi(v)?);
    Ok(format!("#sk {cmp} :sortKeyValue"))
}

pub async fn query(scope: &OpScope<'_>, req: QueryRequest) -> Result<Reply> {
    let schema = scope.schema;
    let primary = IndexDef {
        name: "primary".into(),
        pk: schema.pk,
        sk: schema.sk,
        gsi: None,
    };
    let ix = match &req.index {
        Some(name) => schema.index(name).ok_or_else(|| {
            Error::query(format!(
                "Index \"{name}\" not found in {} model",
                schema.name
            ))
        })?,
        None => &primary,
    };
    let (pk_attr, sk_attr) = match &ix.gsi {
        Some(g) => (format!("_{g}_pk"), format!("_{g}_sk")),
        None => ("_pk".to_string(), "_sk".to_string()),
    };
    let pk_value = scope.codec().index_partition(
        ix.gsi.as_deref(),
        &to_gsi(part_kind(schema, ix.pk), Some(&req.pk_value))?,
    );

    let mut names = HashMap::from([("#pk".to_string(), pk_attr.clone())]);
    let mut values = HashMap::from([(":pk".to_string(), AttributeValue::S(pk_value.clone()))]);
    let mut key_condition = "#pk = :pk".to_string();
    if let Some(cond) = req.sk_condition.as_ref().filter(|c| !c.is_empty()) {
        let sk = sort_condition(schema, ix, cond, &mut values)?;
        names.insert("#sk".into(), sk_attr);
        key_condition = format!("{key_condition} AND {sk}");
    }

    let mut filter_expression = None;
    if let Some(f) = req
        .filter
        .as_ref()
        .map(|f| filter::build(schema, f))
        .transpose()?
        .flatten()
    {
        for (k, v) in f.names {
            names.insert(k, v.as_str().unwrap_or_default().to_string());
        }
        for (k, v) in &f.values {
            values.insert(k.clone(), to_attr(v)?);
        }
        filter_expression = Some(f.expression);
    }

    let tenant = scope.tenant.as_ref().map(|t| t.as_str());
    let cursor_scope = format!("{}|{pk_value}", ix.name);
    let start_key = match (&req.start_key, &req.cursor) {
        (Some(_), Some(_)) => {
            return Err(Error::validation(
                "Pass either startKey or cursor, not both",
            ))
        }
        (None, Some(c)) => Some(to_item(&scope.db.cursor_key.open(
            c,
            tenant,
            &cursor_scope,
        )?)?),
        (Some(k), None) => {
            // A raw key names its partition; one from another tenant (or another
            // query) names a different one and is refused before any request.
            if k.get(&pk_attr).and_then(Value::as_str) != Some(pk_value.as_str()) {
                return Err(Error::validation(
                    "startKey does not belong to this query: cursors are scoped to one tenant and one partition",
                ));
            }
            Some(to_item(k)?)
        }
        (None, None) => None,
    };

    let client = scope.client().await?;
    let call = client
        .query()
        .table_name(&scope.db.table)
        .set_index_name(ix.gsi.clone())
        .key_condition_expression(key_condition)
        .set_filter_expression(filter_expression)
        .set_expression_attribute_names(Some(names))
        .set_expression_attribute_values(Some(values))
        .scan_index_forward(req.direction.as_deref() != Some("DESC"))
        .limit(page_limit(req.limit.as_ref())?)
        .set_exclusive_start_key(start_key)
        .set_select(req.count_only.then_some(Select::Count))
        .return_consumed_capacity(ReturnConsumedCapacity::Total);
    let body = body_of!(scope.db.body_read(), call).await?;
    let mut out: Answer = wire::parse(&body)?;
    // The index partition is the tenant's, but each item in it carries its
    // own table key. One whose `_pk` is outside the tenant was written around
    // this library (IAM's LeadingKeys checks only the table key of a write)
    // and is not this tenant's: it is left out of the page.
    if let (Some(t), Some(_)) = (scope.tenant.as_ref(), &ix.gsi) {
        out.items
            .retain(|item| matches!(item.get("_pk"), Some(WireAttr::S(pk)) if t.owns_key(pk)));
    }
    let capacity = capacity_json(out.consumed_capacity.as_ref());
    if req.count_only {
        return Ok(json!({ "count": out.count, "consumedCapacity": capacity }).into());
    }
    let last_key = out
        .last_evaluated_key
        .as_ref()
        .map(WireItem::to_map)
        .transpose()?;
    let cursor = last_key
        .as_ref()
        .map(|k| scope.db.cursor_key.seal(tenant, &cursor_scope, k));
    Reply::json(&Page {
        count: out.items.len(),
        items: &out.items,
        last_evaluated_key: last_key,
        cursor,
        consumed_capacity: capacity,
    })
}

/// A Query answer, as much of it as is used.
#[derive(Deserialize)]
struct Answer<'a> {
    #[serde(rename = "Items", borrow, default)]
    items: Vec<WireItem<'a>>,
    #[serde(rename = "Count", default)]
    count: i64,
    #[serde(rename = "LastEvaluatedKey", borrow, default)]
    last_evaluated_key: Option<WireItem<'a>>,
    #[serde(rename = "ConsumedCapacity", default)]
    consumed_capacity: Option<WireCapacity>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Page<'a> {
    count: usize,
    items: &'a [WireItem<'a>],
    last_evaluated_key: Option<Map<String, Value>>,
    cursor: Option<String>,
    consumed_capacity: Value,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::tests::all_types;

    fn condition(cond: Value) -> Result<String> {
        let s = all_types();
        let ix = s.index("byS").cloned().expect("byS");
        sort_condition(
            &s,
            &ix,
            cond.as_object().expect("object"),
            &mut HashMap::new(),
        )
    }

    #[test]
    fn sort_condition_takes_one_field_and_one_operator() {
        assert_eq!(
            condition(json!({"dt": {"$gt": 1}})).ok().as_deref(),
            Some("#sk > :sortKeyValue")
        );
        let two_ops = condition(json!({"dt": {"$gt": 1, "$lt": 5}})).unwrap_err();
        assert!(
            two_ops.message.contains("one operator, found 2"),
            "{}",
            two_ops.message
        );
        let two_fields = condition(json!({"dt": 1, "s": "x"})).unwrap_err();
        assert!(
            two_fields.message.contains("one field, found 2"),
            "{}",
            two_fields.message
        );
        assert!(condition(json!({})).is_err());
        assert!(condition(json!({"dt": {}})).is_err());
    }

    #[test]
    fn page_limit_is_a_positive_integer_or_the_default() {
        assert_eq!(page_limit(None).ok(), Some(DEFAULT_QUERY_LIMIT));
        assert_eq!(
            page_limit(Some(&json!(null))).ok(),
            Some(DEFAULT_QUERY_LIMIT)
        );
        assert_eq!(page_limit(Some(&json!(0))).ok(), Some(DEFAULT_QUERY_LIMIT));
        assert_eq!(page_limit(Some(&json!(20))).ok(), Some(20));
        for bad in [
            json!(-1),
            json!(2.5),
            json!("20"),
            json!(true),
            json!(1u64 << 40),
        ] {
            let err = page_limit(Some(&bad)).unwrap_err();
            assert!(
                err.message.starts_with("limit must be a positive integer"),
                "{bad}: {}",
                err.message
            );
        }
    }
}
