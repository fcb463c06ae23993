//! Opaque query cursors: a query's `lastEvaluatedKey`, bound to the tenant and
//! the partition it came from and signed with HMAC-SHA256, so a client can
//! hand it back without being able to forge a key or replay it elsewhere.
//!
//! Form: `base64url(payload) "." base64url(mac)`, where the payload is
//! `{"t": tenant or "", "s": scope, "k": lastEvaluatedKey}` and the scope names
//! the index and the full partition value (which already carries the tenant
//! prefix). The tenant is also kept apart so a mismatch can be reported as such.

use std::sync::OnceLock;

use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::marshal::base64_engine;

/// The longest cursor accepted; a real one is a few hundred bytes.
const MAX_CURSOR_LEN: usize = 16 * 1024;

/// The signing key of one table configuration.
pub struct CursorKey(hmac::Key);

impl CursorKey {
    /// A key from `tenancy.cursorSecret`: servers behind a load balancer share
    /// it so a cursor issued by one instance is accepted by the next.
    pub fn from_secret(secret: &str) -> Result<CursorKey> {
        if secret.len() < 32 {
            return Err(Error::configuration(
                "tenancy.cursorSecret must be at least 32 characters",
            ));
        }
        Ok(CursorKey(hmac::Key::new(
            hmac::HMAC_SHA256,
            secret.as_bytes(),
        )))
    }

    /// The per-process key used without `cursorSecret`: cursors then stay
    /// valid only within this process.
    pub fn process() -> Result<CursorKey> {
        static SEED: OnceLock<Option<[u8; 32]>> = OnceLock::new();
        let seed = SEED.get_or_init(|| {
            let mut bytes = [0u8; 32];
            SystemRandom::new().fill(&mut bytes).ok().map(|_| bytes)
        });
        let bytes = seed
            .as_ref()
            .ok_or_else(|| Error::internal("no system randomness for the cursor key"))?;
        Ok(CursorKey(hmac::Key::new(hmac::HMAC_SHA256, bytes)))
    }

    /// Signs `last_key` for `tenant` and `scope`.
    pub fn seal(&self, tenant: Option<&str>, scope: &str, last_key: &Map<String, Value>) -> String {
        let payload = json!({ "t": tenant.unwrap_or(""), "s": scope, "k": last_key }).to_string();
        let mac = hmac::sign(&self.0, payload.as_bytes());
        format!(
            "{}.{}",
            url_encode(payload.as_bytes()),
            url_encode(mac.as_ref())
        )
    }

    /// The `lastEvaluatedKey` inside `cursor`, after checking its signature,
    /// its tenant and its scope.
    pub fn open(
        &self,
        cursor: &str,
        tenant: Option<&str>,
        scope: &str,
    ) -> Result<Map<String, Value>> {
        let invalid = |why: &str| Error::validation(format!("Invalid cursor: {why}"));
        if cursor.len() > MAX_CURSOR_LEN {
            return Err(invalid("too long"));
        }
        let (payload, mac) = cursor
            .split_once('.')
            .ok_or_else(|| invalid("not a cursor this library issued"))?;
        let payload =
            url_decode(payload).ok_or_else(|| invalid("not a cursor this library issued"))?;
        let mac = url_decode(mac).ok_or_else(|| invalid("not a cursor this library issued"))?;
        hmac::verify(&self.0, &payload, &mac).map_err(|_| {
            invalid("its signature does not match (altered, or issued by another process without a shared tenancy.cursorSecret)")
        })?;
        let Ok(Value::Object(mut body)) = serde_json::from_slice::<Value>(&payload) else {
            return Err(invalid("unreadable payload"));
        };
        if body.get("t").and_then(Value::as_str) != Some(tenant.unwrap_or("")) {
            return Err(invalid("it was issued for another tenant"));
        }
        if body.get("s").and_then(Value::as_str) != Some(scope) {
            return Err(invalid(
                "it was issued for another query (index or partition)",
            ));
        }
        match body.remove("k") {
            Some(Value::Object(k)) => Ok(k),
            _ => Err(invalid("unreadable payload")),
        }
    }
}

fn url_encode(bytes: &[u8]) -> String {
    base64_engine::encode(bytes)
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect()
}

fn url_decode(s: &str) -> Option<Vec<u8>> {
    if s.contains(['+', '/', '=']) {
        return None;
    }
    let standard: String = s
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    base64_engine::decode(&standard)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Map<String, Value> {
        let Value::Object(m) = json!({"_pk": "[acme]#u#p", "_sk": "1"}) else {
            unreachable!()
        };
        m
    }

    #[test]
    fn round_trip_in_the_same_tenant_and_scope() {
        let k = CursorKey::process().unwrap();
        let c = k.seal(Some("acme"), "gsi1|[acme]#u#p", &key());
        assert!(!c.contains(['+', '/', '=']));
        assert_eq!(k.open(&c, Some("acme"), "gsi1|[acme]#u#p").unwrap(), key());
    }

    #[test]
    fn refuses_another_tenant_scope_or_key() {
        let k = CursorKey::process().unwrap();
        let c = k.seal(Some("acme"), "s", &key());
        let other = k.open(&c, Some("globex"), "s").unwrap_err();
        assert!(
            other.message.contains("another tenant"),
            "{}",
            other.message
        );
        assert!(k.open(&c, None, "s").is_err());
        let scope = k.open(&c, Some("acme"), "t").unwrap_err();
        assert!(scope.message.contains("another query"), "{}", scope.message);
        let shared = CursorKey::from_secret(&"s".repeat(32)).unwrap();
        let foreign = shared.open(&c, Some("acme"), "s").unwrap_err();
        assert!(foreign.message.contains("signature"), "{}", foreign.message);
    }

    #[test]
    fn refuses_tampering_and_garbage() {
        let k = CursorKey::process().unwrap();
        let c = k.seal(Some("acme"), "s", &key());
        let (payload, mac) = c.split_once('.').unwrap();
        // Re-sign nothing: swap in another tenant's payload under the old MAC.
        let forged_payload = url_encode(
            json!({"t": "acme", "s": "s", "k": {"_pk": "[globex]#u#p", "_sk": "1"}})
                .to_string()
                .as_bytes(),
        );
        assert!(k
            .open(&format!("{forged_payload}.{mac}"), Some("acme"), "s")
            .is_err());
        assert!(k.open(payload, Some("acme"), "s").is_err());
        for junk in ["", ".", "a.b", "%%%.%%%", "a+b.c/d"] {
            assert!(k.open(junk, Some("acme"), "s").is_err(), "{junk}");
        }
        assert!(k
            .open(&"a".repeat(MAX_CURSOR_LEN + 1), Some("acme"), "s")
            .is_err());
    }

    #[test]
    fn shared_secret_must_be_long_enough() {
        assert!(CursorKey::from_secret("short").is_err());
        let a = CursorKey::from_secret(&"x".repeat(40)).unwrap();
        let b = CursorKey::from_secret(&"x".repeat(40)).unwrap();
        let c = a.seal(None, "s", &key());
        assert_eq!(b.open(&c, None, "s").unwrap(), key());
    }
}
