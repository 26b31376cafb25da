//! Phone numbers, the main way a rep reaches a seller.

use phonenumber::country::Id;
use phonenumber::metadata::{Descriptor, Metadata, DATABASE};
use phonenumber::{Mode, ParseError, PhoneNumber, Type};
use regex::{Regex, RegexBuilder};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};

/// Longer input is refused before parsing: no real phone number is anywhere near it, and the
/// parser's work grows with its input.
const MAX_INPUT_CHARS: usize = 64;

/// A valid phone number in E.164 form (`+8613800138000`).
///
/// One canonical form means the same number typed as `138 0013 8000` or `+86 138-0013-8000`
/// is stored once and found as a duplicate. Numbers without a country code are read as Chinese,
/// since that is where the sellers are. Validity is checked against libphonenumber's metadata
/// (via the `phonenumber` crate), so a number of the right length that no carrier or area uses is
/// refused too.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("must not be empty".into());
        }
        if raw.chars().count() > MAX_INPUT_CHARS {
            return Err(format!("must be at most {MAX_INPUT_CHARS} characters"));
        }
        let number = phonenumber::parse(Some(Id::CN), raw).map_err(|error| {
            match error {
                ParseError::TooShortNsn | ParseError::TooShortAfterIdd => {
                    "is too short to be a phone number"
                }
                ParseError::TooLong => "is too long to be a phone number",
                ParseError::InvalidCountryCode => "has an unknown country code",
                _ => "must be a phone number",
            }
            .to_string()
        })?;
        // E.164 has no room for an extension: keeping the number without it would lose it.
        if number.extension().is_some() {
            return Err("must not have an extension".into());
        }
        if !number.is_valid() || !matches_whole_pattern(&number) {
            return Err("must be a valid phone number".into());
        }
        Ok(Self(number.format().mode(Mode::E164).to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The kinds of number libphonenumber counts as valid (its `getNumberType` is not UNKNOWN).
const VALID_TYPES: [Type; 10] = [
    Type::FixedLine,
    Type::Mobile,
    Type::TollFree,
    Type::PremiumRate,
    Type::SharedCost,
    Type::Voip,
    Type::PersonalNumber,
    Type::Pager,
    Type::Uan,
    Type::Voicemail,
];

/// Whether the national number matches its country's patterns in full.
///
/// `phonenumber` 0.3.10 checks a pattern only from the number's start (a prefix match, its open
/// issue #31), so `+86 999 9999 9999` passes as a landline because its first ten digits would
/// be one. libphonenumber proper requires the whole number to match, which this restores: the
/// number must match the country's general pattern and one kind's pattern, each entirely and
/// with one of its possible lengths, under some region sharing the country code.
fn matches_whole_pattern(number: &PhoneNumber) -> bool {
    let national = number.national().to_string();
    let Some(regions) = DATABASE.by_code(&number.code().value()) else {
        return false;
    };
    regions.into_iter().any(|region: &Metadata| {
        let descriptors = region.descriptors();
        matches_whole(descriptors.general(), &national)
            && VALID_TYPES.into_iter().any(|kind| {
                descriptors
                    .get(kind)
                    .is_some_and(|descriptor| matches_whole(descriptor, &national))
            })
    })
}

fn matches_whole(descriptor: &Descriptor, national: &str) -> bool {
    let lengths = descriptor.possible_length();
    if !lengths.is_empty() && !lengths.contains(&(national.len() as u16)) {
        return false;
    }
    anchored(descriptor.national_number().as_str()).is_some_and(|regex| regex.is_match(national))
}

/// The metadata's pattern anchored at both ends, compiled once per pattern.
fn anchored(pattern: &str) -> Option<Regex> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Regex>>>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    cache
        .entry(pattern.to_owned())
        .or_insert_with(|| {
            // The metadata's patterns are laid out over several lines, as `phonenumber` reads them.
            RegexBuilder::new(&format!("^(?:{pattern})$"))
                .ignore_whitespace(true)
                .build()
                .ok()
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(raw: &str) -> String {
        Phone::parse(raw)
            .unwrap_or_else(|error| panic!("{raw:?} should parse: {error}"))
            .into_string()
    }

    #[test]
    fn ways_of_writing_a_mobile_number_agree() {
        for raw in [
            "13800138000",
            "138 0013 8000",
            "+86 138-0013-8000",
            "0086 13800138000",
            "(+86) 13800138000",
            "+8613800138000",
            "  138-0013-8000  ",
        ] {
            assert_eq!(e164(raw), "+8613800138000", "{raw:?}");
        }
    }

    #[test]
    fn landlines_keep_their_area_code() {
        // Yiwu is in the Jinhua area, 0579; the trunk prefix 0 is dropped after +86.
        assert_eq!(e164("0579-8555 1234"), "+8657985551234");
        assert_eq!(e164("(0579) 85551234"), "+8657985551234");
        // Beijing, 010: a two-digit area code.
        assert_eq!(e164("010-6552 9988"), "+861065529988");
    }

    #[test]
    fn foreign_numbers_keep_their_country_code() {
        assert_eq!(e164("+1 650-253-0000"), "+16502530000");
        assert_eq!(e164("+44 20 7946 0958"), "+442079460958");
    }

    #[test]
    fn non_numbers_and_impossible_numbers_are_refused() {
        for bad in [
            "",
            "   ",
            "not a phone",
            "phone: none",
            "12",
            "12345",
            "1380013800",   // a mobile number one digit short
            "138001380001", // and one digit long
            // The next two pass `phonenumber`'s own prefix-only check (see
            // `matches_whole_pattern`): a valid number with digits left over.
            "+86 999 9999 9999",
            "+86 100 0000 0000",
            "0579-8555 123",   // a Yiwu landline one digit short
            "+1 123-456-7890", // a US area code cannot start with 1
            "138 0013 8000 ext. 12",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Phone::parse(&"1".repeat(65)).is_err());
    }

    #[test]
    fn refusals_say_why() {
        assert_eq!(Phone::parse(" ").unwrap_err(), "must not be empty");
        assert_eq!(
            Phone::parse("12345").unwrap_err(),
            "is too short to be a phone number"
        );
        assert_eq!(
            Phone::parse("+86 999 9999 9999").unwrap_err(),
            "must be a valid phone number"
        );
        assert_eq!(
            Phone::parse("+999 1234 5678").unwrap_err(),
            "has an unknown country code"
        );
        assert_eq!(
            Phone::parse("138 0013 8000 ext. 12").unwrap_err(),
            "must not have an extension"
        );
        assert_eq!(
            Phone::parse("no number here").unwrap_err(),
            "must be a phone number"
        );
        assert_eq!(
            Phone::parse(&"1".repeat(65)).unwrap_err(),
            "must be at most 64 characters"
        );
    }

    #[test]
    fn the_crate_alone_would_accept_numbers_with_extra_digits() {
        // Guards the workaround: if `phonenumber` ever matches whole patterns itself, these
        // start failing and `matches_whole_pattern` can go.
        for raw in ["+86 999 9999 9999", "+86 100 0000 0000"] {
            let number = phonenumber::parse(Some(Id::CN), raw).unwrap();
            assert!(number.is_valid(), "{raw:?}");
            assert!(!matches_whole_pattern(&number), "{raw:?}");
        }
        let good = phonenumber::parse(Some(Id::CN), "0579-8555 1234").unwrap();
        assert!(matches_whole_pattern(&good));
    }

    #[test]
    fn display_and_accessors_show_the_e164_form() {
        let phone = Phone::parse("138 0013 8000").unwrap();
        assert_eq!(phone.as_str(), "+8613800138000");
        assert_eq!(phone.to_string(), "+8613800138000");
        assert_eq!(phone, Phone::parse("+86 138-0013-8000").unwrap());
    }
}
