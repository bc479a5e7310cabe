//! Concrete per-subnet parameters: the inherited scope with Kea's defaults
//! and the manual's rules for lifetimes and T1/T2 applied.

use std::net::Ipv4Addr;

use xdhcp_dataplane::alloc::AllocatorKind;
use xdhcp_dataplane::config::names::{ReplaceName, DEFAULT_CHAR_SET};
use xdhcp_dataplane::config::plan::{Names, Params};
use xdhcp_dataplane::config::{HostScope, Lifetime};

use crate::config::scope::{Scope, Triplet, DEFAULT_VALID};

/// Kea's rule: bounds not given are the default itself.
fn lifetime(t: &Triplet, default: u32) -> Lifetime {
    let d = t.value.unwrap_or(default);
    Lifetime {
        min: t.min.unwrap_or(d),
        default: d,
        max: t.max.unwrap_or(d),
    }
}

/// A subnet's concrete parameters from its effective scope.
pub fn params(s: &Scope, v6: bool) -> Params {
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
        hosts: HostScope {
            global: s.reservations.global.unwrap_or(false),
            in_subnet: s.reservations.in_subnet.unwrap_or(true),
            out_of_pool: s.reservations.out_of_pool.unwrap_or(false),
        },
        rapid_commit: s.rapid_commit.unwrap_or(false),
        allocator: s.allocator.unwrap_or(AllocatorKind::Iterative),
        pd_allocator: s.pd_allocator.unwrap_or(AllocatorKind::Iterative),
        names: Names {
            // The reader accepts only the four modes.
            replace: d
                .replace_client_name
                .as_deref()
                .and_then(ReplaceName::from_name)
                .unwrap_or_default(),
            generated_prefix: d
                .generated_prefix
                .clone()
                .unwrap_or_else(|| "myhost".into()),
            qualifying_suffix: d.qualifying_suffix.clone().unwrap_or_default(),
            char_set: d
                .hostname_char_set
                .clone()
                .unwrap_or_else(|| DEFAULT_CHAR_SET.into()),
            char_replacement: d.hostname_char_replacement.clone().unwrap_or_default(),
        },
    }
}
