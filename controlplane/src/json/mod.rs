//! Kea's JSON dialect, read into a tree of values that remember where they
//! came from.
//!
//! Kea accepts JSON extended with `#`, `//` and `/* */` comments and
//! `<?include "file"?>` directives, and its errors name file, line and
//! column. serde_json can do neither: it rejects comments and its `Value`
//! drops positions, so every later validation error could only say *what*
//! is wrong, not *where*. A hand-written reader is small and gives both.

mod reader;
mod value;

pub use reader::{parse_file, parse_file_partial, parse_str, parse_str_partial};
pub use value::{Kind, Member, Pos, Value};
