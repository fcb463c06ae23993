//! Iteration and search pages (spec §5.11, §5.12): the Query of one
//! tenant-prefixed iteration partition, with the user's filter and the
//! search predicate, built here and sent by the JS layer through the model's
//! document client; hydration is `batchFind`.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::OpScope;
use crate::error::{Error, Result};
use crate::expr::filter;
use crate::search_text;

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
pub struct SearchTerms {
    pub terms: Vec<String>,
    pub operator: Option<String>,
}

/// The Query of one iteration (or search) page, in document form, for the
/// JS layer to send through `Model.documentClient` (the seam DynamoBao's
/// users and tests intercept). Nothing is sent here.
pub fn build_query(scope: &OpScope<'_>, req: &QueryPlan) -> Result<Value> {
    let schema = scope.schema;
    if !schema.iterable {
        return Err(Error::configuration(format!(
            "Model {} is not configured as iterable",
            schema.name
        )));
    }
    let index = &scope.db.iteration_index;
    let pk = scope.codec().iter_pk(req.bucket);
    let mut names = Map::new();
    names.insert("#pk".into(), Value::String("_iter_pk".into()));
    let mut values = Map::new();
    values.insert(":pk".into(), Value::String(pk.clone()));
    let mut parts = Vec::new();
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
        names.extend(f.names);
        values.extend(f.values);
        parts.push(filter::grouped(&f.expression));
    }
    if let Some(search) = &req.search {
        let config = schema.search.as_ref().ok_or_else(|| {
            Error::configuration(format!(
                "Model {} is not configured as searchable",
                schema.name
            ))
        })?;
        let p = search_text::predicate(
            &search.terms,
            search.operator.as_deref().unwrap_or("$and"),
            config,
        )?;
        names.insert("#st".into(), Value::String("_searchText".into()));
        for (k, v) in p.values {
            values.insert(k, Value::String(v));
        }
        parts.push(format!("({})", p.expression));
    }
    if let Some(k) = &req.start_key {
        // A cursor from another tenant or bucket names another partition.
        if k.get("_iter_pk").and_then(Value::as_str) != Some(pk.as_str()) {
            return Err(Error::validation(
                "startKey does not belong to this query: cursors are scoped to one tenant and one partition",
            ));
        }
    }
    let mut input = Map::new();
    input.insert("TableName".into(), Value::String(scope.db.table.clone()));
    input.insert("IndexName".into(), Value::String(index.clone()));
    input.insert(
        "KeyConditionExpression".into(),
        Value::String("#pk = :pk".into()),
    );
    input.insert("ExpressionAttributeNames".into(), Value::Object(names));
    input.insert("ExpressionAttributeValues".into(), Value::Object(values));
    if let Some(n) = req.batch_size.filter(|n| *n > 0) {
        input.insert("Limit".into(), Value::from(n));
    }
    input.insert(
        "ReturnConsumedCapacity".into(),
        Value::String("TOTAL".into()),
    );
    if !parts.is_empty() {
        input.insert(
            "FilterExpression".into(),
            Value::String(parts.join(" AND ")),
        );
    }
    if let Some(k) = &req.start_key {
        input.insert("ExclusiveStartKey".into(), Value::Object(k.clone()));
    }
    Ok(Value::Object(input))
}

/// What `build_query` needs: the bucket, page size, filter, search terms and cursor.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryPlan {
    #[serde(default)]
    pub bucket: u32,
    pub batch_size: Option<i32>,
    pub filter: Option<Value>,
    pub search: Option<SearchTerms>,
    pub start_key: Option<Map<String, Value>>,
}
