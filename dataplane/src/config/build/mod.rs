//! Building the engines' runtime configuration from a [`Plan`]: pools
//! become allocators, options are keyed by code for the engines' lookups,
//! reservations are indexed by identifier, class names become indexes.
//!
//! The dataplane builds it from the plan it maps out of the snapshot file;
//! the control plane builds the same from the plan it compiled, for its own
//! checks and tests.

mod v4;
mod v6;

pub use v4::config4;
pub use v6::config6;

use crate::classify::Classes;

use super::options::ConfiguredOption;
use super::plan::{OptionOut, Plan, SubnetPlan};
use super::{Guard, HostIds, OptionSet, PoolClasses};

/// The plan's `host-reservation-identifiers` as the engines' kinds.
fn host_ids(plan: &Plan) -> HostIds {
    HostIds(plan.host_identifiers.clone())
}

/// Each plan subnet's shared network as an index, and each shared network
/// as the indexes of its subnets, in plan order: the engines' layout.
fn shared_network_indexes(plan: &Plan) -> (Vec<Option<usize>>, Vec<Vec<usize>>) {
    let mut names: Vec<&str> = Vec::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    let of_subnet = plan
        .subnets
        .iter()
        .enumerate()
        .map(|(i, s)| {
            s.shared_network.as_deref().map(|name| {
                let n = names.iter().position(|x| *x == name).unwrap_or_else(|| {
                    names.push(name);
                    members.push(Vec::new());
                    names.len() - 1
                });
                members[n].push(i);
                n
            })
        })
        .collect();
    (of_subnet, members)
}

/// The top-level options of `space` among `entries`, later entries
/// overriding earlier ones with the same code; `never-send` ones are left
/// out, and sub-option spaces travel inside their parent option.
fn option_set<'a>(entries: impl Iterator<Item = &'a OptionOut>, space: &str) -> OptionSet {
    let list = entries
        .filter(|o| o.space == space && !o.never_send)
        .map(|o| ConfiguredOption {
            code: o.code,
            data: o.payload.clone(),
            always_send: o.always_send,
        })
        .collect();
    OptionSet::new(list)
}

/// A subnet's options: its own over its shared network's (the plan's list
/// holds the subnet's first). Global options stay apart, below the classes'.
fn subnet_options(subnet: &SubnetPlan, space: &str) -> OptionSet {
    option_set(subnet.options.iter().rev(), space)
}

/// The plan's classes with their options; names that scopes use later are
/// added as they are met.
fn class_table(plan: &Plan, space: &str) -> Classes {
    let mut classes = plan.classes.clone();
    for (name, opts) in &plan.class_options {
        if let Some(i) = classes.index(name) {
            classes.set_options(i, option_set(opts.iter(), space));
        }
    }
    classes
}

/// A pool's guard, required classes and options, with class names
/// resolved into `classes`.
fn pool_classes(
    guard: &[String],
    required: &[String],
    options: &[OptionOut],
    space: &str,
    classes: &mut Classes,
) -> PoolClasses {
    PoolClasses {
        guard: class_guard(guard, classes),
        required: class_indexes(required, classes),
        options: option_set(options.iter(), space),
    }
}

/// The guard of a scope open to the classes `names` (all when empty).
fn class_guard(names: &[String], classes: &mut Classes) -> Guard {
    Guard(class_indexes(names, classes))
}

/// The index of each named class, adding names the configuration uses
/// without defining them (they never match, unless built in).
fn class_indexes(names: &[String], classes: &mut Classes) -> Vec<u16> {
    names
        .iter()
        .filter_map(|n| classes.intern(n).ok())
        .collect()
}
