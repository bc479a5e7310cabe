//! Checks across subnets: duplicate prefixes and ids, id assignment,
//! reservation uniqueness per subnet.

use super::read::Ctx;
use super::reservations;
use super::subnet::Subnet;

/// Validate the full subnet list and assign missing ids the way Kea does
/// (one more than the highest id in use at that point).
pub fn subnets(list: &mut [Subnet], ctx: &mut Ctx, unique_ips: bool) {
    for i in 0..list.len() {
        let (earlier, rest) = list.split_at(i);
        let s = &rest[0];
        if let Some(other) = earlier
            .iter()
            .find(|o| o.prefix.network() == s.prefix.network())
        {
            ctx.err(
                &s.pos,
                &s.path,
                format!(
                    "subnet with the prefix of '{}' already exists (at {})",
                    s.prefix, other.pos
                ),
            );
        }
        if s.id_given {
            if let Some(other) = earlier.iter().find(|o| o.id_given && o.id == s.id) {
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
    let mut next = list.iter().map(|s| s.id).max().unwrap_or(0);
    for s in list.iter_mut().filter(|s| !s.id_given) {
        next += 1;
        s.id = next;
    }
}
