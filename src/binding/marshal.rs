//! `marshall` / `unmarshall` of `dynamo-bao/src/dynamodb-client.js`: plain
//! JSON objects <-> DynamoDB JSON, with the core's type mapping.

use napi_derive::napi;
use serde_json::{Map, Value};

use super::to_napi;
use crate::error::{Error, ErrorCode};
use crate::marshal::{from_attr, to_attr, wire_from, wire_to};

fn object(json: &str) -> Result<Map<String, Value>, Error> {
    match serde_json::from_str(json)? {
        Value::Object(m) => Ok(m),
        _ => Err(Error::validation("marshall needs an object")),
    }
}

/// A plain object (JSON) as a DynamoDB JSON item.
#[napi]
#[cfg_attr(test, allow(dead_code))] // registered with Node by #[napi]
pub fn marshall_json(json: String) -> napi::Result<String, ErrorCode> {
    let o = object(&json).map_err(to_napi)?;
    let mut out = Map::new();
    for (k, v) in o {
        out.insert(k, wire_to(&to_attr(&v).map_err(to_napi)?));
    }
    Ok(Value::Object(out).to_string())
}

/// A DynamoDB JSON item (JSON) as a plain object.
#[napi]
#[cfg_attr(test, allow(dead_code))]
pub fn unmarshall_json(json: String) -> napi::Result<String, ErrorCode> {
    let o = object(&json).map_err(to_napi)?;
    let mut out = Map::new();
    for (k, v) in o {
        out.insert(k, from_attr(&wire_from(&v).map_err(to_napi)?));
    }
    Ok(Value::Object(out).to_string())
}
