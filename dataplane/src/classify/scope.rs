//! The names an expression may use: option names from the configuration's
//! option definitions, classes from the table built so far.

use super::ast::{IntKind, TextForm};
use super::{Classes, Names};
use crate::options::{DataType, OptionSpaces, Universe, DHCP4_SPACE, DHCP6_SPACE};

/// [`Names`] over a configuration's option spaces and its classes defined
/// so far (so `member` of a later class is an error, as in Kea).
pub struct Scope<'a> {
    /// Option definitions, standard and custom.
    pub spaces: &'a OptionSpaces,
    /// Classes defined before the one being read; vendor classes a test
    /// names are added to it.
    pub classes: &'a mut Classes,
}

impl Scope<'_> {
    fn space(&self) -> &'static str {
        match self.spaces.universe() {
            Universe::V4 => DHCP4_SPACE,
            Universe::V6 => DHCP6_SPACE,
        }
    }
}

impl Names for Scope<'_> {
    fn universe(&self) -> Universe {
        self.spaces.universe()
    }

    fn option_code(&self, name: &str) -> Option<u16> {
        self.spaces.get_by_name(self.space(), name).map(|d| d.code)
    }

    fn text_form(&self, code: u16) -> TextForm {
        let Some(def) = self.spaces.get(self.space(), code) else {
            return TextForm::Raw;
        };
        match def.data_type {
            DataType::Ipv4Address => TextForm::Ipv4,
            DataType::Ipv6Address => TextForm::Ipv6,
            DataType::Int8 => TextForm::Int(IntKind::I8),
            DataType::Int16 => TextForm::Int(IntKind::I16),
            DataType::Int32 => TextForm::Int(IntKind::I32),
            DataType::Uint8 => TextForm::Int(IntKind::U8),
            DataType::Uint16 => TextForm::Int(IntKind::U16),
            DataType::Uint32 => TextForm::Int(IntKind::U32),
            _ => TextForm::Raw,
        }
    }

    fn class(&mut self, name: &str) -> Option<u16> {
        match self.classes.index(name) {
            Some(i) => Some(i),
            // Vendor classes are built in: any may be named.
            None if name.starts_with(super::VENDOR_CLASS_PREFIX) => self.classes.intern(name).ok(),
            None => None,
        }
    }
}
