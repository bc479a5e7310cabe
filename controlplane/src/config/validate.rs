//! Checks across subnets: duplicate prefixes and ids, id assignment,
//! reservation uniqueness per subnet.

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
    for i in 0..list.len() {
        let (earlier, rest) = list.split_at(i);
        let s = &rest[0];
        if let Some(other) = earlier.iter().find(|o| o.prefix == s.prefix) {
            ctx.err(
                &s.pos,
                &s.path,
                format!(
                    "subnet with the prefix of '{}' already exists (at {})",
                    s.prefix, other.pos
                ),
            );
        }
        {
            if let Some(other) = earlier.iter().find(|o| o.id == s.id) {
                ctx.err(
                    &s.pos,
                    &s.path,
                    format!(
                        "ID of the new subnet '{}' is already in use (at {})",
                        s.id, other.pos
                    ),
                );
            }
        }
        reservations::check_duplicates(&s.reservations, ctx, unique_ips);
    }
}
