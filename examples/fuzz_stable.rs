//! The fuzz targets without libFuzzer: random inputs (mutations of a small
//! corpus of interesting strings) for a bounded time, on the stable toolchain.
//! `cargo run --release --no-default-features --example fuzz_stable -- <seconds> [seed]`
//! (scripts/fuzz-rust.sh uses `cargo fuzz` instead when it is installed).

use std::time::{Duration, Instant};

use dynamo_bao_native::fuzzing::{filter_expression, key_codec, wire_item, WIRE_SAMPLE};

const SEEDS: [&[u8]; 10] = [
    b"\x00acme\x00u#01ARZ3NDEKTSV4RRFFQ69G5FAV\x00{}",
    b"\x01a]#b\x00x##__SK__##1\x0042",
    b"\x02\xef\xbf\xbd\x00pp\x00\"2024-01-01T00:00:00.000Z\"",
    br#"{"s":{"$in":["a","b"]},"$or":[{"i":{"$gt":1}},{"b":true}]}"#,
    br#"{"$and":[{"tags":{"$contains":"x"}},{"$not":{"dt":{"$between":[1,2]}}}]}"#,
    br#"{"_searchText":{"$contains":"\u0000"},"f":{"$exists":false}}"#,
    b"[acme]#\x00[globex]#\x00#",
    b"",
    WIRE_SAMPLE,
    br#"{"a":{"M":{"b":{"L":[{"NULL":false},{"BS":["AA=="]}]}}},"a":{"N":"1e400"}}"#,
];

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(30);
    let mut state: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(0x5eed) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut runs: u64 = 0;
    while Instant::now() < deadline {
        for _ in 0..1000 {
            let mut input = SEEDS[(next() % SEEDS.len() as u64) as usize].to_vec();
            for _ in 0..(next() % 8) {
                let at = if input.is_empty() {
                    0
                } else {
                    (next() % input.len() as u64) as usize
                };
                match next() % 4 {
                    0 => input.insert(at, next() as u8),
                    1 if !input.is_empty() => {
                        input.remove(at);
                    }
                    2 if !input.is_empty() => input[at] = next() as u8,
                    _ => {
                        let from = SEEDS[(next() % SEEDS.len() as u64) as usize];
                        input.splice(at..at, from.iter().copied());
                    }
                }
            }
            key_codec(&input);
            filter_expression(&input);
            wire_item(&input);
            runs += 1;
        }
    }
    println!("fuzz_stable: {runs} inputs in {seconds} s, no panic, no invariant broken");
}
