//! `_searchText` (spec §3.8) with JavaScript's semantics: the original builds
//! it with `/[^\p{L}\p{N}\s]/gu`, `toLowerCase()` and `/\s+/g`, and stored
//! values must match what DynamoBao's search normalises queries to.

use serde_json::{Map, Value};
use unicode_general_category::{get_general_category, GeneralCategory as G};

use crate::keys::js_string;

#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SearchConfig {
    /// Source field names, in order.
    pub fields: Vec<String>,
    pub case_sensitive: bool,
    /// Terms shorter than this many code points are dropped (0 and 1 keep all).
    pub min_term_length: usize,
    pub dedupe: bool,
}

/// JS `\s`: WhiteSpace plus line terminators and U+FEFF (not U+0085, which
/// Rust's `char::is_whitespace` includes).
pub fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{B}' | '\u{C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// `\p{L}` or `\p{N}`.
fn is_letter_or_number(c: char) -> bool {
    matches!(
        get_general_category(c),
        G::UppercaseLetter
            | G::LowercaseLetter
            | G::TitlecaseLetter
            | G::ModifierLetter
            | G::OtherLetter
            | G::DecimalNumber
            | G::LetterNumber
            | G::OtherNumber
    )
}

/// `normalize(text)`: symbols to spaces, lower case, runs of space folded, trimmed.
pub fn normalize(text: &str, case_sensitive: bool) -> String {
    let kept: String = text
        .chars()
        .map(|c| {
            if is_letter_or_number(c) || is_js_space(c) {
                c
            } else {
                ' '
            }
        })
        .collect();
    let cased = if case_sensitive {
        kept
    } else {
        kept.to_lowercase()
    };
    let mut out = String::with_capacity(cased.len());
    let mut pending_space = false;
    for c in cased.chars() {
        if is_js_space(c) {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// `buildSearchText(values, config)`; empty when no source has text.
pub fn build(values: &Map<String, Value>, config: &SearchConfig) -> String {
    let parts: Vec<String> = config
        .fields
        .iter()
        .filter_map(|f| {
            values
                .get(f)
                .filter(|v| !v.is_null())
                .map(|v| js_string(Some(v)))
        })
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    let text = normalize(&parts.join(" "), config.case_sensitive);
    if text.is_empty() || !(config.dedupe || config.min_term_length > 1) {
        return text;
    }
    let mut seen = std::collections::HashSet::new();
    text.split(' ')
        .filter(|t| !t.is_empty() && t.chars().count() >= config.min_term_length.max(1))
        .filter(|t| !config.dedupe || seen.insert(*t))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `computeSearchTextUpdate`: `None` leaves the attribute alone, `Some(None)`
/// removes it, `Some(Some(text))` writes it.
pub fn update(
    config: &SearchConfig,
    dy: &Map<String, Value>,
    current: Option<&Map<String, Value>>,
    is_new: bool,
    force_reindex: bool,
) -> Option<Option<String>> {
    let touched = config.fields.iter().any(|f| dy.contains_key(f));
    if !is_new && !force_reindex && !touched {
        return None;
    }
    let mut merged = Map::new();
    for f in &config.fields {
        if let Some(v) = dy.get(f).or_else(|| current.and_then(|c| c.get(f))) {
            merged.insert(f.clone(), v.clone());
        }
    }
    let text = build(&merged, config);
    match (text.is_empty(), is_new) {
        (true, true) => None,
        (true, false) => Some(None),
        (false, _) => Some(Some(text)),
    }
}

/// The search predicate over `_searchText` (`buildSearchPredicate`): one
/// `contains(#st, :stK)` per normalised term, joined by the operator.
#[derive(Debug, Clone, PartialEq)]
pub struct Predicate {
    pub expression: String,
    /// `(":st0", term)`, … in order.
    pub values: Vec<(String, String)>,
}

pub fn predicate(
    terms: &[String],
    operator: &str,
    config: &SearchConfig,
) -> crate::error::Result<Predicate> {
    use crate::error::Error;
    let joiner = match operator {
        "$and" => " AND ",
        "$or" => " OR ",
        _ => return Err(Error::validation("operator must be one of: $and, $or.")),
    };
    let min = config.min_term_length.max(1);
    let kept: Vec<String> = terms
        .iter()
        .map(|t| normalize(t, config.case_sensitive))
        .filter(|t| !t.is_empty() && t.chars().count() >= min)
        .collect();
    if kept.is_empty() {
        return Err(Error::validation(
            "searchAll requires at least one non-empty term.",
        ));
    }
    let values: Vec<(String, String)> = kept
        .into_iter()
        .enumerate()
        .map(|(i, t)| (format!(":st{i}"), t))
        .collect();
    let parts: Vec<String> = values
        .iter()
        .map(|(k, _)| format!("contains(#st, {k})"))
        .collect();
    let expression = if parts.len() == 1 {
        parts[0].clone()
    } else {
        parts
            .iter()
            .map(|p| format!("({p})"))
            .collect::<Vec<_>>()
            .join(joiner)
    };
    Ok(Predicate { expression, values })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cfg(fields: &[&str]) -> SearchConfig {
        SearchConfig {
            fields: fields.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn spec_example() {
        let v = json!({"s": "Hello, World!", "s2": "Uniq Val"});
        assert_eq!(
            build(v.as_object().unwrap(), &cfg(&["s", "s2"])),
            "hello world uniq val"
        );
        let v = json!({"s": null, "s2": "Uniq Val"});
        assert_eq!(
            build(v.as_object().unwrap(), &cfg(&["s", "s2"])),
            "uniq val"
        );
    }

    #[test]
    fn javascript_unicode_semantics() {
        // Final sigma, marks replaced (not \p{L}), NEL is not \s, FEFF is.
        assert_eq!(normalize("ΟΔΟΣ", false), "οδος");
        assert_eq!(normalize("e\u{301}cole", false), "e cole");
        assert_eq!(normalize("a\u{85}b", false), "a b");
        assert_eq!(normalize("a\u{FEFF}\u{3000}b", false), "a b");
        assert_eq!(normalize("😀 x²½ Ⅻ", false), "x²½ ⅻ");
        assert_eq!(normalize("  MiXed  ", true), "MiXed");
    }

    #[test]
    fn dedupe_and_min_length() {
        let c = SearchConfig {
            dedupe: true,
            min_term_length: 2,
            ..cfg(&["t"])
        };
        let v = json!({"t": "a bb bb ccc a ccc"});
        assert_eq!(build(v.as_object().unwrap(), &c), "bb ccc");
    }

    #[test]
    fn predicates() {
        let c = SearchConfig {
            min_term_length: 2,
            ..cfg(&["t"])
        };
        let p = predicate(&["Alpha".into()], "$and", &c).unwrap();
        assert_eq!(p.expression, "contains(#st, :st0)");
        assert_eq!(p.values, vec![(":st0".to_string(), "alpha".to_string())]);
        let p = predicate(&["a".into(), "Bé!".into(), "cc".into()], "$or", &c).unwrap();
        assert_eq!(
            p.expression,
            "(contains(#st, :st0)) OR (contains(#st, :st1))"
        );
        assert_eq!(p.values[0].1, "bé");
        assert!(predicate(&["!".into()], "$and", &c).is_err());
        assert!(predicate(&["x".into()], "$xor", &c).is_err());
    }

    #[test]
    fn update_rules() {
        let c = cfg(&["t"]);
        let cur = json!({"t": "old"});
        let none = Map::new();
        assert_eq!(update(&c, &none, cur.as_object(), false, false), None);
        let cleared = json!({"t": null});
        assert_eq!(
            update(
                &c,
                cleared.as_object().unwrap(),
                cur.as_object(),
                false,
                false
            ),
            Some(None)
        );
        assert_eq!(
            update(&c, cleared.as_object().unwrap(), None, true, false),
            None
        );
        assert_eq!(
            update(&c, &none, cur.as_object(), false, true),
            Some(Some("old".into()))
        );
    }
}
