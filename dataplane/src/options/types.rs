//! Option data types and option definitions, as Kea names and models them.

use std::borrow::Cow;
use std::fmt;

/// Which DHCP protocol an option belongs to.
///
/// The universe changes a few encodings (a tuple's length prefix is one byte
/// in DHCPv4 and two in DHCPv6) and the limits on option codes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize,
)]
pub enum Universe {
    /// DHCPv4: 8-bit option codes and lengths.
    V4,
    /// DHCPv6: 16-bit option codes and lengths.
    V6,
}

impl Universe {
    /// Name of the top-level option space of this universe ("dhcp4"/"dhcp6").
    pub const fn top_space(self) -> &'static str {
        match self {
            Universe::V4 => super::DHCP4_SPACE,
            Universe::V6 => super::DHCP6_SPACE,
        }
    }

    /// Largest option code this universe can carry on the wire.
    pub const fn max_code(self) -> u16 {
        match self {
            Universe::V4 => u8::MAX as u16,
            Universe::V6 => u16::MAX,
        }
    }
}

/// The type of an option's payload or of one field of a record option.
///
/// Variant names follow Kea's `OptionDataType`; [`DataType::kea_name`] gives
/// the spelling used in `option-def` entries of Kea's JSON configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    /// No payload at all (flags, and containers carrying only sub-options).
    Empty,
    /// Opaque bytes, written as hexadecimal text.
    Binary,
    /// One byte, 0 or 1, written as `true`/`false`.
    Boolean,
    /// Signed 8-bit integer.
    Int8,
    /// Signed 16-bit integer, network byte order.
    Int16,
    /// Signed 32-bit integer, network byte order.
    Int32,
    /// Unsigned 8-bit integer.
    Uint8,
    /// Unsigned 16-bit integer, network byte order.
    Uint16,
    /// Unsigned 32-bit integer, network byte order.
    Uint32,
    /// Four-byte IPv4 address.
    Ipv4Address,
    /// Sixteen-byte IPv6 address.
    Ipv6Address,
    /// Prefix length byte followed by the prefix's significant bytes.
    Ipv6Prefix,
    /// Port-set identifier (RFC 7597): length byte and left-aligned 16 bits.
    Psid,
    /// Text bytes without a length prefix.
    String,
    /// Length-prefixed text (1-byte length in v4, 2-byte in v6).
    Tuple,
    /// Domain name in DNS wire format (uncompressed labels).
    Fqdn,
    /// A sequence of fields, each of one of the other types.
    Record,
    /// An option whose format Kea handles with a dedicated class rather than a
    /// generic definition (classless static routes, DNR). Not usable in
    /// `option-def` entries.
    Internal,
}

impl DataType {
    /// Every data type, in Kea's declaration order.
    pub const ALL: [DataType; 18] = [
        DataType::Empty,
        DataType::Binary,
        DataType::Boolean,
        DataType::Int8,
        DataType::Int16,
        DataType::Int32,
        DataType::Uint8,
        DataType::Uint16,
        DataType::Uint32,
        DataType::Ipv4Address,
        DataType::Ipv6Address,
        DataType::Ipv6Prefix,
        DataType::Psid,
        DataType::String,
        DataType::Tuple,
        DataType::Fqdn,
        DataType::Record,
        DataType::Internal,
    ];

    /// Parse a type name as written in Kea's `option-def` `type` and
    /// `record-types` fields. Matching is exact, as in Kea.
    pub fn from_kea_name(name: &str) -> Option<DataType> {
        DataType::ALL.into_iter().find(|t| t.kea_name() == name)
    }

    /// The name Kea uses for this type in configuration.
    pub const fn kea_name(self) -> &'static str {
        match self {
            DataType::Empty => "empty",
            DataType::Binary => "binary",
            DataType::Boolean => "boolean",
            DataType::Int8 => "int8",
            DataType::Int16 => "int16",
            DataType::Int32 => "int32",
            DataType::Uint8 => "uint8",
            DataType::Uint16 => "uint16",
            DataType::Uint32 => "uint32",
            DataType::Ipv4Address => "ipv4-address",
            DataType::Ipv6Address => "ipv6-address",
            DataType::Ipv6Prefix => "ipv6-prefix",
            DataType::Psid => "psid",
            DataType::String => "string",
            DataType::Tuple => "tuple",
            DataType::Fqdn => "fqdn",
            DataType::Record => "record",
            DataType::Internal => "internal",
        }
    }

    /// Size on the wire for fixed-size types, `None` for variable-size ones.
    pub const fn fixed_size(self) -> Option<usize> {
        match self {
            DataType::Boolean | DataType::Int8 | DataType::Uint8 => Some(1),
            DataType::Int16 | DataType::Uint16 => Some(2),
            DataType::Int32 | DataType::Uint32 | DataType::Ipv4Address => Some(4),
            DataType::Ipv6Address => Some(16),
            DataType::Psid => Some(3),
            DataType::Empty => Some(0),
            _ => None,
        }
    }

    /// Whether a value of this type knows its own length on the wire, so it
    /// can be followed by more fields (everything but string and binary,
    /// which run to the end of the option).
    pub const fn is_self_delimiting(self) -> bool {
        !matches!(self, DataType::String | DataType::Binary)
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kea_name())
    }
}

/// How an option code is interpreted in one option space: Kea's
/// `OptionDefinition`.
///
/// Standard definitions live in `static` tables and borrow everything; custom
/// definitions from a configuration's `option-def` list own their strings.
/// Both are the same type so lookups never care where a definition came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionDef {
    /// Option name, unique within its space (e.g. `"domain-name-servers"`).
    pub name: Cow<'static, str>,
    /// Option code, unique within its space.
    pub code: u16,
    /// Option space the definition belongs to (e.g. `"dhcp4"`).
    pub space: Cow<'static, str>,
    /// Payload type; [`DataType::Record`] means see `record_types`.
    pub data_type: DataType,
    /// Whether the payload is a list of values of `data_type` (or, for
    /// records, whether the record's last field repeats).
    pub array: bool,
    /// Field types of a record option, empty for other types.
    pub record_types: Cow<'static, [DataType]>,
    /// Space whose options may follow the payload as sub-options, or empty.
    pub encapsulate: Cow<'static, str>,
}

impl OptionDef {
    /// A non-record standard definition, usable in `static` tables.
    pub const fn std(
        name: &'static str,
        code: u16,
        space: &'static str,
        data_type: DataType,
        array: bool,
        encapsulate: &'static str,
    ) -> OptionDef {
        Self::borrowed(name, code, space, data_type, array, &[], encapsulate)
    }

    /// A record standard definition, usable in `static` tables.
    pub const fn std_record(
        name: &'static str,
        code: u16,
        space: &'static str,
        fields: &'static [DataType],
        array: bool,
        encapsulate: &'static str,
    ) -> OptionDef {
        Self::borrowed(
            name,
            code,
            space,
            DataType::Record,
            array,
            fields,
            encapsulate,
        )
    }

    const fn borrowed(
        name: &'static str,
        code: u16,
        space: &'static str,
        data_type: DataType,
        array: bool,
        fields: &'static [DataType],
        encapsulate: &'static str,
    ) -> OptionDef {
        OptionDef {
            name: Cow::Borrowed(name),
            code,
            space: Cow::Borrowed(space),
            data_type,
            array,
            record_types: Cow::Borrowed(fields),
            encapsulate: Cow::Borrowed(encapsulate),
        }
    }

    /// An owned definition, as built from a configuration `option-def` entry.
    /// Call [`OptionDef::validate`] (or add it through
    /// [`OptionSpaces::add_custom`](super::OptionSpaces::add_custom), which
    /// does) before using it.
    pub fn custom(
        name: impl Into<String>,
        code: u16,
        space: impl Into<String>,
        data_type: DataType,
        array: bool,
        record_types: Vec<DataType>,
        encapsulate: impl Into<String>,
    ) -> OptionDef {
        OptionDef {
            name: Cow::Owned(name.into()),
            code,
            space: Cow::Owned(space.into()),
            data_type,
            array,
            record_types: Cow::Owned(record_types),
            encapsulate: Cow::Owned(encapsulate.into()),
        }
    }

    /// Whether sub-options from another space follow the payload.
    pub fn encapsulates(&self) -> bool {
        !self.encapsulate.is_empty()
    }

    /// Check the definition is one Kea would accept: a sensible name, a
    /// record with at least two fields of usable types, no array of types
    /// that cannot be delimited, no `internal` type.
    pub fn validate(&self) -> Result<(), DefinitionError> {
        let bad = |reason: String| {
            Err(DefinitionError::Invalid {
                name: self.name.to_string(),
                space: self.space.to_string(),
                reason,
            })
        };
        if !is_valid_name(&self.name) {
            return bad("the name must be letters, digits, '-' or '_', and must not start or end with '-' or '_'".into());
        }
        if !is_valid_name(&self.space) {
            return bad(format!("'{}' is not a valid option space name", self.space));
        }
        if !self.encapsulate.is_empty() && !is_valid_name(&self.encapsulate) {
            return bad(format!(
                "'{}' is not a valid name for an encapsulated option space",
                self.encapsulate
            ));
        }
        match self.data_type {
            DataType::Internal => {
                return bad("type 'internal' is reserved for Kea's built-in options".into())
            }
            DataType::Record => {
                if self.record_types.len() < 2 {
                    return bad(format!(
                        "a record needs at least two fields, {} given",
                        self.record_types.len()
                    ));
                }
                let last = self.record_types.len() - 1;
                for (i, field) in self.record_types.iter().enumerate() {
                    match field {
                        DataType::Record | DataType::Empty | DataType::Internal => {
                            return bad(format!("a record field cannot have type '{field}'"))
                        }
                        // They run to the end of the option, so nothing can
                        // follow them, and an array could not repeat them.
                        DataType::String | DataType::Binary if i != last || self.array => {
                            return bad(format!(
                                "a '{field}' field can only be the last field of a non-array record"
                            ))
                        }
                        _ => {}
                    }
                }
            }
            DataType::String | DataType::Binary | DataType::Empty if self.array => {
                return bad(format!(
                    "an array of '{}' values is not allowed",
                    self.data_type
                ));
            }
            _ => {
                if !self.record_types.is_empty() {
                    return bad("record-types given for an option that is not a record".into());
                }
            }
        }
        Ok(())
    }
}

/// Kea's rule for option and space names: `[A-Za-z0-9_-]+`, not starting or
/// ending with `-` or `_`.
pub(crate) fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && !name.starts_with(['-', '_'])
        && !name.ends_with(['-', '_'])
}

/// Why an option definition was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefinitionError {
    /// The definition itself is malformed.
    Invalid {
        /// Option name as given.
        name: String,
        /// Option space as given.
        space: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The code does not fit the space's universe (or is reserved, like 0 and
    /// 255 in DHCPv4).
    BadCode {
        /// Option name as given.
        name: String,
        /// Option space as given.
        space: String,
        /// The offending code.
        code: u16,
    },
    /// Kea does not allow redefining options of its standard spaces.
    RedefinesStandard {
        /// Option name as given.
        name: String,
        /// The standard space.
        space: String,
        /// Code of the clashing standard option.
        code: u16,
        /// Name of the clashing standard option.
        existing: String,
    },
    /// Another definition in the same space already has this code or name.
    Duplicate {
        /// Option name as given.
        name: String,
        /// Option space as given.
        space: String,
        /// Code of the clashing definition.
        code: u16,
        /// Name of the clashing definition.
        existing: String,
    },
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DefinitionError::Invalid {
                name,
                space,
                reason,
            } => write!(
                f,
                "invalid definition of option '{name}' in space '{space}': {reason}"
            ),
            DefinitionError::BadCode { name, space, code } => write!(
                f,
                "invalid code {code} for option '{name}' in space '{space}'"
            ),
            DefinitionError::RedefinesStandard {
                name,
                space,
                code,
                existing,
            } => write!(
                f,
                "option '{name}' cannot be defined in standard space '{space}': \
                 it clashes with standard option '{existing}' (code {code})"
            ),
            DefinitionError::Duplicate {
                name,
                space,
                code,
                existing,
            } => write!(
                f,
                "option '{name}' in space '{space}' clashes with existing \
                 definition '{existing}' (code {code})"
            ),
        }
    }
}

impl std::error::Error for DefinitionError {}
