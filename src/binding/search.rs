//! The `_searchText` rules for `dynamo-bao/src/utils/search-text.js`, so the
//! JS helpers and the saves that write `_searchText` share one implementation.

use napi_derive::napi;
use serde_json::{json, Map, Value};

use super::to_napi;
use crate::error::{Error, ErrorCode};
use crate::search_text::{self, SearchConfig};

fn parse<T: serde::de::DeserializeOwned>(json: &str) -> napi::Result<T, ErrorCode> {
    serde_json::from_str(json).map_err(|e| to_napi(Error::from(e)))
}

/// `normalizeSearchTerm(term, {caseSensitive})`.
#[napi]
#[cfg_attr(test, allow(dead_code))] // registered with Node by #[napi]
pub fn search_normalize(text: String, case_sensitive: bool) -> String {
    search_text::normalize(&text, case_sensitive)
}

/// `buildSearchText(values, config)`; both JSON.
#[napi]
#[cfg_attr(test, allow(dead_code))]
pub fn search_build_text(
    values_json: String,
    config_json: String,
) -> napi::Result<String, ErrorCode> {
    let values: Map<String, Value> = parse(&values_json)?;
    Ok(search_text::build(
        &values,
        &parse::<SearchConfig>(&config_json)?,
    ))
}

/// `computeSearchTextUpdate(...)`: JSON `{"update": text | null}`, or `{}` to leave it.
#[napi]
#[cfg_attr(test, allow(dead_code))]
pub fn search_text_update(
    config_json: String,
    dy_json: String,
    current_json: Option<String>,
    is_new: bool,
    force_reindex: bool,
) -> napi::Result<String, ErrorCode> {
    let config: SearchConfig = parse(&config_json)?;
    let dy: Map<String, Value> = parse(&dy_json)?;
    let current: Option<Map<String, Value>> = current_json.map(|c| parse(&c)).transpose()?;
    Ok(
        match search_text::update(&config, &dy, current.as_ref(), is_new, force_reindex) {
            Some(text) => json!({ "update": text }),
            None => json!({}),
        }
        .to_string(),
    )
}

/// `buildSearchPredicate(terms, config, {operator})`: the FilterExpression parts as JSON.
#[napi]
#[cfg_attr(test, allow(dead_code))]
pub fn search_predicate(
    terms_json: String,
    operator: String,
    config_json: String,
) -> napi::Result<String, ErrorCode> {
    let terms: Vec<String> = parse(&terms_json)?;
    let p = search_text::predicate(&terms, &operator, &parse::<SearchConfig>(&config_json)?)
        .map_err(to_napi)?;
    let values: Map<String, Value> = p
        .values
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    Ok(json!({
        "FilterExpression": p.expression,
        "ExpressionAttributeNames": {"#st": "_searchText"},
        "ExpressionAttributeValues": values,
    })
    .to_string())
}
