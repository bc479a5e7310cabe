//! `lease-database`, `hosts-database` and `hosts-databases`.

use super::keys;
use super::read::Ctx;
use crate::diag;
use crate::json::Value;

/// One database access specification.
#[derive(Debug, Clone, PartialEq)]
pub struct Database {
    /// `memfile`, `mysql` or `postgresql`.
    pub kind: String,
    /// File name (memfile) or database name.
    pub name: Option<String>,
    /// Database host.
    pub host: Option<String>,
    /// Database port.
    pub port: Option<u16>,
    /// Database user.
    pub user: Option<String>,
    /// Database password.
    pub password: Option<String>,
    /// memfile: write leases to disk (default true).
    pub persist: bool,
    /// memfile: seconds between lease file cleanups (default 3600).
    pub lfc_interval: u32,
    /// Open read-only (hosts databases).
    pub readonly: bool,
    /// `max-reconnect-tries` (default 0).
    pub max_reconnect_tries: u32,
    /// `reconnect-wait-time` in ms (default 0).
    pub reconnect_wait_time: u32,
    /// `on-fail`: stop-retry-exit, serve-retry-exit, serve-retry-continue.
    pub on_fail: String,
}

impl Database {
    /// Kea's default lease database: memfile, persistent.
    pub fn memfile() -> Database {
        Database {
            kind: "memfile".into(),
            name: None,
            host: None,
            port: None,
            user: None,
            password: None,
            persist: true,
            lfc_interval: 3600,
            readonly: false,
            max_reconnect_tries: 0,
            reconnect_wait_time: 0,
            on_fail: "stop-retry-exit".into(),
        }
    }

    /// Read one database map. Hosts databases cannot be memfile.
    pub fn read(v: &Value, path: &str, ctx: &mut Ctx, hosts: bool) -> Option<Database> {
        let what = if hosts {
            "hosts-database"
        } else {
            "lease-database"
        };
        let m = ctx.map(v, path, what, keys::DATABASE)?;
        let allowed: &[&str] = if hosts {
            &["mysql", "postgresql"]
        } else {
            &["memfile", "mysql", "postgresql"]
        };
        let kind = m.choice(ctx, "type", allowed);
        if !m.has("type") {
            ctx.err(
                &v.pos,
                path,
                "database access parameters must include 'type'",
            );
        }
        let kind = kind?;
        let mut d = Database::memfile();
        d.kind = kind;
        d.name = m.str(ctx, "name");
        d.host = m.str(ctx, "host");
        d.port = m.int(ctx, "port", 0, 65535).map(|p| p as u16);
        d.user = m.str(ctx, "user");
        d.password = m.str(ctx, "password");
        d.persist = m.bool(ctx, "persist").unwrap_or(true);
        d.lfc_interval = m.u32(ctx, "lfc-interval").unwrap_or(3600);
        d.readonly = m.bool(ctx, "readonly").unwrap_or(false);
        d.max_reconnect_tries = m.u32(ctx, "max-reconnect-tries").unwrap_or(0);
        d.reconnect_wait_time = m.u32(ctx, "reconnect-wait-time").unwrap_or(0);
        m.u32(ctx, "connect-timeout");
        m.u32(ctx, "max-row-errors");
        if let Some(f) = m.choice(
            ctx,
            "on-fail",
            &[
                "stop-retry-exit",
                "serve-retry-exit",
                "serve-retry-continue",
            ],
        ) {
            d.on_fail = f;
        }
        Some(d)
    }

    /// Read a `hosts-databases` list.
    pub fn read_list(v: &Value, path: &str, ctx: &mut Ctx) -> Vec<Database> {
        let Some(items) = ctx.list(v, path) else {
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| Database::read(item, &diag::index(path, i), ctx, true))
            .collect()
    }
}
