//! Kea option definitions and option-data text semantics.
