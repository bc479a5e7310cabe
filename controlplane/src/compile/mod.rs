//! From the validated Kea model to the dataplane's compiled configuration:
//! inheritance resolved, option data already in wire format, pools turned
//! into allocators, reservations indexed by identifier.

pub mod v4;
