//! WeChat ids: how most sellers prefer to be reached after the first visit.

use std::fmt;

/// A WeChat id, lower-cased.
///
/// WeChat's own rules: 6 to 20 characters, starting with a letter, then letters, digits, `_`
/// and `-` (ASCII only). WeChat treats ids case-insensitively, so they are stored lower-cased
/// and two leads with `Wang_Fang88` and `wang_fang88` are found to be the same person.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WechatId(String);

impl WechatId {
    pub const MIN_CHARS: usize = 6;
    pub const MAX_CHARS: usize = 20;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim().to_ascii_lowercase();
        let length = value.chars().count();
        if !(Self::MIN_CHARS..=Self::MAX_CHARS).contains(&length) {
            return Err(format!(
                "must be {} to {} characters",
                Self::MIN_CHARS,
                Self::MAX_CHARS
            ));
        }
        if !value.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Err("must start with a letter".into());
        }
        if !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err("must contain only letters, digits, `_` and `-`".into());
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for WechatId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::WechatId;

    #[test]
    fn ids_are_trimmed_and_lower_cased() {
        assert_eq!(
            WechatId::parse("  Wang_Fang-88 ").unwrap().as_str(),
            "wang_fang-88"
        );
        assert_eq!(
            WechatId::parse("Wang_Fang88").unwrap(),
            WechatId::parse("wang_fang88").unwrap()
        );
        assert_eq!(WechatId::parse("YIWU2024").unwrap().to_string(), "yiwu2024");
    }

    #[test]
    fn length_is_six_to_twenty() {
        assert!(WechatId::parse("abcdef").is_ok());
        assert!(WechatId::parse(&format!("a{}", "b".repeat(19))).is_ok());
        for bad in ["", "abcde", &format!("a{}", "b".repeat(20))] {
            assert_eq!(
                WechatId::parse(bad).unwrap_err(),
                "must be 6 to 20 characters",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn ids_start_with_a_letter() {
        for bad in ["1abcdef", "_abcdef", "-abcdef"] {
            assert_eq!(
                WechatId::parse(bad).unwrap_err(),
                "must start with a letter",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn ids_use_only_letters_digits_underscore_and_hyphen() {
        for bad in [
            "wang fang",
            "wang.fang",
            "wang@fang",
            "wangfang!",
            "王芳王芳王芳",
            "wáng_fang",
        ] {
            assert!(WechatId::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(
            WechatId::parse("wang.fang").unwrap_err(),
            "must contain only letters, digits, `_` and `-`"
        );
        assert_eq!(WechatId::parse("a1_-b2").unwrap().into_string(), "a1_-b2");
    }
}
