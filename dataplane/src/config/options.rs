//! Option data of one configuration scope, encoded once at compile time.

/// One option of a scope, in wire format.
#[derive(Debug, Clone, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct ConfiguredOption {
    /// The option code.
    pub code: u16,
    /// The payload, without code and length.
    pub data: Vec<u8>,
    /// Kea's `always-send`: include it even when the client did not ask.
    pub always_send: bool,
}

/// The options of one scope (global, shared network, subnet, pool, class,
/// reservation), sorted by code so a lookup is a binary search.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize,
)]
pub struct OptionSet {
    options: Vec<ConfiguredOption>,
}

impl OptionSet {
    /// A scope without options.
    pub const EMPTY: OptionSet = OptionSet {
        options: Vec::new(),
    };

    /// A scope's options; a later entry for the same code replaces an earlier one.
    pub fn new(mut options: Vec<ConfiguredOption>) -> Self {
        options.reverse();
        options.sort_by_key(|o| o.code);
        options.dedup_by_key(|o| o.code);
        OptionSet { options }
    }

    /// The option with `code`, if this scope defines it.
    pub fn get(&self, code: u16) -> Option<&ConfiguredOption> {
        let i = self.options.binary_search_by_key(&code, |o| o.code).ok()?;
        Some(&self.options[i])
    }

    /// Every option of the scope, by code.
    pub fn iter(&self) -> impl Iterator<Item = &ConfiguredOption> {
        self.options.iter()
    }
}
