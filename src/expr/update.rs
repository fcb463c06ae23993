//! UpdateItem expressions: `SET … ADD … REMOVE … DELETE …` in that clause
//! order, attributes in the order they were added.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

#[derive(Debug, Default)]
pub struct UpdateExpression {
    /// Attribute names per clause; each has a `#<name>` placeholder, and a
    /// `:<name>` value except in `REMOVE`.
    set: Vec<String>,
    add: Vec<String>,
    remove: Vec<String>,
    delete: Vec<String>,
    pub names: HashMap<String, String>,
    pub values: HashMap<String, AttributeValue>,
}

impl UpdateExpression {
    fn name(&mut self, attr: &str) {
        self.names.insert(format!("#{attr}"), attr.to_string());
    }

    fn value(&mut self, attr: &str, v: AttributeValue) {
        self.name(attr);
        self.values.insert(format!(":{attr}"), v);
    }

    pub fn set(&mut self, attr: &str, v: AttributeValue) {
        self.value(attr, v);
        self.set.push(attr.to_string());
    }

    /// Atomic increment (CounterField `"+n"` / `"-n"`).
    pub fn add(&mut self, attr: &str, v: AttributeValue) {
        self.value(attr, v);
        self.add.push(attr.to_string());
    }

    pub fn remove(&mut self, attr: &str) {
        self.name(attr);
        self.remove.push(attr.to_string());
    }

    /// Removes members from a set attribute.
    pub fn delete(&mut self, attr: &str, v: AttributeValue) {
        self.value(attr, v);
        self.delete.push(attr.to_string());
    }

    /// The item this update makes when no item exists yet: on an absent
    /// item `SET` and `ADD` both store their value, and `REMOVE` and
    /// `DELETE` change nothing. A create writes it with PutItem, which
    /// DynamoDB parses and applies for less CPU (both ends) than the expression.
    pub fn into_new_item(mut self) -> HashMap<String, AttributeValue> {
        let mut item = HashMap::with_capacity(self.set.len() + self.add.len() + 2);
        for attr in self.set.into_iter().chain(self.add) {
            if let Some(v) = self.values.remove(&format!(":{attr}")) {
                item.insert(attr, v);
            }
        }
        item
    }

    /// Adds a condition's `#n…` / `:v…` placeholders (they never collide with
    /// the `#<attribute>` ones of the update itself).
    pub fn merge_condition_placeholders(
        &mut self,
        names: serde_json::Map<String, serde_json::Value>,
        values: &serde_json::Map<String, serde_json::Value>,
    ) -> crate::error::Result<()> {
        for (k, v) in names {
            self.names
                .insert(k, v.as_str().unwrap_or_default().to_string());
        }
        for (k, v) in values {
            self.values.insert(k.clone(), crate::marshal::to_attr(v)?);
        }
        Ok(())
    }

    /// The expression, or `None` when nothing changes.
    pub fn expression(&self) -> Option<String> {
        let with_value = |a: &String| format!("#{a} :{a}");
        let clauses: Vec<String> = [
            clause("SET", &self.set, |a| format!("#{a} = :{a}")),
            clause("ADD", &self.add, with_value),
            clause("REMOVE", &self.remove, |a| format!("#{a}")),
            clause("DELETE", &self.delete, with_value),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!clauses.is_empty()).then(|| clauses.join(" "))
    }
}

/// `KEYWORD part, part, …` for the attributes of one clause, `None` without any.
fn clause(keyword: &str, attrs: &[String], part: impl Fn(&String) -> String) -> Option<String> {
    let parts: Vec<String> = attrs.iter().map(part).collect();
    (!parts.is_empty()).then(|| format!("{keyword} {}", parts.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clause_order_and_placeholders() {
        let mut u = UpdateExpression::default();
        u.remove("bin");
        u.set("id", AttributeValue::S("x".into()));
        u.add("c", AttributeValue::N("3".into()));
        u.set("_gsi1_pk", AttributeValue::S("p".into()));
        u.delete("ss", AttributeValue::Ss(vec!["z".into()]));
        assert_eq!(
            u.expression().unwrap(),
            "SET #id = :id, #_gsi1_pk = :_gsi1_pk ADD #c :c REMOVE #bin DELETE #ss :ss"
        );
        assert_eq!(u.names["#_gsi1_pk"], "_gsi1_pk");
        assert_eq!(u.values[":c"], AttributeValue::N("3".into()));
    }

    #[test]
    fn empty_update_has_no_expression() {
        assert_eq!(UpdateExpression::default().expression(), None);
    }

    #[test]
    fn new_item_holds_the_set_and_added_values() {
        let mut u = UpdateExpression::default();
        u.set("id", AttributeValue::S("x".into()));
        u.add("c", AttributeValue::N("-3".into()));
        u.remove("gone");
        u.names.insert("#pk".into(), "_pk".into());
        let item = u.into_new_item();
        assert_eq!(item.len(), 2);
        assert_eq!(item["id"], AttributeValue::S("x".into()));
        assert_eq!(item["c"], AttributeValue::N("-3".into()));
    }
}
