#![no_main]
//! DynamoBao filters built into DynamoDB expressions: no panic, and every
//! placeholder bound (see src/fuzzing.rs).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| dynamo_bao_native::fuzzing::filter_expression(data));
