//! Parameters that inherit: global → shared network → subnet.
//!
//! Every level stores what it sets as `Option`s; [`Scope::inherit`] fills
//! the gaps from the enclosing level, and [`Scope::effective`] applies
//! Kea's defaults at the end.

use std::net::Ipv4Addr;

use xdhcp_dataplane::alloc::AllocatorKind;

use super::read::{Ctx, Map};
use super::reservations::ReservationFlags;

/// Lifetime bounds: a default with optional min/max, as Kea's triplets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Triplet {
    /// The default value handed out.
    pub value: Option<u32>,
    /// Lowest value a client may ask for.
    pub min: Option<u32>,
    /// Highest value a client may ask for.
    pub max: Option<u32>,
}

impl Triplet {
    /// `name` with its `min-` and `max-` bounds, as far as `m` sets them.
    pub(crate) fn read(m: &Map, ctx: &mut Ctx, name: &str) -> Triplet {
        Triplet {
            value: m.u32(ctx, name),
            min: m.u32(ctx, &format!("min-{name}")),
            max: m.u32(ctx, &format!("max-{name}")),
        }
    }

    /// The lifetime a class sets, if it sets any part: a default not
    /// given is the nearest bound, bounds not given are the default.
    pub fn class_lifetime(&self) -> Option<xdhcp_dataplane::config::Lifetime> {
        let d = self.value.or(self.min).or(self.max)?;
        Some(xdhcp_dataplane::config::Lifetime {
            min: self.min.unwrap_or(d),
            default: d,
            max: self.max.unwrap_or(d),
        })
    }

    fn inherit(&self, parent: &Triplet) -> Triplet {
        // Each part comes from the nearest level that sets it (Kea checks
        // a subnet's value against an inherited min/max the same way).
        Triplet {
            value: self.value.or(parent.value),
            min: self.min.or(parent.min),
            max: self.max.or(parent.max),
        }
    }

    /// Kea's check: min ≤ value ≤ max, on this level's values completed
    /// from the enclosing levels (`self` is already inherited); `own` says
    /// whether this level sets any of the three (else its parent reported).
    fn check(&self, own: &Triplet, m: &Map, ctx: &mut Ctx, name: &str, default: u32) {
        if *own == Triplet::default() {
            return;
        }
        let value = self.value.unwrap_or(default);
        // Report at the key this level sets (the bound if it set it, else
        // its value), so that position and path always name a real key.
        let at = |key: String, ctx: &mut Ctx, msg: String| {
            let key = if m.has(&key) { key } else { name.to_string() };
            let pos = m.get(&key).map_or(m.pos(), |v| &v.pos);
            ctx.err(pos, &m.key_path(&key), msg);
        };
        if let Some(min) = self.min {
            if min > value {
                at(
                    format!("min-{name}"),
                    ctx,
                    format!("the value of min-{name} ({min}) is not less than {name} ({value})"),
                );
            }
        }
        if let Some(max) = self.max {
            if max < value || self.min.is_some_and(|min| min > max) {
                at(
                    format!("max-{name}"),
                    ctx,
                    format!("the value of max-{name} ({max}) is not greater than {name} ({value})"),
                );
            }
        }
    }

    /// The value handed out when nothing is asked for.
    pub fn get(&self, default: u32) -> u32 {
        self.value.unwrap_or(default)
    }
}

/// DDNS behaviour that scopes may override (the `ddns-*` keys).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DdnsParams {
    /// `ddns-send-updates` (default true).
    pub send_updates: Option<bool>,
    /// `ddns-override-no-update` (default false).
    pub override_no_update: Option<bool>,
    /// `ddns-override-client-update` (default false).
    pub override_client_update: Option<bool>,
    /// `ddns-replace-client-name`: never, always, when-present, when-not-present.
    pub replace_client_name: Option<String>,
    /// `ddns-generated-prefix` (default "myhost").
    pub generated_prefix: Option<String>,
    /// `ddns-qualifying-suffix` (default "").
    pub qualifying_suffix: Option<String>,
    /// `ddns-update-on-renew` (default false).
    pub update_on_renew: Option<bool>,
    /// `ddns-use-conflict-resolution` (default true).
    pub use_conflict_resolution: Option<bool>,
    /// `hostname-char-set`.
    pub hostname_char_set: Option<String>,
    /// `hostname-char-replacement`.
    pub hostname_char_replacement: Option<String>,
}

/// Values of `ddns-replace-client-name` (and the old dhcp-ddns
/// `replace-client-name`, which also took true/false).
pub const REPLACE_CLIENT_NAME: &[&str] = &["never", "always", "when-present", "when-not-present"];

impl DdnsParams {
    fn read(m: &Map, ctx: &mut Ctx) -> DdnsParams {
        DdnsParams {
            send_updates: m.bool(ctx, "ddns-send-updates"),
            override_no_update: m.bool(ctx, "ddns-override-no-update"),
            override_client_update: m.bool(ctx, "ddns-override-client-update"),
            replace_client_name: m.choice(ctx, "ddns-replace-client-name", REPLACE_CLIENT_NAME),
            generated_prefix: m.str(ctx, "ddns-generated-prefix"),
            qualifying_suffix: m.str(ctx, "ddns-qualifying-suffix"),
            update_on_renew: m.bool(ctx, "ddns-update-on-renew"),
            use_conflict_resolution: m.bool(ctx, "ddns-use-conflict-resolution"),
            hostname_char_set: m.str(ctx, "hostname-char-set"),
            hostname_char_replacement: m.str(ctx, "hostname-char-replacement"),
        }
    }

    fn inherit(&self, p: &DdnsParams) -> DdnsParams {
        DdnsParams {
            send_updates: self.send_updates.or(p.send_updates),
            override_no_update: self.override_no_update.or(p.override_no_update),
            override_client_update: self.override_client_update.or(p.override_client_update),
            replace_client_name: self
                .replace_client_name
                .clone()
                .or(p.replace_client_name.clone()),
            generated_prefix: self.generated_prefix.clone().or(p.generated_prefix.clone()),
            qualifying_suffix: self
                .qualifying_suffix
                .clone()
                .or(p.qualifying_suffix.clone()),
            update_on_renew: self.update_on_renew.or(p.update_on_renew),
            use_conflict_resolution: self.use_conflict_resolution.or(p.use_conflict_resolution),
            hostname_char_set: self
                .hostname_char_set
                .clone()
                .or(p.hostname_char_set.clone()),
            hostname_char_replacement: self
                .hostname_char_replacement
                .clone()
                .or(p.hostname_char_replacement.clone()),
        }
    }
}

/// The inheritable parameter set of one level.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scope {
    /// `valid-lifetime` with min/max.
    pub valid: Triplet,
    /// `preferred-lifetime` with min/max (DHCPv6).
    pub preferred: Triplet,
    /// `renew-timer` (T1).
    pub renew_timer: Option<u32>,
    /// `rebind-timer` (T2).
    pub rebind_timer: Option<u32>,
    /// `calculate-tee-times` (default false in v4, true in v6).
    pub calculate_tee_times: Option<bool>,
    /// `t1-percent` (default 0.5).
    pub t1_percent: Option<f64>,
    /// `t2-percent` (default 0.875 in v4, 0.8 in v6).
    pub t2_percent: Option<f64>,
    /// `match-client-id` (v4, default true).
    pub match_client_id: Option<bool>,
    /// `authoritative` (v4, default false).
    pub authoritative: Option<bool>,
    /// `next-server` (v4, siaddr; default 0.0.0.0).
    pub next_server: Option<Ipv4Addr>,
    /// `server-hostname` (v4, sname).
    pub server_hostname: Option<String>,
    /// `boot-file-name` (v4, file).
    pub boot_file_name: Option<String>,
    /// `client-class` (or `client-classes`): only clients of these
    /// classes may use the scope.
    pub client_class: Option<Vec<String>>,
    /// `require-client-classes`, evaluated after subnet selection.
    pub require_client_classes: Option<Vec<String>>,
    /// Host reservation lookup flags.
    pub reservations: ReservationFlags,
    /// DDNS parameters.
    pub ddns: DdnsParams,
    /// `store-extended-info` (default false).
    pub store_extended_info: Option<bool>,
    /// `cache-threshold`.
    pub cache_threshold: Option<f64>,
    /// `cache-max-age`.
    pub cache_max_age: Option<u32>,
    /// `interface` the scope is directly reachable on.
    pub interface: Option<String>,
    /// `interface-id` (v6 relay option 18) selecting the scope.
    pub interface_id: Option<String>,
    /// `relay` addresses selecting the scope.
    pub relay: Vec<std::net::IpAddr>,
    /// `rapid-commit` (v6, default false).
    pub rapid_commit: Option<bool>,
    /// `allocator`: how pools pick a free address (default iterative).
    pub allocator: Option<AllocatorKind>,
    /// `pd-allocator` (v6): the same for prefix delegation pools.
    pub pd_allocator: Option<AllocatorKind>,
}

/// Values of `allocator` and `pd-allocator`.
const ALLOCATORS: &[&str] = &["iterative", "random", "flq"];

/// `client-class` (Kea 2.2) or `client-classes` (the newer manuals' list:
/// a client in any of them may use the scope).
pub fn read_client_class(m: &Map, ctx: &mut Ctx) -> Option<Vec<String>> {
    if m.has("client-class") && m.has("client-classes") {
        ctx.err(
            &m.get("client-classes").expect("present").pos,
            &m.key_path("client-classes"),
            "use either client-class or client-classes, not both",
        );
    }
    // At the global level `client-classes` is the class definitions list.
    let global = !m.path().contains(['.', '[']);
    m.str(ctx, "client-class").map(|c| vec![c]).or_else(|| {
        if global {
            return None;
        }
        m.strings(ctx, "client-classes")
    })
}

/// `require-client-classes` (Kea 2.2) or `evaluate-additional-classes`
/// (its newer spelling): classes evaluated once the scope is chosen.
pub fn read_additional_classes(m: &Map, ctx: &mut Ctx) -> Option<Vec<String>> {
    m.strings(ctx, "require-client-classes")
        .or_else(|| m.strings(ctx, "evaluate-additional-classes"))
}

/// `key` (`allocator` or `pd-allocator`), checked against Kea's values.
fn read_allocator(m: &Map, ctx: &mut Ctx, key: &str) -> Option<AllocatorKind> {
    m.choice(ctx, key, ALLOCATORS)
        .and_then(|v| AllocatorKind::from_kea(&v))
}

/// Kea's default valid lifetime.
pub const DEFAULT_VALID: u32 = 7200;
/// Kea's default preferred lifetime.
pub const DEFAULT_PREFERRED: u32 = 3600;

impl Scope {
    /// Read the parameters of one level from its map; `parent` is the
    /// enclosing level's effective scope (None at the global level).
    pub fn read(m: &Map, ctx: &mut Ctx, parent: Option<&Scope>) -> Scope {
        let v6 = ctx.v6();
        let mut s = Scope {
            valid: Triplet::read(m, ctx, "valid-lifetime"),
            renew_timer: m.u32(ctx, "renew-timer"),
            rebind_timer: m.u32(ctx, "rebind-timer"),
            calculate_tee_times: m.bool(ctx, "calculate-tee-times"),
            t1_percent: m.real(ctx, "t1-percent"),
            t2_percent: m.real(ctx, "t2-percent"),
            client_class: read_client_class(m, ctx),
            require_client_classes: read_additional_classes(m, ctx),
            reservations: ReservationFlags::read(m, ctx),
            ddns: DdnsParams::read(m, ctx),
            store_extended_info: m.bool(ctx, "store-extended-info"),
            cache_threshold: m.real(ctx, "cache-threshold"),
            cache_max_age: m.u32(ctx, "cache-max-age"),
            interface: m.str(ctx, "interface"),
            allocator: read_allocator(m, ctx, "allocator"),
            ..Scope::default()
        };
        if v6 {
            s.preferred = Triplet::read(m, ctx, "preferred-lifetime");
            s.interface_id = m.str(ctx, "interface-id");
            s.rapid_commit = m.bool(ctx, "rapid-commit");
            s.pd_allocator = read_allocator(m, ctx, "pd-allocator");
        } else {
            s.match_client_id = m.bool(ctx, "match-client-id");
            s.authoritative = m.bool(ctx, "authoritative");
            s.server_hostname = m.str(ctx, "server-hostname");
            s.boot_file_name = m.str(ctx, "boot-file-name");
            if let Some((text, pos)) = m.str_at(ctx, "next-server") {
                match text.parse() {
                    Ok(a) => s.next_server = Some(a),
                    Err(_) => ctx.err(
                        pos,
                        &m.key_path("next-server"),
                        format!("'{text}' is not an IPv4 address"),
                    ),
                }
            }
        }
        if let Some(v) = m.get("relay") {
            s.relay = super::subnet::read_relay(v, &m.key_path("relay"), ctx);
        }
        let root = Scope::default();
        let eff = s.inherit(parent.unwrap_or(&root));
        eff.valid
            .check(&s.valid, m, ctx, "valid-lifetime", DEFAULT_VALID);
        if v6 {
            eff.preferred.check(
                &s.preferred,
                m,
                ctx,
                "preferred-lifetime",
                DEFAULT_PREFERRED,
            );
        }
        for key in ["t1-percent", "t2-percent"] {
            let val = if key == "t1-percent" {
                s.t1_percent
            } else {
                s.t2_percent
            };
            if let Some(p) = val {
                if !(p > 0.0 && p < 1.0) {
                    ctx.err(
                        &m.get(key).expect("present").pos,
                        &m.key_path(key),
                        format!("{key} must be greater than 0 and less than 1, got {p}"),
                    );
                }
            }
        }
        s
    }

    /// This level's values, gaps filled from `parent`. Selection keys
    /// (`interface`, `relay`, `interface-id`) inherit from shared networks
    /// only, which is where the caller passes them.
    pub fn inherit(&self, parent: &Scope) -> Scope {
        Scope {
            valid: self.valid.inherit(&parent.valid),
            preferred: self.preferred.inherit(&parent.preferred),
            renew_timer: self.renew_timer.or(parent.renew_timer),
            rebind_timer: self.rebind_timer.or(parent.rebind_timer),
            calculate_tee_times: self.calculate_tee_times.or(parent.calculate_tee_times),
            t1_percent: self.t1_percent.or(parent.t1_percent),
            t2_percent: self.t2_percent.or(parent.t2_percent),
            match_client_id: self.match_client_id.or(parent.match_client_id),
            authoritative: self.authoritative.or(parent.authoritative),
            next_server: self.next_server.or(parent.next_server),
            server_hostname: self
                .server_hostname
                .clone()
                .or(parent.server_hostname.clone()),
            boot_file_name: self
                .boot_file_name
                .clone()
                .or(parent.boot_file_name.clone()),
            client_class: self.client_class.clone().or(parent.client_class.clone()),
            require_client_classes: self
                .require_client_classes
                .clone()
                .or(parent.require_client_classes.clone()),
            reservations: self.reservations.inherit(&parent.reservations),
            ddns: self.ddns.inherit(&parent.ddns),
            store_extended_info: self.store_extended_info.or(parent.store_extended_info),
            cache_threshold: self.cache_threshold.or(parent.cache_threshold),
            cache_max_age: self.cache_max_age.or(parent.cache_max_age),
            interface: self.interface.clone().or(parent.interface.clone()),
            interface_id: self.interface_id.clone().or(parent.interface_id.clone()),
            relay: if self.relay.is_empty() {
                parent.relay.clone()
            } else {
                self.relay.clone()
            },
            rapid_commit: self.rapid_commit.or(parent.rapid_commit),
            allocator: self.allocator.or(parent.allocator),
            pd_allocator: self.pd_allocator.or(parent.pd_allocator),
        }
    }

    /// Kea's check on a subnet's effective values: with calculated T1/T2,
    /// t1-percent must be less than t2-percent. Reported at the subnet's own
    /// key when it sets one, else at the subnet.
    pub fn check_percents(&self, own: &Scope, m: &Map, ctx: &mut Ctx) {
        let v6 = ctx.v6();
        if !self.calculate_tee_times.unwrap_or(v6) {
            return;
        }
        let t1 = self.t1_percent.unwrap_or(0.5);
        let t2 = self.t2_percent.unwrap_or(if v6 { 0.8 } else { 0.875 });
        if t1 < t2 {
            return;
        }
        let key = ["t1-percent", "t2-percent"]
            .into_iter()
            .find(|k| m.has(k) && (own.t1_percent.is_some() || own.t2_percent.is_some()));
        let (pos, path) = match key {
            Some(k) => (&m.get(k).expect("present").pos, m.key_path(k)),
            None => (m.pos(), m.path().to_string()),
        };
        ctx.err(
            pos,
            &path,
            format!("t1-percent ({t1}) must be less than t2-percent ({t2})"),
        );
    }
}
