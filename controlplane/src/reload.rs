//! The running configuration, and replacing it while serving
//! (`config-set`, `config-reload` and SIGHUP).
//!
//! A new configuration is validated and compiled in full before anything
//! changes; then it is handed to the dataplane process, when there is one
//! (which swaps it in the same way), or stored into the `Live` cells the
//! in-process workers read, each worker taking the new one at its next
//! batch. Sockets stay open throughout, so frames that arrive during a
//! reload wait in their rings and none is dropped. Pools that survive a
//! reload keep their allocators (cursor, free-lease queue); new pools are
//! registered with the lease store; leases of removed subnets stay in the
//! store, as Kea keeps them.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;
use xdhcp_dataplane::config::snapshot::Snapshot;
use xdhcp_dataplane::config::{Config4, Config6};
use xdhcp_dataplane::lease::{Lease4, Lease6, LeaseStore};
use xdhcp_dataplane::server::answer::{answer, result};
use xdhcp_dataplane::server::channel;
use xdhcp_dataplane::server::family::Family;

use crate::config::{self, no_effect, Config};
use crate::diag::Diag;
use crate::{compile, json};

/// Where log lines go: severity, Kea message id, text.
pub type Logger = fn(&str, &str, &str);

/// What is told a new configuration's JSON once it is in force.
pub type Watcher = Box<dyn Fn(&Value) + Send + Sync>;

/// Settings read when the server starts and not changed by a reload (the
/// sockets and the lease store stay as they are); a reload that changes
/// one says so in a warning.
const RESTART_ONLY: &[&str] = &[
    "interfaces-config",
    "lease-database",
    "control-socket",
    "control-sockets",
];

/// The configuration in force, and the families it feeds.
pub struct Running {
    /// The `-c` file: what `config-reload` reads and `config-write` writes
    /// by default.
    file: Option<PathBuf>,
    /// The configuration as JSON (`config-get`) and as the model.
    current: Mutex<(Value, Config)>,
    /// Held from reading the configuration to installing its successor,
    /// so two changes arriving at once cannot lose one another.
    changing: Mutex<()>,
    /// When the running configuration was installed.
    installed: Mutex<Instant>,
    /// DHCPv4, when served.
    pub v4: Option<Family<Config4, Lease4>>,
    /// DHCPv6, when served.
    pub v6: Option<Family<Config6, Lease6>>,
    /// Told the configuration's JSON after each change (statistics
    /// relabel their subnets and pools).
    watchers: Mutex<Vec<Watcher>>,
    /// The DHCPv6 server DUID, kept across reloads.
    duid: Vec<u8>,
    /// The channel of the dataplane process that serves the configuration,
    /// when it is not served in-process.
    dataplane: Option<PathBuf>,
    log: Logger,
}

/// Warns through `log` about each key of `json` (a whole configuration)
/// that xdhcp accepts without acting on (see [`no_effect`]); with
/// `before`, only about keys set in more places than there (a subnet
/// command that removes one shifts the paths of the others).
pub fn warn_no_effect(json: &Value, before: Option<&Value>, log: Logger) {
    let old = before.map(no_effect::findings).unwrap_or_default();
    let known = |f: &no_effect::Finding| {
        old.iter()
            .any(|o| o.section == f.section && o.entry == f.entry && o.paths.len() >= f.paths.len())
    };
    for f in no_effect::findings(json).iter().filter(|f| !known(f)) {
        log("WARN", f.id(), &f.text());
    }
}

/// Validates a configuration given as JSON (a `config-set` or
/// `config-test` argument); errors name the key and the problem.
pub fn check(config: &Value) -> Result<Config, String> {
    let text = serde_json::to_string_pretty(config).map_err(|e| e.to_string())?;
    config::load_str("<wire>", &text).map_err(|errors| {
        // Positions would point into our re-serialisation, not into what
        // the client sent: the JSON path locates the key instead.
        let each = errors.iter().map(|d| match d.path.as_str() {
            "" => d.message.clone(),
            path => format!("{path}: {}", d.message),
        });
        each.collect::<Vec<_>>().join("; ")
    })
}

impl Running {
    /// The configuration `model`, loaded from `json` (read from `file`,
    /// if any); no family is served until [`Running::serve`].
    pub fn new(model: Config, json: Value, file: Option<PathBuf>, log: Logger) -> Running {
        Running {
            file,
            current: Mutex::new((json, model)),
            changing: Mutex::new(()),
            installed: Mutex::new(Instant::now()),
            watchers: Mutex::new(Vec::new()),
            v4: None,
            v6: None,
            duid: Vec::new(),
            dataplane: None,
            log,
        }
    }

    /// Serves the configuration's `Dhcp4` section from `leases4` and its
    /// `Dhcp6` section from `leases6` with server DUID `duid`, each when
    /// given and configured.
    pub fn serve(
        mut self,
        leases4: Option<Arc<LeaseStore<Lease4>>>,
        leases6: Option<(Arc<LeaseStore<Lease6>>, Vec<u8>)>,
    ) -> Result<Running, String> {
        let (leases6, duid) = leases6.unzip();
        self.duid = duid.unwrap_or_default();
        let Some(snapshot) = self.deliver(&self.lock().1)? else {
            return Ok(self);
        };
        if let (Some(config), Some(leases)) = (snapshot.config4(), leases4) {
            self.v4 = Some(Family::start(config, leases));
        }
        if let (Some(config), Some(leases)) = (snapshot.config6(), leases6) {
            self.v6 = Some(Family::start(config, leases));
        }
        Ok(self)
    }

    /// Hands the configuration, and each one after it, to the dataplane
    /// process listening at `channel` instead of serving it here; the
    /// DHCPv6 server identifies itself with `duid`. Fails, as a start
    /// does, when the dataplane cannot be reached or refuses it.
    pub fn hand_over_to(mut self, channel: PathBuf, duid: Vec<u8>) -> Result<Running, String> {
        self.duid = duid;
        self.dataplane = Some(channel);
        self.deliver(&self.lock().1)?;
        Ok(self)
    }

    /// Hands the running configuration again to a dataplane process that
    /// started anew and waits for one; true when it did. So a restarted
    /// dataplane serves again without a change through the control plane.
    pub fn hand_over_again(&self) -> Result<bool, String> {
        let Some(path) = &self.dataplane else {
            return Ok(false);
        };
        if channel::serving(path)? {
            return Ok(false);
        }
        // Not while a change is being handed over (it would start the
        // dataplane itself; handing the same one over twice is harmless).
        let _changing = self.changing();
        self.deliver(&self.lock().1)?;
        Ok(true)
    }

    /// Passes `request` (a control API request) to the dataplane process
    /// and returns its answer; an error answer when it cannot be reached
    /// or the configuration is served in-process.
    pub fn ask_dataplane(&self, request: &Value) -> Value {
        let Some(socket) = &self.dataplane else {
            return answer(
                result::ERROR,
                "no dataplane process serves this configuration",
            );
        };
        match channel::ask(socket, &request.to_string()) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                answer(
                    result::ERROR,
                    format!("the dataplane's answer is not JSON: {e}"),
                )
            }),
            Err(e) => answer(result::ERROR, e),
        }
    }

    /// True when a separate dataplane process serves the configuration.
    pub fn remote(&self) -> bool {
        self.dataplane.is_some()
    }

    /// True when DHCPv4 is served, here or by the dataplane process.
    pub fn serves_dhcp4(&self) -> bool {
        self.v4.is_some() || (self.remote() && self.lock().1.dhcp4.is_some())
    }

    /// True when DHCPv6 is served, here or by the dataplane process.
    pub fn serves_dhcp6(&self) -> bool {
        self.v6.is_some() || (self.remote() && self.lock().1.dhcp6.is_some())
    }

    /// Compiles `model` into a snapshot and seals it in memory. With a
    /// dataplane process, hands it over (`None` once applied there);
    /// otherwise maps it back as that process would, so the in-process
    /// engines run on what the snapshot carries and nothing bypasses its
    /// format.
    fn deliver(&self, model: &Config) -> Result<Option<Snapshot>, String> {
        let mut snapshot = compile::compile(model);
        snapshot.server_duid = self.duid.clone();
        let file = snapshot.sealed().map_err(|e| e.to_string())?;
        match &self.dataplane {
            Some(socket) => channel::hand_over(socket, &file).map(|()| None),
            None => Snapshot::from_sealed(&file)
                .map(Some)
                .map_err(|e| e.to_string()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, (Value, Config)> {
        // A panic while holding the lock leaves a whole (old or new) value.
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The running configuration as JSON (`config-get`).
    pub fn json(&self) -> Value {
        self.lock().0.clone()
    }

    /// Calls `watcher` with the configuration's JSON after every change;
    /// it runs under the configuration lock, so it must not call back into
    /// this `Running`.
    pub fn watch(&self, watcher: Watcher) {
        self.watchers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(watcher);
    }

    /// Time since the running configuration was loaded or set (what Kea's
    /// `status-get` calls `reload`).
    pub fn since_reload(&self) -> Duration {
        let at = *self.installed.lock().unwrap_or_else(|e| e.into_inner());
        at.elapsed()
    }

    /// The `-c` file, if any.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// `server-tag` of the `Dhcp4` section ("" when unset, as Kea says).
    pub fn server_tag(&self) -> String {
        let current = self.lock();
        let tag = current.1.dhcp4.as_ref().and_then(|s| s.server_tag.clone());
        tag.unwrap_or_default()
    }

    /// The running configuration with its `Dhcp4` section replaced by
    /// `dhcp4` (what `config-set` would run; other sections stay).
    pub fn with_dhcp4(&self, dhcp4: &Value) -> Value {
        let mut json = self.json();
        match json.as_object_mut() {
            Some(top) => drop(top.insert("Dhcp4".into(), dhcp4.clone())),
            None => json = serde_json::json!({ "Dhcp4": dhcp4 }),
        }
        json
    }

    /// `config-set`: validates the new `Dhcp4` section and swaps it in.
    /// On error the running configuration stays.
    pub fn set(&self, dhcp4: &Value) -> Result<(), String> {
        let _changing = self.changing();
        let json = self.with_dhcp4(dhcp4);
        let model = check(&json)?;
        self.install(model, json, true)?;
        (self.log)(
            "INFO",
            "DHCP4_CONFIG_COMPLETE",
            "configuration set over the control API",
        );
        Ok(())
    }

    /// `config-reload` and SIGHUP: reads the `-c` file again. On error the
    /// running configuration stays, and the text names file, line and key.
    pub fn reload(&self) -> Result<(), String> {
        let _changing = self.changing();
        let file = self
            .file
            .as_deref()
            .ok_or("no configuration file to reload: the server was not started with -c")?;
        let fail = |why: String| {
            let text = format!(
                "Config reload failed: configuration error using file '{}': {why}",
                file.display()
            );
            (self.log)("ERROR", "DHCP4_DYNAMIC_RECONFIGURATION_FAIL", &text);
            text
        };
        let raw = json::parse_file(file).map_err(|d| fail(d.to_string()))?;
        let model = config::load_value(&raw).map_err(|errors| fail(joined(&errors)))?;
        self.install(model, raw.to_serde(), true).map_err(fail)?;
        let text = format!("configuration reloaded from {}", file.display());
        (self.log)("INFO", "DHCP4_DYNAMIC_RECONFIGURATION", &text);
        Ok(())
    }

    /// Changes the running configuration in place (the host, subnet and
    /// class commands): `change` edits a copy of its JSON, seeing the
    /// current model too, and the result is validated, compiled and
    /// swapped in as `config-set` would. When `change` refuses, or the
    /// result does not validate (the error is the validator's text), the
    /// running configuration stays as it was.
    pub fn edit<T, E: From<String>>(
        &self,
        change: impl FnOnce(&mut Value, &Config) -> Result<T, E>,
    ) -> Result<T, E> {
        let _changing = self.changing();
        let (mut json, model) = self.lock().clone();
        let outcome = change(&mut json, &model)?;
        let model = check(&json)?;
        self.install(model, json, false)?;
        Ok(outcome)
    }

    /// The current configuration's model, with its JSON, for reading.
    pub fn snapshot(&self) -> (Value, Config) {
        self.lock().clone()
    }

    fn changing(&self) -> MutexGuard<'_, ()> {
        self.changing.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Compiles `model` for every family served and swaps the snapshots
    /// in. It fails, changing nothing, only when `model` stops a family
    /// being served (its sockets were opened at start). Keys without
    /// effect are warned about: all of them when the whole configuration
    /// was sent (`whole`), else those the change added.
    fn install(&self, model: Config, json: Value, whole: bool) -> Result<(), String> {
        // A database xdhcp cannot serve would stop the next start.
        let unsupported = crate::deep_check::unsupported_databases(&model, None);
        if !unsupported.is_empty() {
            return Err(joined(&unsupported));
        }
        // A dataplane process checks the families it serves itself.
        let served = [
            ("Dhcp4", self.v4.is_some(), model.dhcp4.is_some()),
            ("Dhcp6", self.v6.is_some(), model.dhcp6.is_some()),
        ];
        for (name, served, kept) in served.into_iter().filter(|_| !self.remote()) {
            if served && !kept {
                return Err(format!(
                    "{name} is being served and the new configuration has no {name} \
                     section: stopping it needs a restart"
                ));
            }
            if kept && !served {
                let text = format!("{name} was added: it is served from the next restart");
                (self.log)("WARN", "DHCP4_RECONFIGURE_RESTART_ONLY", &text);
            }
        }
        let mut current = self.lock();
        for (name, key) in ["Dhcp4", "Dhcp6"]
            .iter()
            .flat_map(|n| RESTART_ONLY.iter().map(move |k| (n, k)))
        {
            if section(&current.0, name, key) != section(&json, name, key) {
                let text = format!("{name} {key} changed: it takes effect at the next restart");
                (self.log)("WARN", "DHCP4_RECONFIGURE_RESTART_ONLY", &text);
            }
        }
        if let Some(snapshot) = self.deliver(&model)? {
            if let (Some(f), Some(next)) = (&self.v4, snapshot.config4()) {
                f.replace(next);
            }
            if let (Some(f), Some(next)) = (&self.v6, snapshot.config6()) {
                f.replace(next);
            }
        }
        let watchers = self.watchers.lock().unwrap_or_else(|e| e.into_inner());
        watchers.iter().for_each(|w| w(&json));
        warn_no_effect(&json, (!whole).then_some(&current.0), self.log);
        *current = (json, model);
        *self.installed.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        Ok(())
    }
}

/// `top[server][key]`, if present.
fn section<'a>(top: &'a Value, server: &str, key: &str) -> Option<&'a Value> {
    top.get(server)?.get(key)
}

/// Every error, located, in one line.
fn joined(errors: &[Diag]) -> String {
    let each: Vec<String> = errors.iter().map(Diag::to_string).collect();
    each.join("; ")
}
