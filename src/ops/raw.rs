//! The raw access seam DynamoBao exposes as `Model.documentClient.send(new
//! XCommand(input))` (spec §2.6): DynamoDB requests in their JSON shape, with
//! attribute values in document form (plain JSON, as `lib-dynamodb` takes
//! them) or wire form (`{S: …}`, for the low-level client).
//!
//! With tenancy enabled the seam stays inside the tenant: every key the
//! command names (`Key`, `Item`, and the partition value of a key condition)
//! must start with the current tenant's prefix.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, ConsumedCapacity, Delete, KeysAndAttributes, Put,
    ReturnConsumedCapacity, ReturnValue, Select, TableDescription, TimeToLiveSpecification,
    TransactWriteItem, Update,
};
use serde_json::{json, Map, Value};

use crate::db::{capacity_json, sdk_error, Db};
use crate::error::{Error, ErrorCode, Result};
use crate::marshal::{from_attr, to_attr, wire_from, wire_to};
use crate::tenant::TenantId;

/// How attribute values are written in the command's JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Plain JSON values (`DynamoDBDocumentClient`).
    Document,
    /// DynamoDB JSON (`{S: "x"}`, the low-level `DynamoDBClient`).
    Wire,
}

/// Which tenant the command is confined to; `None` when tenancy is off.
pub struct Confinement<'a> {
    pub tenant: Option<&'a TenantId>,
}

/// Attributes that hold a partition key the library writes.
fn is_partition_attribute(name: &str) -> bool {
    name == "_pk" || name == "_iter_pk" || (name.starts_with("_gsi") && name.ends_with("_pk"))
}

impl Confinement<'_> {
    fn check(&self, what: &str, value: Option<&AttributeValue>) -> Result<()> {
        let Some(t) = self.tenant else { return Ok(()) };
        match value {
            Some(AttributeValue::S(s)) if t.owns_key(s) => Ok(()),
            _ => Err(Error::new(
                ErrorCode::Validation,
                format!("{what} is outside the current tenant: raw commands may only name keys that start with \"[{}]#\"", t.as_str()),
            )),
        }
    }

    /// Every partition attribute an item carries (`_pk`, `_gsiN_pk`, `_iter_pk`).
    fn check_item(&self, what: &str, item: &HashMap<String, AttributeValue>) -> Result<()> {
        self.check(what, item.get("_pk"))?;
        for (name, value) in item {
            if name != "_pk" && is_partition_attribute(name) {
                self.check(&format!("{what} attribute {name}"), Some(value))?;
            }
        }
        Ok(())
    }

    /// The partition equality of a key condition (`#pk = :pk`, possibly `AND`ed with a sort-key clause).
    fn check_key_condition(
        &self,
        expression: Option<&str>,
        names: Option<&HashMap<String, String>>,
        values: Option<&HashMap<String, AttributeValue>>,
    ) -> Result<()> {
        if self.tenant.is_none() {
            return Ok(());
        }
        let tokens = tokens(expression.unwrap_or_default());
        for clause in tokens.split(|t| t.eq_ignore_ascii_case("and")) {
            let bare: Vec<&str> = clause
                .iter()
                .copied()
                .filter(|t| !matches!(*t, "(" | ")"))
                .collect();
            if let [lhs, "=", rhs] = bare[..] {
                if is_partition_attribute(resolve_name(lhs, names)) {
                    return self.check(
                        "The key condition's partition value",
                        values.and_then(|v| v.get(rhs)),
                    );
                }
            }
        }
        self.check("The key condition", None)
    }

    /// An update may only set a partition attribute to a value inside the
    /// tenant, and only as `name = :value`: any other form (a function, a
    /// sum, a nested path) of a partition attribute is refused.
    fn check_update(
        &self,
        expression: Option<&str>,
        names: Option<&HashMap<String, String>>,
        values: Option<&HashMap<String, AttributeValue>>,
    ) -> Result<()> {
        if self.tenant.is_none() {
            return Ok(());
        }
        for assignment in set_assignments(&tokens(expression.unwrap_or_default())) {
            let Some(&first) = assignment.first() else {
                continue;
            };
            let attr = resolve_name(first, names);
            if !is_partition_attribute(attr) {
                continue;
            }
            let value = match assignment[..] {
                [_, "=", rhs] => values.and_then(|v| v.get(rhs)),
                _ => None,
            };
            self.check(&format!("The update of {attr}"), value)?;
        }
        Ok(())
    }
}

/// An expression's tokens as DynamoDB's parser reads them: a name or keyword
/// (ASCII letters, digits, `_`), a placeholder (`#x`, `:x`), or any other
/// single character. Whitespace only separates: DynamoDB accepts a keyword
/// glued to what follows (`SET#g=:v`), so splitting at whitespace alone
/// would miss it.
fn tokens(expression: &str) -> Vec<&str> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let mut chars = expression.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let mut end = start + c.len_utf8();
        if word(c) || c == '#' || c == ':' {
            while let Some(&(i, next)) = chars.peek() {
                if !word(next) {
                    break;
                }
                end = i + next.len_utf8();
                chars.next();
            }
        }
        out.push(&expression[start..end]);
    }
    out
}

/// The assignments of an update expression's SET clause, as token lists,
/// split at top-level commas (function arguments keep theirs).
fn set_assignments<'a, 't>(tokens: &'t [&'a str]) -> Vec<&'t [&'a str]> {
    const CLAUSES: [&str; 4] = ["SET", "REMOVE", "ADD", "DELETE"];
    let mut out = Vec::new();
    let (mut in_set, mut depth, mut from) = (false, 0i32, 0);
    for (i, &t) in tokens.iter().enumerate() {
        let clause = depth == 0 && CLAUSES.iter().any(|c| t.eq_ignore_ascii_case(c));
        if (clause || (depth == 0 && t == ",")) && in_set && from < i {
            out.push(&tokens[from..i]);
        }
        match t {
            _ if clause => in_set = t.eq_ignore_ascii_case("SET"),
            "(" | "[" => depth += 1,
            ")" | "]" => depth -= 1,
            _ => {}
        }
        if clause || (depth == 0 && t == ",") {
            from = i + 1;
        }
    }
    if in_set && from < tokens.len() {
        out.push(&tokens[from..]);
    }
    out
}

/// An expression attribute name (`#x` through the names map) or a literal name.
fn resolve_name<'a>(name: &'a str, names: Option<&'a HashMap<String, String>>) -> &'a str {
    match name.strip_prefix('#') {
        Some(_) => names
            .and_then(|n| n.get(name))
            .map(String::as_str)
            .unwrap_or(name),
        None => name,
    }
}

struct Input<'a> {
    obj: &'a Map<String, Value>,
    form: Form,
}

impl<'a> Input<'a> {
    fn str(&self, key: &str) -> Option<String> {
        self.obj
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    fn bool(&self, key: &str) -> Option<bool> {
        self.obj.get(key).and_then(Value::as_bool)
    }

    fn int(&self, key: &str) -> Option<i32> {
        self.obj
            .get(key)
            .and_then(Value::as_i64)
            .and_then(|n| i32::try_from(n).ok())
    }

    fn sub(&self, key: &str) -> Option<Input<'a>> {
        self.obj
            .get(key)
            .and_then(Value::as_object)
            .map(|obj| Input {
                obj,
                form: self.form,
            })
    }

    fn attr(&self, v: &Value) -> Result<AttributeValue> {
        match self.form {
            Form::Document => to_attr(v),
            Form::Wire => wire_from(v),
        }
    }

    fn item(&self, key: &str) -> Result<Option<HashMap<String, AttributeValue>>> {
        match self.obj.get(key) {
            Some(Value::Object(o)) => Ok(Some(
                o.iter()
                    .map(|(k, v)| Ok((k.clone(), self.attr(v)?)))
                    .collect::<Result<_>>()?,
            )),
            _ => Ok(None),
        }
    }

    fn names(&self) -> Option<HashMap<String, String>> {
        self.obj
            .get("ExpressionAttributeNames")
            .and_then(Value::as_object)
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
    }

    fn values(&self) -> Result<Option<HashMap<String, AttributeValue>>> {
        self.item("ExpressionAttributeValues")
    }

    fn capacity(&self) -> Option<ReturnConsumedCapacity> {
        self.str("ReturnConsumedCapacity")
            .map(|s| ReturnConsumedCapacity::from(s.as_str()))
    }
}

fn render(form: Form, a: &AttributeValue) -> Value {
    match form {
        Form::Document => from_attr(a),
        Form::Wire => wire_to(a),
    }
}

fn render_item(form: Form, item: &HashMap<String, AttributeValue>) -> Value {
    Value::Object(
        item.iter()
            .map(|(k, v)| (k.clone(), render(form, v)))
            .collect(),
    )
}

fn capacities(c: &[ConsumedCapacity]) -> Value {
    Value::Array(c.iter().map(|c| capacity_json(Some(c))).collect())
}

fn build<T, E: std::fmt::Display>(r: std::result::Result<T, E>) -> Result<T> {
    r.map_err(|e| Error::validation(e.to_string()))
}

/// Sends one command; `op` is the DynamoDB operation (`GetItem`, `Query`, …).
pub async fn send(
    db: &Db,
    confine: &Confinement<'_>,
    op: &str,
    form: Form,
    input: &Value,
) -> Result<Value> {
    let empty = Map::new();
    let input = Input {
        obj: input.as_object().unwrap_or(&empty),
        form,
    };
    // Control operations carry no tenant and use the configuration's client.
    let client = match confine.tenant {
        Some(t) => db.client_for(Some(t)).await?,
        None => db.client().await.clone(),
    };
    let table = input.str("TableName");
    // Without a table name the SDK fails while building the request, which
    // would read as a network error; it is bad input.
    let names_table = !matches!(op, "ListTables" | "BatchGetItem" | "TransactWriteItems");
    if names_table && table.as_deref().is_none_or(str::is_empty) {
        return Err(Error::validation(format!("{op} needs a TableName")));
    }
    Ok(match op {
        "GetItem" => {
            let key = input.item("Key")?.unwrap_or_default();
            confine.check_item("Key", &key)?;
            let out = client
                .get_item()
                .set_table_name(table)
                .set_key(Some(key))
                .set_consistent_read(input.bool("ConsistentRead"))
                .set_projection_expression(input.str("ProjectionExpression"))
                .set_expression_attribute_names(input.names())
                .set_return_consumed_capacity(input.capacity())
                .send()
                .await
                .map_err(sdk_error)?;
            json!({
                "Item": out.item().map(|i| render_item(form, i)),
                "ConsumedCapacity": out.consumed_capacity().map(|c| capacity_json(Some(c))),
            })
        }
        "Query" => {
            let (names, values) = (input.names(), input.values()?);
            let key_condition = input.str("KeyConditionExpression");
            confine.check_key_condition(
                key_condition.as_deref(),
                names.as_ref(),
                values.as_ref(),
            )?;
            let out = client
                .query()
                .set_table_name(table)
                .set_index_name(input.str("IndexName"))
                .set_key_condition_expression(key_condition)
                .set_filter_expression(input.str("FilterExpression"))
                .set_projection_expression(input.str("ProjectionExpression"))
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .set_limit(input.int("Limit"))
                .set_scan_index_forward(input.bool("ScanIndexForward"))
                .set_consistent_read(input.bool("ConsistentRead"))
                .set_select(input.str("Select").map(|s| Select::from(s.as_str())))
                .set_exclusive_start_key(input.item("ExclusiveStartKey")?)
                .set_return_consumed_capacity(input.capacity())
                .send()
                .await
                .map_err(sdk_error)?;
            json!({
                "Items": out.items().iter().map(|i| render_item(form, i)).collect::<Vec<_>>(),
                "Count": out.count(),
                "ScannedCount": out.scanned_count(),
                "LastEvaluatedKey": out.last_evaluated_key().map(|k| render_item(form, k)),
                "ConsumedCapacity": out.consumed_capacity().map(|c| capacity_json(Some(c))),
            })
        }
        "UpdateItem" => {
            let key = input.item("Key")?.unwrap_or_default();
            confine.check_item("Key", &key)?;
            let (names, values) = (input.names(), input.values()?);
            let update = input.str("UpdateExpression");
            confine.check_update(update.as_deref(), names.as_ref(), values.as_ref())?;
            let out = client
                .update_item()
                .set_table_name(table)
                .set_key(Some(key))
                .set_update_expression(input.str("UpdateExpression"))
                .set_condition_expression(input.str("ConditionExpression"))
                .set_expression_attribute_names(input.names())
                .set_expression_attribute_values(input.values()?)
                .set_return_values(
                    input
                        .str("ReturnValues")
                        .map(|s| ReturnValue::from(s.as_str())),
                )
                .set_return_consumed_capacity(input.capacity())
                .send()
                .await
                .map_err(sdk_error)?;
            json!({
                "Attributes": out.attributes().map(|i| render_item(form, i)),
                "ConsumedCapacity": out.consumed_capacity().map(|c| capacity_json(Some(c))),
            })
        }
        "DeleteItem" => {
            let key = input.item("Key")?.unwrap_or_default();
            confine.check_item("Key", &key)?;
            let out = client
                .delete_item()
                .set_table_name(table)
                .set_key(Some(key))
                .set_condition_expression(input.str("ConditionExpression"))
                .set_expression_attribute_names(input.names())
                .set_expression_attribute_values(input.values()?)
                .set_return_values(
                    input
                        .str("ReturnValues")
                        .map(|s| ReturnValue::from(s.as_str())),
                )
                .set_return_consumed_capacity(input.capacity())
                .send()
                .await
                .map_err(sdk_error)?;
            json!({
                "Attributes": out.attributes().map(|i| render_item(form, i)),
                "ConsumedCapacity": out.consumed_capacity().map(|c| capacity_json(Some(c))),
            })
        }
        "BatchGetItem" => {
            let mut request = HashMap::new();
            for (name, spec) in input
                .sub("RequestItems")
                .map(|r| r.obj.clone())
                .unwrap_or_default()
            {
                let spec = Input {
                    obj: spec.as_object().unwrap_or(&empty),
                    form,
                };
                let keys = spec
                    .obj
                    .get("Keys")
                    .and_then(Value::as_array)
                    .map(|ks| {
                        ks.iter()
                            .map(|k| {
                                let k = Input {
                                    obj: k.as_object().unwrap_or(&empty),
                                    form,
                                };
                                let key: HashMap<String, AttributeValue> = k
                                    .obj
                                    .iter()
                                    .map(|(n, v)| Ok((n.clone(), k.attr(v)?)))
                                    .collect::<Result<_>>()?;
                                confine.check_item("Key", &key)?;
                                Ok(key)
                            })
                            .collect::<Result<Vec<_>>>()
                    })
                    .transpose()?;
                let ka = build(
                    KeysAndAttributes::builder()
                        .set_keys(keys)
                        .set_projection_expression(spec.str("ProjectionExpression"))
                        .set_expression_attribute_names(spec.names())
                        .set_consistent_read(spec.bool("ConsistentRead"))
                        .build(),
                )?;
                request.insert(name, ka);
            }
            let out = client
                .batch_get_item()
                .set_request_items(Some(request))
                .set_return_consumed_capacity(input.capacity())
                .send()
                .await
                .map_err(sdk_error)?;
            let responses: Map<String, Value> = out
                .responses()
                .map(|r| {
                    r.iter()
                        .map(|(t, items)| {
                            (
                                t.clone(),
                                Value::Array(items.iter().map(|i| render_item(form, i)).collect()),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let unprocessed: Map<String, Value> = out
                .unprocessed_keys()
                .map(|u| {
                    u.iter()
                        .map(|(t, ka)| {
                            let keys: Vec<Value> =
                                ka.keys().iter().map(|k| render_item(form, k)).collect();
                            (t.clone(), json!({ "Keys": keys }))
                        })
                        .collect()
                })
                .unwrap_or_default();
            json!({
                "Responses": responses,
                "UnprocessedKeys": unprocessed,
                "ConsumedCapacity": capacities(out.consumed_capacity()),
            })
        }
        "TransactWriteItems" => {
            let items = input
                .obj
                .get("TransactItems")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut transact = Vec::with_capacity(items.len());
            for entry in &items {
                let entry = Input {
                    obj: entry.as_object().unwrap_or(&empty),
                    form,
                };
                transact.push(transact_item(&entry, confine)?);
            }
            let out = client
                .transact_write_items()
                .set_transact_items(Some(transact))
                .set_return_consumed_capacity(input.capacity())
                .send()
                .await
                .map_err(sdk_error)?;
            json!({ "ConsumedCapacity": capacities(out.consumed_capacity()) })
        }
        "DescribeTable" => {
            let out = client
                .describe_table()
                .set_table_name(table)
                .send()
                .await
                .map_err(sdk_error)?;
            json!({ "Table": out.table().map(describe_table) })
        }
        "ListTables" => {
            let out = client
                .list_tables()
                .set_exclusive_start_table_name(input.str("ExclusiveStartTableName"))
                .set_limit(input.int("Limit"))
                .send()
                .await
                .map_err(sdk_error)?;
            json!({ "TableNames": out.table_names(), "LastEvaluatedTableName": out.last_evaluated_table_name() })
        }
        "DescribeTimeToLive" => {
            let out = client
                .describe_time_to_live()
                .set_table_name(table)
                .send()
                .await
                .map_err(sdk_error)?;
            let d = out.time_to_live_description();
            json!({ "TimeToLiveDescription": {
                "AttributeName": d.and_then(|d| d.attribute_name()),
                "TimeToLiveStatus": d.and_then(|d| d.time_to_live_status()).map(|s| s.as_str().to_string()),
            }})
        }
        "UpdateTimeToLive" => {
            let spec = input.sub("TimeToLiveSpecification");
            let spec = build(
                TimeToLiveSpecification::builder()
                    .set_attribute_name(spec.as_ref().and_then(|s| s.str("AttributeName")))
                    .set_enabled(spec.as_ref().and_then(|s| s.bool("Enabled")))
                    .build(),
            )?;
            let out = client
                .update_time_to_live()
                .set_table_name(table)
                .time_to_live_specification(spec)
                .send()
                .await
                .map_err(sdk_error)?;
            let s = out.time_to_live_specification();
            json!({ "TimeToLiveSpecification": {
                "AttributeName": s.map(|s| s.attribute_name()),
                "Enabled": s.map(|s| s.enabled()),
            }})
        }
        other => {
            let mut e = Error::new(
                ErrorCode::DynamoDb,
                format!("{other} is not supported by this client"),
            );
            e.aws_name = Some("UnknownOperationException".into());
            return Err(e);
        }
    })
}

fn transact_item(entry: &Input<'_>, confine: &Confinement<'_>) -> Result<TransactWriteItem> {
    let b = TransactWriteItem::builder();
    Ok(if let Some(p) = entry.sub("Put") {
        let item = p.item("Item")?.unwrap_or_default();
        confine.check_item("Item", &item)?;
        b.put(build(
            Put::builder()
                .set_table_name(p.str("TableName"))
                .set_item(Some(item))
                .set_condition_expression(p.str("ConditionExpression"))
                .set_expression_attribute_names(p.names())
                .set_expression_attribute_values(p.values()?)
                .build(),
        )?)
        .build()
    } else if let Some(u) = entry.sub("Update") {
        let key = u.item("Key")?.unwrap_or_default();
        confine.check_item("Key", &key)?;
        confine.check_update(
            u.str("UpdateExpression").as_deref(),
            u.names().as_ref(),
            u.values()?.as_ref(),
        )?;
        b.update(build(
            Update::builder()
                .set_table_name(u.str("TableName"))
                .set_key(Some(key))
                .set_update_expression(u.str("UpdateExpression"))
                .set_condition_expression(u.str("ConditionExpression"))
                .set_expression_attribute_names(u.names())
                .set_expression_attribute_values(u.values()?)
                .build(),
        )?)
        .build()
    } else if let Some(d) = entry.sub("Delete") {
        let key = d.item("Key")?.unwrap_or_default();
        confine.check_item("Key", &key)?;
        b.delete(build(
            Delete::builder()
                .set_table_name(d.str("TableName"))
                .set_key(Some(key))
                .set_condition_expression(d.str("ConditionExpression"))
                .set_expression_attribute_names(d.names())
                .set_expression_attribute_values(d.values()?)
                .build(),
        )?)
        .build()
    } else if let Some(c) = entry.sub("ConditionCheck") {
        let key = c.item("Key")?.unwrap_or_default();
        confine.check_item("Key", &key)?;
        b.condition_check(build(
            ConditionCheck::builder()
                .set_table_name(c.str("TableName"))
                .set_key(Some(key))
                .set_condition_expression(c.str("ConditionExpression"))
                .set_expression_attribute_names(c.names())
                .set_expression_attribute_values(c.values()?)
                .build(),
        )?)
        .build()
    } else {
        return Err(Error::validation(
            "TransactItems entries need Put, Update, Delete or ConditionCheck",
        ));
    })
}

/// The parts of `DescribeTable` callers read.
fn describe_table(t: &TableDescription) -> Value {
    let keys = |ks: &[aws_sdk_dynamodb::types::KeySchemaElement]| -> Vec<Value> {
        ks.iter()
            .map(|k| json!({"AttributeName": k.attribute_name(), "KeyType": k.key_type().as_str()}))
            .collect()
    };
    let indexes: Vec<Value> = t
        .global_secondary_indexes()
        .iter()
        .map(|g| {
            json!({
                "IndexName": g.index_name(),
                "KeySchema": keys(g.key_schema()),
                "Projection": g.projection().map(|p| json!({
                    "ProjectionType": p.projection_type().map(|t| t.as_str().to_string()),
                    "NonKeyAttributes": p.non_key_attributes(),
                })),
                "IndexStatus": g.index_status().map(|s| s.as_str().to_string()),
            })
        })
        .collect();
    json!({
        "TableName": t.table_name(),
        "TableStatus": t.table_status().map(|s| s.as_str().to_string()),
        "TableArn": t.table_arn(),
        "ItemCount": t.item_count(),
        "KeySchema": keys(t.key_schema()),
        "AttributeDefinitions": t.attribute_definitions().iter().map(|a| json!({
            "AttributeName": a.attribute_name(),
            "AttributeType": a.attribute_type().as_str(),
        })).collect::<Vec<_>>(),
        "GlobalSecondaryIndexes": indexes,
        "BillingModeSummary": t.billing_mode_summary().map(|b| json!({
            "BillingMode": b.billing_mode().map(|m| m.as_str().to_string()),
        })),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::{validate_tenant_id, Candidate};

    #[test]
    fn confinement_checks_partition_values() {
        let t = validate_tenant_id(&Candidate::Text("T1".into())).unwrap();
        let c = Confinement { tenant: Some(&t) };
        let ok = AttributeValue::S("[T1]#u#1".into());
        let other = AttributeValue::S("[T2]#u#1".into());
        assert!(c.check("Key", Some(&ok)).is_ok());
        assert!(c.check("Key", Some(&other)).is_err());
        let names = HashMap::from([("#pk".to_string(), "_gsi1_pk".to_string())]);
        let good = HashMap::from([(":pk".to_string(), ok)]);
        let bad = HashMap::from([(":pk".to_string(), other)]);
        let expr = Some("#pk = :pk AND begins_with(#sk, :sk)");
        assert!(c
            .check_key_condition(expr, Some(&names), Some(&good))
            .is_ok());
        assert!(c
            .check_key_condition(expr, Some(&names), Some(&bad))
            .is_err());
        // A condition that names no partition key is refused too.
        assert!(c
            .check_key_condition(Some("#x = :pk"), None, Some(&good))
            .is_err());
        // A keyword, `AND`, or `=` glued to a placeholder is still one of its own.
        assert!(c
            .check_key_condition(Some("(#pk=:pk)and#pk2=:x"), Some(&names), Some(&good))
            .is_ok());
        assert!(c
            .check_key_condition(Some("#pk=:pk"), Some(&names), Some(&bad))
            .is_err());
        let off = Confinement { tenant: None };
        assert!(off
            .check_key_condition(expr, Some(&names), Some(&bad))
            .is_ok());
    }

    #[test]
    fn update_tokens_split_as_dynamodb_reads_them() {
        assert_eq!(
            tokens("SET#g=:v,#a = if_not_exists(#a, :z) REMOVE#x"),
            [
                "SET",
                "#g",
                "=",
                ":v",
                ",",
                "#a",
                "=",
                "if_not_exists",
                "(",
                "#a",
                ",",
                ":z",
                ")",
                "REMOVE",
                "#x"
            ]
        );
        let t = tokens("set #a = :a, #b = list_append(#b, :l) REMOVE #c SET #d = :d");
        let parts: Vec<String> = set_assignments(&t).iter().map(|a| a.join(" ")).collect();
        assert_eq!(
            parts,
            ["#a = :a", "#b = list_append ( #b , :l )", "#d = :d"]
        );
    }

    #[test]
    fn an_update_cannot_set_a_partition_attribute_outside_the_tenant() {
        let t = validate_tenant_id(&Candidate::Text("T1".into())).unwrap();
        let c = Confinement { tenant: Some(&t) };
        let names = HashMap::from([
            ("#g".to_string(), "_gsi1_pk".to_string()),
            ("#n".to_string(), "name".to_string()),
        ]);
        let values = HashMap::from([
            (":own".to_string(), AttributeValue::S("[T1]#x".into())),
            (":other".to_string(), AttributeValue::S("[T2]#x".into())),
        ]);
        let check = |e: &str| c.check_update(Some(e), Some(&names), Some(&values));
        assert!(check("SET #g = :own, #n = :other").is_ok());
        for hostile in [
            "SET #g = :other",
            "SET#g=:other",
            "set #n = :own,#g = :other",
            "REMOVE #n SET#g = :other",
            "SET _gsi1_pk = :other",
            "SET #g = if_not_exists(#g, :own)",
            "SET #g = :own, #n = :own ADD #m :one SET#g = :other",
        ] {
            assert!(check(hostile).is_err(), "{hostile} was let through");
        }
    }
}
