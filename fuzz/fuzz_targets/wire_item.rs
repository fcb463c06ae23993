#![no_main]
//! Items in response bodies: no panic, and the wire reader writes what the
//! SDK's form of the same item gives (see src/fuzzing.rs).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| dynamo_bao_native::fuzzing::wire_item(data));
