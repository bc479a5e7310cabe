//! Kea's control API answers: the result codes and the answer shapes
//! every command uses, shared by the control plane's commands and the
//! lease commands the dataplane answers.

use serde_json::{json, Value};

/// Kea's result codes.
pub mod result {
    /// The command succeeded.
    pub const SUCCESS: i64 = 0;
    /// The command failed.
    pub const ERROR: i64 = 1;
    /// The command is not supported.
    pub const UNSUPPORTED: i64 = 2;
    /// Nothing matched.
    pub const EMPTY: i64 = 3;
    /// The change conflicts with existing state.
    pub const CONFLICT: i64 = 4;
}

/// Largest request accepted; Kea's own limit is of the same order.
pub const MAX_REQUEST: usize = 1 << 20;

/// An answer with a text and no arguments.
pub fn answer(result: i64, text: impl Into<String>) -> Value {
    json!({ "result": result, "text": text.into() })
}

/// The result code of a listing: success when it holds something, empty
/// (3) otherwise, as every Kea `-get`/`-list` command answers.
pub fn listing_code(n: usize) -> i64 {
    if n == 0 {
        result::EMPTY
    } else {
        result::SUCCESS
    }
}

/// An answer carrying arguments.
pub fn answer_with(result: i64, text: impl Into<String>, arguments: Value) -> Value {
    json!({ "result": result, "text": text.into(), "arguments": arguments })
}

/// Kea's answer to a command this server does not know.
pub fn unsupported(command: &str) -> Value {
    answer(
        result::UNSUPPORTED,
        format!("'{command}' command not supported."),
    )
}
