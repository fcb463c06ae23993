#![no_main]
//! Tenant validation and every key the codec builds: no panic, and every
//! partition key inside the tenant's prefix (see src/fuzzing.rs).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| dynamo_bao_native::fuzzing::key_codec(data));
