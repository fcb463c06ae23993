//! JavaScript number formatting. Keys and `N` attributes written by DynamoBao
//! are built with `String(n)` and `n.toExponential(20)`; byte-identical keys
//! need the same digits.

use serde_json::Number;

/// `String(n)` for a JS number.
pub fn to_js_string(n: f64) -> String {
    ryu_js::Buffer::new().format(n).to_string()
}

/// `String(n)` for a number as it arrived in JSON from JS. `JSON.stringify`
/// writes integers below 1e21 as plain digits, which parse as i64/u64 here.
pub fn number_to_js_string(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    to_js_string(n.as_f64().unwrap_or(f64::NAN))
}

/// `n.toExponential(20)`: 21 significant digits and a signed exponent, as in
/// `3.14000000000000012434e+0`. Rust's `{:.20e}` computes the same exact
/// decimal expansion; only the exponent's sign is spelled differently.
pub fn to_exponential_20(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    // -0 prints as "0.000…e+0" in JS.
    let n = if n == 0.0 { 0.0 } else { n };
    let s = format!("{n:.20e}");
    match s.split_once('e') {
        Some((mantissa, exp)) if !exp.starts_with('-') => format!("{mantissa}e+{exp}"),
        _ => s,
    }
}

/// JS `String.prototype.padStart(20, "0")`, which pads by UTF-16 length.
pub fn pad20(s: &str) -> String {
    let len = s.encode_utf16().count();
    if len >= 20 {
        return s.to_string();
    }
    let mut out = "0".repeat(20 - len);
    out.push_str(s);
    out
}

#[cfg(test)]
#[allow(clippy::approx_constant)] // 3.14 is the spec's test value, not π
mod tests {
    use super::*;

    #[test]
    fn formats_like_javascript() {
        assert_eq!(to_js_string(42.0), "42");
        assert_eq!(to_js_string(3.14), "3.14");
        assert_eq!(to_js_string(1e21), "1e+21");
        assert_eq!(to_js_string(-0.0), "0");
        assert_eq!(to_js_string(0.000001), "0.000001");
        assert_eq!(to_js_string(1e-7), "1e-7");
    }

    #[test]
    fn to_exponential_matches_the_spec_vectors() {
        assert_eq!(to_exponential_20(3.14), "3.14000000000000012434e+0");
        assert_eq!(to_exponential_20(-0.5), "-5.00000000000000000000e-1");
        assert_eq!(to_exponential_20(0.0), "0.00000000000000000000e+0");
        assert_eq!(to_exponential_20(12345.0), "1.23450000000000000000e+4");
    }

    #[test]
    fn pads_like_pad_start() {
        assert_eq!(pad20("42"), "00000000000000000042");
        assert_eq!(pad20("-7"), "000000000000000000-7");
        assert_eq!(pad20("1704164645678"), "00000001704164645678");
        assert_eq!(pad20(&"9".repeat(25)), "9".repeat(25));
    }

    #[test]
    fn json_integers_keep_their_digits() {
        let n: Number = serde_json::from_str("1152921504606846976").unwrap();
        assert_eq!(number_to_js_string(&n), "1152921504606846976");
        let f: Number = serde_json::from_str("2.5").unwrap();
        assert_eq!(number_to_js_string(&f), "2.5");
    }
}
