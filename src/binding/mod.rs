//! The napi binding: each export converts its arguments, calls the core and
//! maps the error. Async operations resolve to a JSON string: the operation's
//! result, or `{"error": {code, message, …}}` that `lib/errors.js` turns into
//! DynamoBao's exception classes (napi promises can only reject with generic
//! statuses, and the JSON string is the cheapest crossing measured).

mod completion;
mod db;
mod marshal;
mod model;
mod runtime;
mod search;
mod tenant_scope;

use crate::error::Error;

/// A core error as a thrown JS error whose `code` is the stable error code.
pub(crate) fn to_napi(e: Error) -> napi::Error<crate::error::ErrorCode> {
    napi::Error::new(e.code, e.message)
}

/// The string an async operation resolves to.
pub(crate) fn envelope<T: Into<crate::ops::Reply>>(result: crate::error::Result<T>) -> String {
    match result {
        Ok(v) => v.into().into_json(),
        Err(e) => serde_json::json!({ "error": e.to_json() }).to_string(),
    }
}
