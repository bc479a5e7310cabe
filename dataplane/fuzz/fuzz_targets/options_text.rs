//! Option payloads from the wire format to Kea's text and back: decoding any
//! bytes with any standard definition returns text or an error, never a
//! panic, and so does encoding that text and decoding the result.
//!
//! Text and bytes need not match exactly: like Kea's, the text form drops
//! trailing NULs of strings, shows invalid UTF-8 as replacement characters,
//! trims blanks around csv values and has no way to write an empty value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xdhcp_dataplane::options::{decode_to_text, encode_csv, std_v4, std_v6, Universe};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, payload)) = data.split_first() else {
        return;
    };
    let (table, universe) = if pick & 1 == 0 {
        (std_v4::STANDARD_V4, Universe::V4)
    } else {
        (std_v6::STANDARD_V6, Universe::V6)
    };
    let def = &table[usize::from(pick >> 1) % table.len()];
    if let Ok(text) = decode_to_text(def, payload, universe) {
        if let Ok(bytes) = encode_csv(def, &text, universe) {
            let _ = decode_to_text(def, &bytes, universe);
        }
    }
});
