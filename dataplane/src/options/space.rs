//! The option space registry: which definition applies to (space, code).

use std::collections::{BTreeMap, HashMap};

use super::types::{is_valid_name, DefinitionError, OptionDef, Universe};
use super::{std_v4, std_v6, DHCP4_SPACE, DHCP6_SPACE};

/// What kind of option space a name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpaceKind {
    /// The universe's top-level space (`dhcp4` or `dhcp6`), whose standard
    /// definitions cannot be replaced.
    TopLevel,
    /// A vendor space, `vendor-<enterprise-id>`.
    Vendor(u32),
    /// Any other space (standard sub-option spaces and custom ones).
    Other,
}

/// The definitions of one option space, indexed both ways.
#[derive(Debug, Clone, Default)]
struct Space {
    defs: Vec<OptionDef>,
    standard: Vec<bool>,
    by_code: HashMap<u16, usize>,
    by_name: HashMap<String, usize>,
}

impl Space {
    fn find_code(&self, code: u16) -> Option<&OptionDef> {
        self.by_code.get(&code).map(|&i| &self.defs[i])
    }

    fn find_name(&self, name: &str) -> Option<&OptionDef> {
        self.by_name.get(name).map(|&i| &self.defs[i])
    }

    fn insert(&mut self, def: OptionDef, standard: bool) {
        let i = self.defs.len();
        self.by_code.insert(def.code, i);
        self.by_name.insert(def.name.to_string(), i);
        self.defs.push(def);
        self.standard.push(standard);
    }
}

/// Every option space known to one server (one universe): Kea's standard
/// definitions plus the configuration's `option-def` entries.
///
/// Lookups are by (space, code) when decoding packets and by (space, name)
/// when resolving `option-data` entries that give only a name.
#[derive(Debug, Clone)]
pub struct OptionSpaces {
    universe: Universe,
    spaces: BTreeMap<String, Space>,
}

impl OptionSpaces {
    /// A registry with no spaces at all (useful for tests of custom spaces).
    pub fn empty(universe: Universe) -> OptionSpaces {
        OptionSpaces {
            universe,
            spaces: BTreeMap::new(),
        }
    }

    /// A registry preloaded with Kea's standard definitions for `universe`,
    /// including the sub-option spaces they encapsulate (some of which, like
    /// `vendor-encapsulated-options-space`, start out empty).
    pub fn standard(universe: Universe) -> OptionSpaces {
        let mut spaces = OptionSpaces::empty(universe);
        let tables: &[&[OptionDef]] = match universe {
            Universe::V4 => &[
                std_v4::STANDARD_V4,
                std_v4::DHCP_AGENT_OPTIONS,
                std_v4::DOCSIS3_V4,
            ],
            Universe::V6 => &[
                std_v6::STANDARD_V6,
                std_v6::ISC_4O6,
                std_v6::S46_CONT_MAPE,
                std_v6::S46_CONT_MAPT,
                std_v6::S46_CONT_LW,
                std_v6::S46_RULE_OPTIONS,
                std_v6::S46_V4V6BIND_OPTIONS,
                std_v6::DOCSIS3_V6,
            ],
        };
        for table in tables {
            for def in table.iter() {
                spaces.space_mut(&def.space).insert(def.clone(), true);
            }
        }
        // Spaces that standard options encapsulate but Kea leaves for the
        // configuration to fill.
        let encapsulated: Vec<String> = spaces
            .spaces
            .values()
            .flat_map(|s| s.defs.iter())
            .filter(|d| d.encapsulates())
            .map(|d| d.encapsulate.to_string())
            .collect();
        for name in encapsulated {
            spaces.space_mut(&name);
        }
        spaces
    }

    fn space_mut(&mut self, name: &str) -> &mut Space {
        self.spaces.entry(name.to_string()).or_default()
    }

    /// The universe this registry serves.
    pub fn universe(&self) -> Universe {
        self.universe
    }

    /// The space name Kea uses for an enterprise's vendor options.
    pub fn vendor_space_name(enterprise_id: u32) -> String {
        format!("vendor-{enterprise_id}")
    }

    /// Classify a space name. `vendor-<n>` with a decimal 32-bit `n` is a
    /// vendor space.
    pub fn space_kind(&self, name: &str) -> SpaceKind {
        if name == self.universe.top_space() {
            return SpaceKind::TopLevel;
        }
        match name.strip_prefix("vendor-").map(str::parse::<u32>) {
            Some(Ok(id)) => SpaceKind::Vendor(id),
            _ => SpaceKind::Other,
        }
    }

    /// Whether the space exists (has been preloaded, added, or received a
    /// custom definition).
    pub fn has_space(&self, space: &str) -> bool {
        self.spaces.contains_key(space)
    }

    /// Names of all known spaces, sorted.
    pub fn space_names(&self) -> impl Iterator<Item = &str> {
        self.spaces.keys().map(String::as_str)
    }

    /// All definitions of a space, standard ones first.
    pub fn defs(&self, space: &str) -> impl Iterator<Item = &OptionDef> {
        self.spaces
            .get(space)
            .into_iter()
            .flat_map(|s| s.defs.iter())
    }

    /// The definition of `code` in `space`.
    pub fn get(&self, space: &str, code: u16) -> Option<&OptionDef> {
        self.spaces.get(space)?.find_code(code)
    }

    /// The definition named `name` in `space`.
    pub fn get_by_name(&self, space: &str, name: &str) -> Option<&OptionDef> {
        self.spaces.get(space)?.find_name(name)
    }

    /// The definition of `code` in an enterprise's vendor space.
    pub fn get_vendor(&self, enterprise_id: u32, code: u16) -> Option<&OptionDef> {
        self.get(&Self::vendor_space_name(enterprise_id), code)
    }

    /// Whether (space, code) is one of Kea's built-in definitions.
    pub fn is_standard(&self, space: &str, code: u16) -> bool {
        self.spaces
            .get(space)
            .and_then(|s| s.by_code.get(&code).map(|&i| s.standard[i]))
            .unwrap_or(false)
    }

    /// Declare an (empty) option space, e.g. one that a custom definition's
    /// `encapsulate` names before any of its options are defined. Existing
    /// spaces are left alone.
    pub fn add_space(&mut self, name: &str) -> Result<(), DefinitionError> {
        if !is_valid_name(name) {
            return Err(DefinitionError::Invalid {
                name: String::new(),
                space: name.to_string(),
                reason: format!("'{name}' is not a valid option space name"),
            });
        }
        self.space_mut(name);
        Ok(())
    }

    /// Add a configuration `option-def` entry.
    ///
    /// Rejected like Kea does: malformed definitions, codes the universe cannot
    /// carry (and 0/255 in `dhcp4`, 0 in `dhcp6`), definitions clashing in
    /// code or name with a standard option of `dhcp4`/`dhcp6` (Kea forbids
    /// redefining those), and duplicates of an existing definition of the same
    /// space. The encapsulated space, if any, is created.
    pub fn add_custom(&mut self, def: OptionDef) -> Result<(), DefinitionError> {
        def.validate()?;
        let bad_code = def.code > self.universe.max_code()
            || (def.space == DHCP4_SPACE && (def.code == 0 || def.code == 255))
            || (def.space == DHCP6_SPACE && def.code == 0);
        if bad_code {
            return Err(DefinitionError::BadCode {
                name: def.name.to_string(),
                space: def.space.to_string(),
                code: def.code,
            });
        }
        if let Some(space) = self.spaces.get(def.space.as_ref()) {
            let clash = space
                .by_code
                .get(&def.code)
                .or_else(|| space.by_name.get(def.name.as_ref()));
            if let Some(&i) = clash {
                let existing = &space.defs[i];
                let (name, space_name) = (def.name.to_string(), def.space.to_string());
                let (code, existing) = (existing.code, existing.name.to_string());
                return Err(
                    if space.standard[i] && self.space_kind(&def.space) == SpaceKind::TopLevel {
                        DefinitionError::RedefinesStandard {
                            name,
                            space: space_name,
                            code,
                            existing,
                        }
                    } else {
                        DefinitionError::Duplicate {
                            name,
                            space: space_name,
                            code,
                            existing,
                        }
                    },
                );
            }
        }
        if def.encapsulates() {
            self.space_mut(&def.encapsulate.clone());
        }
        self.space_mut(&def.space.clone()).insert(def, false);
        Ok(())
    }
}
