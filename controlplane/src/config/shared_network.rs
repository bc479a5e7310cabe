//! `shared-networks`: several subnets on one link, sharing parameters.

use xdhcp_dataplane::options::OptionSpaces;

use super::keys;
use super::options::{self, OptionData};
use super::read::Ctx;
use super::scope::Scope;
use super::subnet::{self, Subnet};
use crate::diag;
use crate::json::{Pos, Value};

/// One shared network. Its subnets are moved into the server's subnet list
/// (tagged with the network name) once read.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedNetwork {
    /// Network name (unique).
    pub name: String,
    /// Parameters the network sets for its subnets.
    pub own: Scope,
    /// Network-level options.
    pub option_data: Vec<OptionData>,
    /// Where the entry starts.
    pub pos: Pos,
}

/// Read the list; returns the networks and their subnets.
pub fn read_list(
    v: &Value,
    path: &str,
    ctx: &mut Ctx,
    spaces: &OptionSpaces,
    global: &Scope,
) -> (Vec<SharedNetwork>, Vec<Subnet>) {
    let v6 = ctx.v6();
    let mut nets: Vec<SharedNetwork> = Vec::new();
    let mut subnets = Vec::new();
    let Some(items) = ctx.list(v, path) else {
        return (nets, subnets);
    };
    for (i, item) in items.iter().enumerate() {
        let p = diag::index(path, i);
        let Some(m) = ctx.map(item, &p, "shared-networks", &keys::shared_network(v6)) else {
            continue;
        };
        let Some((name, npos)) = m.str_at(ctx, "name") else {
            if !m.has("name") {
                ctx.err(&item.pos, &p, "shared network needs a 'name'");
            }
            continue;
        };
        if name.is_empty() {
            ctx.err(
                npos,
                &m.key_path("name"),
                "shared network name must not be empty",
            );
            continue;
        }
        if nets.iter().any(|n| n.name == name) {
            ctx.err(
                npos,
                &m.key_path("name"),
                format!("duplicate network '{name}' found in the configuration"),
            );
            continue;
        }
        let own = Scope::read(&m, ctx, Some(global));
        let effective = own.inherit(global);
        let option_data = m
            .get("option-data")
            .map(|v| options::read_data(v, &m.key_path("option-data"), ctx, spaces))
            .unwrap_or_default();
        let key = if v6 { "subnet6" } else { "subnet4" };
        if let Some(sv) = m.get(key) {
            subnets.extend(subnet::read_list(
                sv,
                &m.key_path(key),
                ctx,
                spaces,
                Some(&name),
                &effective,
            ));
        }
        nets.push(SharedNetwork {
            name,
            own,
            option_data,
            pos: item.pos.clone(),
        });
    }
    (nets, subnets)
}
