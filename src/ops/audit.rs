//! `bao-audit-keys`: finds items whose partition keys are not inside a valid
//! tenant prefix — the precondition for IAM `dynamodb:LeadingKeys` isolation.

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{json, Map, Value};

use crate::db::{sdk_error, Db};
use crate::error::Result;
use crate::marshal::{from_item, to_item};
use crate::tenant::{validate_tenant_id, Candidate};

/// The partition attributes the library writes.
const PARTITION_ATTRIBUTES: [&str; 7] = [
    "_pk", "_gsi1_pk", "_gsi2_pk", "_gsi3_pk", "_gsi4_pk", "_gsi5_pk", "_iter_pk",
];

/// The tenant of a key and the rest of it, when it starts with a valid `[T]#`.
pub fn split_tenant(key: &str) -> Option<(&str, &str)> {
    let rest = key.strip_prefix('[')?;
    let (tenant, tail) = rest.split_once("]#")?;
    validate_tenant_id(&Candidate::Text(tenant.to_string())).ok()?;
    Some((tenant, tail))
}

/// The model prefix a key belongs to (`_raft_uc` for unique-constraint items).
fn model_prefix(key: &str) -> String {
    let tail = split_tenant(key).map(|(_, t)| t).unwrap_or(key);
    let tail = tail
        .strip_prefix('[')
        .map(|t| t.split_once("]#").map(|(_, r)| r).unwrap_or(t))
        .unwrap_or(tail);
    tail.split('#').next().unwrap_or_default().to_string()
}

/// One page of the scan: `{scanned, findings, lastEvaluatedKey}`.
pub async fn scan_page(
    db: &Db,
    start_key: Option<&Map<String, Value>>,
    limit: Option<i32>,
) -> Result<Value> {
    let names: Vec<(String, String)> = PARTITION_ATTRIBUTES
        .iter()
        .chain(["_sk"].iter())
        .enumerate()
        .map(|(i, a)| (format!("#a{i}"), a.to_string()))
        .collect();
    let projection = names
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let out = db
        .client()
        .await
        .scan()
        .table_name(&db.table)
        .projection_expression(projection)
        .set_expression_attribute_names(Some(names.into_iter().collect()))
        .set_exclusive_start_key(start_key.map(to_item).transpose()?)
        .set_limit(limit)
        .send()
        .await
        .map_err(sdk_error)?;
    let mut findings = Vec::new();
    for item in out.items() {
        for attr in PARTITION_ATTRIBUTES {
            let Some(value) = item.get(attr) else {
                continue;
            };
            let text = match value {
                AttributeValue::S(s) => s.as_str(),
                _ => "",
            };
            if split_tenant(text).is_none() {
                findings.push(json!({
                    "modelPrefix": model_prefix(text),
                    "attribute": attr,
                    "value": text,
                    "_pk": item.get("_pk").and_then(|v| v.as_s().ok()),
                    "_sk": item.get("_sk").and_then(|v| v.as_s().ok()),
                }));
            }
        }
    }
    Ok(json!({
        "scanned": out.count(),
        "findings": findings,
        "lastEvaluatedKey": out.last_evaluated_key().map(from_item),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_inside_and_outside_a_tenant() {
        assert_eq!(split_tenant("[T1]#at#01"), Some(("T1", "at#01")));
        assert_eq!(
            split_tenant("[T1]#_raft_uc#_uc1#at#s2:x"),
            Some(("T1", "_raft_uc#_uc1#at#s2:x"))
        );
        assert_eq!(split_tenant("at#01"), None);
        assert_eq!(split_tenant("[]#at"), None, "empty tenant");
        assert_eq!(split_tenant("[T1]at"), None, "no terminator");
        assert_eq!(model_prefix("[T1]#at#gsi1#x"), "at");
        assert_eq!(model_prefix("pp"), "pp");
        assert_eq!(model_prefix("_raft_uc#_uc1#at#s:x"), "_raft_uc");
    }
}
