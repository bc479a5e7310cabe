//! Concrete per-subnet parameters: the inherited scope with Kea's defaults
//! and the manual's rules for lifetimes and T1/T2 applied.

use std::net::Ipv4Addr;

use xdhcp_dataplane::alloc::AllocatorKind;
use xdhcp_dataplane::config::names::{NameRules, ReplaceName, Sanitizer, DEFAULT_CHAR_SET};
use xdhcp_dataplane::config::HostScope;

use crate::config::scope::{Scope, Triplet, DEFAULT_VALID};

/// A lifetime triplet with every value known: the engines' own type, so
/// the compiled plan hands it over unchanged.
pub use xdhcp_dataplane::config::Lifetime;

/// Kea's rule: bounds not given are the default itself.
fn lifetime(t: &Triplet, default: u32) -> Lifetime {
    let d = t.value.unwrap_or(default);
    Lifetime {
        min: t.min.unwrap_or(d),
        default: d,
        max: t.max.unwrap_or(d),
    }
}

/// Concrete DDNS behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ddns {
    /// Send updates (subject to dhcp-ddns enable-updates).
    pub send_updates: bool,
    /// Update even when the client asked for no update.
    pub override_no_update: bool,
    /// Do the forward update even when the client wants to.
    pub override_client_update: bool,
    /// never, always, when-present, when-not-present.
    pub replace_client_name: String,
    /// Prefix of generated names.
    pub generated_prefix: String,
    /// Suffix qualifying partial names.
    pub qualifying_suffix: String,
    /// Update DNS on every renewal.
    pub update_on_renew: bool,
    /// RFC 4703 conflict resolution.
    pub use_conflict_resolution: bool,
    /// Pattern of characters replaced in client names (empty: none).
    pub hostname_char_set: String,
    /// What replaces them.
    pub hostname_char_replacement: String,
}

/// Concrete parameters of one subnet.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// Valid lifetime.
    pub valid: Lifetime,
    /// Preferred lifetime (v6).
    pub preferred: Lifetime,
    /// T1 to send, if any.
    pub t1: Option<u32>,
    /// T2 to send, if any.
    pub t2: Option<u32>,
    /// v4: identify clients by client-id when present.
    pub match_client_id: bool,
    /// v4: NAK requests for addresses not ours.
    pub authoritative: bool,
    /// v4 siaddr.
    pub next_server: Ipv4Addr,
    /// v4 sname.
    pub server_hostname: String,
    /// v4 file.
    pub boot_file_name: String,
    /// Look up global reservations.
    pub reservations_global: bool,
    /// Look up subnet reservations.
    pub reservations_in_subnet: bool,
    /// Reserved addresses are all outside the pools.
    pub reservations_out_of_pool: bool,
    /// v6 rapid commit.
    pub rapid_commit: bool,
    /// Keep relay information with leases.
    pub store_extended_info: bool,
    /// DDNS behaviour.
    pub ddns: Ddns,
    /// Classes evaluated after subnet selection.
    pub require_client_classes: Vec<String>,
    /// `allocator`.
    pub allocator: AllocatorKind,
    /// `pd-allocator` (v6).
    pub pd_allocator: AllocatorKind,
}

impl Params {
    /// The reservation flags as the engines take them.
    pub fn host_scope(&self) -> HostScope {
        HostScope {
            global: self.reservations_global,
            in_subnet: self.reservations_in_subnet,
            out_of_pool: self.reservations_out_of_pool,
        }
    }

    /// The client name rules as the engines take them.
    pub fn name_rules(&self) -> NameRules {
        let d = &self.ddns;
        NameRules {
            replace: ReplaceName::from_name(&d.replace_client_name).unwrap_or_default(),
            generated_prefix: d.generated_prefix.clone(),
            qualifying_suffix: d.qualifying_suffix.clone(),
            sanitizer: Sanitizer::new(&d.hostname_char_set, &d.hostname_char_replacement),
        }
    }

    /// Resolve a subnet's effective scope.
    pub fn resolve(s: &Scope, v6: bool) -> Params {
        let valid = lifetime(&s.valid, DEFAULT_VALID);
        // The manual (004 §9.2.18): without an explicit preferred lifetime,
        // or with one above the valid lifetime, use valid × 0.625.
        let derived = (f64::from(valid.default) * 0.625) as u32;
        let mut preferred = lifetime(&s.preferred, derived);
        if s.preferred.value.is_none() || preferred.default > valid.default {
            preferred.default = derived;
        }
        preferred.min = preferred.min.min(preferred.default);
        preferred.max = preferred.max.max(preferred.default);
        let base = if v6 { preferred.default } else { valid.default };
        let calc = s.calculate_tee_times.unwrap_or(v6);
        let t1p = s.t1_percent.unwrap_or(0.5);
        let t2p = s.t2_percent.unwrap_or(if v6 { 0.8 } else { 0.875 });
        let pct = |p: f64| (f64::from(base) * p) as u32;
        let mut t1 = s.renew_timer.or(calc.then_some(pct(t1p)));
        let t2 = s.rebind_timer.or(calc.then_some(pct(t2p)));
        if let (Some(a), Some(b)) = (t1, t2) {
            // T1 above T2: v6 sends 0 (the manual), v4 leaves T1 out.
            if a > b {
                t1 = if v6 { Some(0) } else { None };
            }
        }
        let d = &s.ddns;
        Params {
            valid,
            preferred,
            t1,
            t2,
            match_client_id: s.match_client_id.unwrap_or(true),
            authoritative: s.authoritative.unwrap_or(false),
            next_server: s.next_server.unwrap_or(Ipv4Addr::UNSPECIFIED),
            server_hostname: s.server_hostname.clone().unwrap_or_default(),
            boot_file_name: s.boot_file_name.clone().unwrap_or_default(),
            reservations_global: s.reservations.global.unwrap_or(false),
            reservations_in_subnet: s.reservations.in_subnet.unwrap_or(true),
            reservations_out_of_pool: s.reservations.out_of_pool.unwrap_or(false),
            rapid_commit: s.rapid_commit.unwrap_or(false),
            allocator: s.allocator.unwrap_or(AllocatorKind::Iterative),
            pd_allocator: s.pd_allocator.unwrap_or(AllocatorKind::Iterative),
            store_extended_info: s.store_extended_info.unwrap_or(false),
            ddns: Ddns {
                send_updates: d.send_updates.unwrap_or(true),
                override_no_update: d.override_no_update.unwrap_or(false),
                override_client_update: d.override_client_update.unwrap_or(false),
                replace_client_name: d
                    .replace_client_name
                    .clone()
                    .unwrap_or_else(|| "never".into()),
                generated_prefix: d
                    .generated_prefix
                    .clone()
                    .unwrap_or_else(|| "myhost".into()),
                qualifying_suffix: d.qualifying_suffix.clone().unwrap_or_default(),
                update_on_renew: d.update_on_renew.unwrap_or(false),
                use_conflict_resolution: d.use_conflict_resolution.unwrap_or(true),
                hostname_char_set: d
                    .hostname_char_set
                    .clone()
                    .unwrap_or_else(|| DEFAULT_CHAR_SET.into()),
                hostname_char_replacement: d.hostname_char_replacement.clone().unwrap_or_default(),
            },
            require_client_classes: s.require_client_classes.clone().unwrap_or_default(),
        }
    }
}
