//! UpdateItem expressions: `SET … ADD … REMOVE … DELETE …` in that clause
//! order, attributes in the order they were added.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

#[derive(Debug, Default)]
pub struct UpdateExpression {
    set: Vec<String>,
    add: Vec<String>,
    remove: Vec<String>,
    delete: Vec<String>,
    pub names: HashMap<String, String>,
    pub values: HashMap<String, AttributeValue>,
}

impl UpdateExpression {
    fn name(&mut self, attr: &str) -> String {
        let placeholder = format!("#{attr}");
        self.names.insert(placeholder.clone(), attr.to_string());
        placeholder
    }

    fn value(&mut self, attr: &str, v: AttributeValue) -> String {
        let placeholder = format!(":{attr}");
        self.values.insert(placeholder.clone(), v);
        placeholder
    }

    pub fn set(&mut self, attr: &str, v: AttributeValue) {
        let (n, p) = (self.name(attr), self.value(attr, v));
        self.set.push(format!("{n} = {p}"));
    }

    /// Atomic increment (CounterField `"+n"` / `"-n"`).
    pub fn add(&mut self, attr: &str, v: AttributeValue) {
        let (n, p) = (self.name(attr), self.value(attr, v));
        self.add.push(format!("{n} {p}"));
    }

    pub fn remove(&mut self, attr: &str) {
        let n = self.name(attr);
        self.remove.push(n);
    }

    /// Removes members from a set attribute.
    pub fn delete(&mut self, attr: &str, v: AttributeValue) {
        let (n, p) = (self.name(attr), self.value(attr, v));
        self.delete.push(format!("{n} {p}"));
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
        let clauses: Vec<String> = [
            ("SET", &self.set),
            ("ADD", &self.add),
            ("REMOVE", &self.remove),
            ("DELETE", &self.delete),
        ]
        .iter()
        .filter(|(_, parts)| !parts.is_empty())
        .map(|(kw, parts)| format!("{kw} {}", parts.join(", ")))
        .collect();
        (!clauses.is_empty()).then(|| clauses.join(" "))
    }
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
}
