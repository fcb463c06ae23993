//! Filter and condition expressions in DynamoBao's filter syntax (spec §5.8):
//! names `#n1…`, values `:v1…` in traversal order, the original's operators,
//! precedence and error messages. Operands arrive as dy values (the JS layer
//! runs the fields' `toDy`); `_searchText` operands are normalised here.

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::keys::js_string;
use crate::schema::ModelSchema;
use crate::search_text::{self, SearchConfig};

/// The only attribute outside the declared fields a filter may name.
const SEARCH_TEXT: &str = "_searchText";

const FIELD_OPERATORS: [&str; 11] = [
    "$eq",
    "$ne",
    "$gt",
    "$gte",
    "$lt",
    "$lte",
    "$in",
    "$contains",
    "$beginsWith",
    "$exists",
    "$size",
];

/// A built filter: the expression and its placeholders (values still dy).
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub expression: String,
    pub names: Map<String, Value>,
    pub values: Map<String, Value>,
}

/// `(expr)`, unless `expr` already is one parenthesised group: DynamoDB
/// rejects redundant parentheses such as `((a OR b))`.
pub fn grouped(expr: &str) -> String {
    let mut depth = 0usize;
    let single = expr.starts_with('(')
        && expr.char_indices().all(|(i, c)| {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ => {}
            }
            depth > 0 || i == expr.len() - 1
        });
    if single {
        expr.to_string()
    } else {
        format!("({expr})")
    }
}

/// What a filter needs to know about its model.
pub trait FilterModel {
    fn has_field(&self, name: &str) -> bool;
    /// How `_searchText` operands are normalised, if the model is searchable.
    fn search_config(&self) -> Option<&SearchConfig>;
}

impl FilterModel for ModelSchema {
    fn has_field(&self, name: &str) -> bool {
        self.field(name).is_some()
    }

    fn search_config(&self) -> Option<&SearchConfig> {
        self.search.as_ref()
    }
}

/// A model described only by its field names, as `FilterExpressionBuilder`
/// receives it (any object with `fields` and `searchConfig`).
#[derive(Debug, Default)]
pub struct PlainModel {
    pub fields: std::collections::HashSet<String>,
    pub search: Option<SearchConfig>,
}

impl FilterModel for PlainModel {
    fn has_field(&self, name: &str) -> bool {
        self.fields.contains(name)
    }

    fn search_config(&self) -> Option<&SearchConfig> {
        self.search.as_ref()
    }
}

/// `FilterExpressionBuilder.build(filter, Model)`; `None` for an empty filter.
pub fn build<M: FilterModel + ?Sized>(model: &M, filter: &Value) -> Result<Option<Filter>> {
    validate(model, filter)?;
    let mut b = Builder {
        model,
        names: Map::new(),
        values: Map::new(),
    };
    Ok(b.filter(filter)?.map(|expression| Filter {
        expression,
        names: b.names,
        values: b.values,
    }))
}

fn is_logical(key: &str) -> bool {
    matches!(key, "$and" | "$or" | "$not")
}

/// The validation pass that runs before anything is built.
fn validate<M: FilterModel + ?Sized>(model: &M, filter: &Value) -> Result<()> {
    let Value::Object(obj) = filter else {
        return Ok(());
    };
    for (key, value) in obj {
        if is_logical(key) {
            match value {
                Value::Array(items) => items.iter().try_for_each(|v| validate(model, v))?,
                v => validate(model, v)?,
            }
            continue;
        }
        if key != SEARCH_TEXT && !model.has_field(key) {
            return Err(Error::query(format!("Unknown field in filter: {key}")));
        }
        if let Value::Object(ops) = value {
            if let Some(op) = ops
                .keys()
                .find(|op| !FIELD_OPERATORS.contains(&op.as_str()))
            {
                return Err(Error::query(format!(
                    "Invalid operator {op} for field {key}"
                )));
            }
        }
    }
    Ok(())
}

struct Builder<'a, M: ?Sized> {
    model: &'a M,
    names: Map<String, Value>,
    values: Map<String, Value>,
}

impl<M: FilterModel + ?Sized> Builder<'_, M> {
    fn name(&mut self, field: &str) -> String {
        let key = format!("#n{}", self.names.len() + 1);
        self.names
            .insert(key.clone(), Value::String(field.to_string()));
        key
    }

    fn value(&mut self, v: Value) -> String {
        let key = format!(":v{}", self.values.len() + 1);
        self.values.insert(key.clone(), v);
        key
    }

    /// An operand as it is compared: `_searchText` terms normalised like the stored text.
    fn operand(&self, field: &str, v: &Value) -> Value {
        if field != SEARCH_TEXT {
            return v.clone();
        }
        let text = js_string(Some(v));
        Value::String(match self.model.search_config() {
            Some(cfg) => search_text::normalize(&text, cfg.case_sensitive),
            None => text,
        })
    }

    fn filter(&mut self, filter: &Value) -> Result<Option<String>> {
        let obj = match filter {
            Value::Object(o) if !o.is_empty() => o,
            _ => return Ok(None),
        };
        let mut parts = Vec::with_capacity(obj.len());
        for (key, value) in obj {
            parts.push(match key.as_str() {
                "$and" | "$or" => self.logical(key, value)?,
                // No parentheses, as in the original (spec §9 item 26).
                "$not" => format!(
                    "NOT {}",
                    self.filter(value)?.unwrap_or_else(|| "null".into())
                ),
                _ => self.field(key, value)?,
            });
        }
        Ok(Some(parts.join(" AND ")))
    }

    fn logical(&mut self, op: &str, conditions: &Value) -> Result<String> {
        let Value::Array(items) = conditions else {
            return Err(Error::query(format!(
                "{op} requires an array of conditions"
            )));
        };
        let joiner = if op == "$and" { " AND " } else { " OR " };
        let parts = items
            .iter()
            .filter_map(|c| self.filter(c).transpose())
            .collect::<Result<Vec<_>>>()?;
        if parts.is_empty() {
            // DynamoDB would refuse the empty group `()` with a syntax error.
            return Err(Error::query(format!(
                "{op} requires at least one non-empty condition"
            )));
        }
        // One group, not two: `{$or: [{$or: [c]}]}` must not give `((c))`,
        // which DynamoDB refuses as redundant parentheses.
        Ok(grouped(&parts.join(joiner)))
    }

    fn field(&mut self, field: &str, condition: &Value) -> Result<String> {
        match condition {
            Value::Null => {
                let n = self.name(field);
                Ok(format!("attribute_not_exists({n})"))
            }
            Value::Object(ops) if ops.is_empty() => Err(Error::query(format!(
                "Empty condition object for field: {field}"
            ))),
            Value::Object(ops) => ops
                .iter()
                .map(|(op, v)| self.comparison(field, op, v))
                .collect::<Result<Vec<_>>>()
                .map(|p| p.join(" AND ")),
            // An array is an object with index keys to the original.
            Value::Array(items) if items.is_empty() => Err(Error::query(format!(
                "Empty condition object for field: {field}"
            ))),
            Value::Array(_) => {
                self.name(field);
                Err(Error::query("Unsupported operator: 0"))
            }
            v => self.comparison(field, "$eq", v),
        }
    }

    fn comparison(&mut self, field: &str, op: &str, v: &Value) -> Result<String> {
        let n = self.name(field);
        let cmp = |op: &str| match op {
            "$eq" => Some("="),
            "$ne" => Some("<>"),
            "$gt" => Some(">"),
            "$gte" => Some(">="),
            "$lt" => Some("<"),
            "$lte" => Some("<="),
            _ => None,
        };
        if let Some(c) = cmp(op) {
            let p = self.value(self.operand(field, v));
            return Ok(format!("{n} {c} {p}"));
        }
        match op {
            "$contains" => {
                let p = self.value(self.operand(field, v));
                Ok(format!("contains({n}, {p})"))
            }
            "$beginsWith" => {
                let p = self.value(self.operand(field, v));
                Ok(format!("begins_with({n}, {p})"))
            }
            "$in" => {
                let Value::Array(items) = v else {
                    return Err(Error::validation("$in operator requires an array value"));
                };
                let keys: Vec<String> = items
                    .iter()
                    .map(|x| self.value(self.operand(field, x)))
                    .collect();
                Ok(format!("{n} IN ({})", keys.join(", ")))
            }
            "$exists" => match v {
                Value::Bool(true) => Ok(format!("attribute_exists({n})")),
                Value::Bool(false) => Ok(format!("attribute_not_exists({n})")),
                _ => Err(Error::validation(
                    "$exists operator requires a boolean value",
                )),
            },
            "$size" => match v {
                Value::Number(_) => {
                    let p = self.value(v.clone());
                    Ok(format!("size({n}) = {p}"))
                }
                Value::Object(o) => {
                    if o.len() != 1 {
                        return Err(Error::validation(
                            "$size operator with object value must have exactly one comparison operator",
                        ));
                    }
                    let (size_op, size) = o
                        .iter()
                        .next()
                        .ok_or_else(|| Error::internal("empty $size"))?;
                    if !size.is_number() {
                        return Err(Error::validation("$size operator requires a numeric value"));
                    }
                    let c = cmp(size_op).ok_or_else(|| {
                        Error::validation(format!(
                            "Unsupported size comparison operator: {size_op}"
                        ))
                    })?;
                    let p = self.value(size.clone());
                    Ok(format!("size({n}) {c} {p}"))
                }
                _ => Err(Error::validation(
                    "$size operator requires a number or object with comparison operators",
                )),
            },
            other => Err(Error::query(format!("Unsupported operator: {other}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::ModelSchema;
    use serde_json::json;

    fn model() -> ModelSchema {
        ModelSchema::from_json(
            r#"{"name":"M","prefix":"m","fields":[{"name":"s","kind":"string"},{"name":"s2","kind":"string"},
            {"name":"b","kind":"boolean"},{"name":"c","kind":"integer"},{"name":"n","kind":"integer"},
            {"name":"tags","kind":"stringSet"}],"primaryKey":{"pk":"s"},
            "searchConfig":{"fields":["s"]}}"#,
        )
        .unwrap()
    }

    fn built(f: Value) -> Filter {
        build(&model(), &f).unwrap().unwrap()
    }

    #[test]
    fn spec_examples() {
        let f =
            built(json!({"s2": {"$contains": "Uniq"}, "$or": [{"b": true}, {"c": {"$gt": 1}}]}));
        assert_eq!(
            f.expression,
            "contains(#n1, :v1) AND (#n2 = :v2 OR #n3 > :v3)"
        );
        assert_eq!(f.names["#n3"], json!("c"));
        assert_eq!(f.values[":v3"], json!(1));
        let f = built(json!({"$not": {"s": "a", "n": 1}}));
        assert_eq!(f.expression, "NOT #n1 = :v1 AND #n2 = :v2");
    }

    #[test]
    fn every_operator() {
        let f = built(json!({
            "s": {"$eq": "a", "$ne": "b", "$gt": "c", "$gte": "d", "$lt": "e", "$lte": "f", "$beginsWith": "g"},
            "n": {"$in": [1, 2]},
            "s2": {"$exists": false},
            "tags": {"$size": {"$gte": 2}},
            "b": null,
        }));
        assert_eq!(
            f.expression,
            "#n1 = :v1 AND #n2 <> :v2 AND #n3 > :v3 AND #n4 >= :v4 AND #n5 < :v5 AND #n6 <= :v6 AND \
             begins_with(#n7, :v7) AND #n8 IN (:v8, :v9) AND attribute_not_exists(#n9) AND \
             size(#n10) >= :v10 AND attribute_not_exists(#n11)"
        );
        assert_eq!(
            built(json!({"tags": {"$size": 3}})).expression,
            "size(#n1) = :v1"
        );
        assert_eq!(
            built(json!({"s2": {"$exists": true}})).expression,
            "attribute_exists(#n1)"
        );
        assert_eq!(
            built(json!({"$and": [{"s": "x"}, {"n": 2}]})).expression,
            "(#n1 = :v1 AND #n2 = :v2)"
        );
    }

    #[test]
    fn nested_groups_of_one_condition_are_not_doubled() {
        let one = built(json!({"$or": [{"$or": [{"s": "x"}]}]}));
        assert_eq!(one.expression, "(#n1 = :v1)");
        let mixed = built(json!({"$and": [{"$or": [{"s": "x"}, {"s": "y"}]}]}));
        assert_eq!(mixed.expression, "(#n1 = :v1 OR #n2 = :v2)");
        let two = built(json!({"$and": [{"s": "x"}, {"$or": [{"s": "y"}]}]}));
        assert_eq!(two.expression, "(#n1 = :v1 AND (#n2 = :v2))");
    }

    #[test]
    fn grouping_avoids_redundant_parentheses() {
        assert_eq!(grouped("(a OR b)"), "(a OR b)");
        assert_eq!(grouped("(a) AND (b)"), "((a) AND (b))");
        assert_eq!(grouped("a = b"), "(a = b)");
        assert_eq!(grouped("contains(a, b)"), "(contains(a, b))");
    }

    #[test]
    fn search_text_operands_are_normalised() {
        let f = built(json!({"_searchText": {"$contains": "Héllo, World"}}));
        assert_eq!(f.values[":v1"], json!("héllo world"));
    }

    #[test]
    fn errors_match_the_original() {
        let cases = [
            (json!({"nope": 1}), "Unknown field in filter: nope"),
            (
                json!({"s": {"$regex": "x"}}),
                "Invalid operator $regex for field s",
            ),
            (json!({"s": {}}), "Empty condition object for field: s"),
            (
                json!({"$or": {"s": 1}}),
                "$or requires an array of conditions",
            ),
            (
                json!({"n": {"$in": 3}}),
                "$in operator requires an array value",
            ),
            (
                json!({"s": {"$exists": "yes"}}),
                "$exists operator requires a boolean value",
            ),
            (
                json!({"tags": {"$size": "3"}}),
                "$size operator requires a number or object with comparison operators",
            ),
            (
                json!({"tags": {"$size": {"$gt": 1, "$lt": 5}}}),
                "$size operator with object value must have exactly one comparison operator",
            ),
            (
                json!({"tags": {"$size": {"$gt": "1"}}}),
                "$size operator requires a numeric value",
            ),
            (
                json!({"tags": {"$size": {"$in": 1}}}),
                "Unsupported size comparison operator: $in",
            ),
            (
                json!({"$and": [{"nope": 1}]}),
                "Unknown field in filter: nope",
            ),
        ];
        for (f, msg) in cases {
            assert_eq!(build(&model(), &f).unwrap_err().message, msg, "{f}");
        }
        assert_eq!(build(&model(), &json!({})).unwrap(), None);
    }
}
