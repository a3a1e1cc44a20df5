//! `LIKE`/`ILIKE` patterns built from user text: its `%`, `_` and `\` match
//! themselves, so a search for `50%` cannot match everything.

/// `%text%`: rows containing `text`.
pub fn contains(text: &str) -> String {
    format!("%{}%", escape(text))
}

/// `text%`: rows starting with `text`.
pub fn starts_with(text: &str) -> String {
    format!("{}%", escape(text))
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    #[test]
    fn wildcards_in_the_text_match_themselves() {
        assert_eq!(super::contains(r"50%_off\"), r"%50\%\_off\\%");
        assert_eq!(super::starts_with("2502"), "2502%");
    }
}
