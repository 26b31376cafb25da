//! Business licence numbers: the Unified Social Credit Code (统一社会信用代码) of GB 32100-2015.

use std::fmt;

/// The 31 characters a code may use: digits and upper-case letters without I, O, S, V and Z,
/// which are too easily misread as 1, 0, 5, U and 2. A character's value is its position here.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// The weight of each of the first 17 characters: 3^i mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

const LENGTH: usize = 18;

/// A business's Unified Social Credit Code, as printed on its business licence: 18 characters,
/// the last of which is a check character over the other 17.
///
/// Sellers read this code off their licence, and a single misread character is the usual
/// mistake; the check character catches every such slip (and every swap of two neighbours among
/// the first 17) because 31 is prime and no weight is a multiple of it. Only the charset and the
/// check character are verified: the registration authority, category and region fields are
/// not, since their lists change and a code with a right check character was issued as it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BusinessLicenseNo(String);

impl BusinessLicenseNo {
    /// Reads a code, tolerating surrounding spaces and lower-case letters.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let code = raw.trim().to_ascii_uppercase();
        if code.chars().count() != LENGTH {
            return Err(format!("must be {LENGTH} characters"));
        }
        let values: Option<Vec<u32>> = code.bytes().map(value_of).collect();
        let Some(values) = values else {
            return Err(
                "must contain only digits and the letters A-Z other than I, O, S, V and Z".into(),
            );
        };
        if check_value(&values[..LENGTH - 1]) != values[LENGTH - 1] {
            return Err(
                "is not a valid unified social credit code (its check character is wrong)".into(),
            );
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for BusinessLicenseNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A character's value: its position in [`ALPHABET`].
fn value_of(byte: u8) -> Option<u32> {
    ALPHABET
        .iter()
        .position(|&c| c == byte)
        .map(|position| position as u32)
}

/// The value the 18th character must have: 31 - (Σ value × weight mod 31), with 31 written as 0.
fn check_value(body: &[u32]) -> u32 {
    let sum: u32 = body.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    (31 - sum % 31) % 31
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Codes cited as valid in public registries.
    const VALID: [&str; 3] = [
        "91350100M000100Y43",
        "91110108551385082Q",
        "91440300708461136T",
    ];

    #[test]
    fn the_cited_example_checks_out_by_hand() {
        // 9·1 + 1·3 + 3·9 + 5·27 + 0·19 + 1·26 + 0·16 + 0·17 + M(21)·20 + 0·29 + 0·25 + 0·13
        //   + 1·8 + 0·24 + 0·10 + Y(30)·30 + 4·28
        // = 9 + 3 + 27 + 135 + 26 + 420 + 8 + 900 + 112 = 1640; 1640 mod 31 = 28; 31 - 28 = 3.
        let body: Vec<u32> = "91350100M000100Y4"
            .bytes()
            .map(|b| value_of(b).unwrap())
            .collect();
        assert_eq!(
            body.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum::<u32>(),
            1640
        );
        assert_eq!(check_value(&body), 3);
        assert!(BusinessLicenseNo::parse("91350100M000100Y43").is_ok());
    }

    #[test]
    fn the_weights_are_powers_of_three() {
        let mut power = 1;
        for weight in WEIGHTS {
            assert_eq!(weight, power);
            power = power * 3 % 31;
        }
    }

    #[test]
    fn valid_codes_are_accepted_and_normalised() {
        for code in VALID {
            assert_eq!(BusinessLicenseNo::parse(code).unwrap().as_str(), code);
        }
        let lower = BusinessLicenseNo::parse("  91350100m000100y43\n").unwrap();
        assert_eq!(lower.as_str(), "91350100M000100Y43");
        assert_eq!(lower.to_string(), "91350100M000100Y43");
        assert_eq!(lower.into_string(), "91350100M000100Y43");
    }

    #[test]
    fn every_single_character_change_is_caught() {
        for code in VALID {
            for position in 0..LENGTH {
                for &replacement in ALPHABET {
                    let mut changed = code.as_bytes().to_vec();
                    if changed[position] == replacement {
                        continue;
                    }
                    changed[position] = replacement;
                    let changed = String::from_utf8(changed).unwrap();
                    assert!(
                        BusinessLicenseNo::parse(&changed).is_err(),
                        "{changed} should be refused"
                    );
                }
            }
        }
    }

    #[test]
    fn swapped_neighbours_are_caught() {
        for code in VALID {
            for position in 0..LENGTH - 2 {
                let mut swapped = code.as_bytes().to_vec();
                if swapped[position] == swapped[position + 1] {
                    continue;
                }
                swapped.swap(position, position + 1);
                let swapped = String::from_utf8(swapped).unwrap();
                assert!(
                    BusinessLicenseNo::parse(&swapped).is_err(),
                    "{swapped} should be refused"
                );
            }
        }
    }

    #[test]
    fn malformed_codes_are_refused_with_a_reason() {
        // The example the brief warned about: placeholder characters and a wrong check.
        assert!(BusinessLicenseNo::parse("91330782MA28XXXXXX").is_err());
        assert_eq!(
            BusinessLicenseNo::parse("91350100M000100Y4").unwrap_err(),
            "must be 18 characters"
        );
        assert_eq!(
            BusinessLicenseNo::parse("91350100M000100Y433").unwrap_err(),
            "must be 18 characters"
        );
        assert_eq!(
            BusinessLicenseNo::parse("").unwrap_err(),
            "must be 18 characters"
        );
        for letter in ['I', 'O', 'S', 'V', 'Z', '-', ' ', '统'] {
            let code = format!("91350100{letter}000100Y43");
            assert_eq!(
                BusinessLicenseNo::parse(&code).unwrap_err(),
                "must contain only digits and the letters A-Z other than I, O, S, V and Z",
                "{code:?}"
            );
        }
        assert_eq!(
            BusinessLicenseNo::parse("91350100M000100Y44").unwrap_err(),
            "is not a valid unified social credit code (its check character is wrong)"
        );
    }
}
