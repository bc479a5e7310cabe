//! Checks across subnets: duplicate prefixes and ids, id assignment,
//! reservation uniqueness per subnet.

use std::collections::HashMap;

use super::read::Ctx;
use super::reservations;
use super::subnet::Subnet;

/// Duplicate subnets are compared as written, as Kea 2.2 compares them
/// (`10.0.0.1/24` does not clash with `10.0.0.0/24`; overlapping subnets are
/// allowed).
///
/// Validate the full subnet list and assign missing ids the way Kea 2.2
/// does: a counter from 1 over the subnets without an id, in file order,
/// blind to explicit ids (so a clash is reported, as Kea reports it).
pub fn subnets(list: &mut [Subnet], ctx: &mut Ctx, unique_ips: bool) {
    let mut next = 0;
    for s in list.iter_mut().filter(|s| !s.id_given) {
        next += 1;
        s.id = next;
    }
    // The first subnet of each prefix and of each id: each later one is
    // reported against it, without comparing every pair of subnets.
    let mut prefixes = HashMap::with_capacity(list.len());
    let mut ids = HashMap::with_capacity(list.len());
    for s in list.iter() {
        let first = prefixes.entry(s.prefix).or_insert(s);
        if !std::ptr::eq(*first, s) {
            ctx.err(
                &s.pos,
                &s.path,
                format!(
                    "subnet with the prefix of '{}' already exists (at {})",
                    s.prefix, first.pos
                ),
            );
        }
        let first = ids.entry(s.id).or_insert(s);
        if !std::ptr::eq(*first, s) {
            ctx.err(
                &s.pos,
                &s.path,
                format!(
                    "ID of the new subnet '{}' is already in use (at {})",
                    s.id, first.pos
                ),
            );
        }
        reservations::check_duplicates(&s.reservations, ctx, unique_ips);
    }
}
