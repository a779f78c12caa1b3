//! Gopher for old clients (`[gopher] ascii = true`): every word, the writer's too, written in
//! ASCII by transliteration (`café` as `cafe`, `日本` as its reading), for clients such as the
//! UMN one that show anything else as garbage. Selectors, hosts and ports are left as they
//! are: they must still name what they name.

use deunicode::deunicode;

/// A type 0 text in ASCII.
pub fn text(text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let words = line.trim_end_matches(['\r', '\n']);
        out.push_str(&deunicode(words));
        out.push_str(&line[words.len()..]);
    }
    out
}

/// A menu with its display texts in ASCII.
pub fn menu(menu: &str) -> String {
    if menu.is_ascii() {
        return menu.to_string();
    }
    let mut out = String::with_capacity(menu.len());
    for line in menu.split_inclusive('\n') {
        match line.split_once('\t') {
            Some((display, rest)) => {
                out.push_str(&deunicode(display).replace(['\t', '\r', '\n'], " "));
                out.push('\t');
                out.push_str(rest);
            }
            None => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_transliterated_and_selectors_kept() {
        assert_eq!(text("Café “quoted” — ok\r\n"), "Cafe \"quoted\" -- ok\r\n");
        assert_eq!(
            menu("1Café\t/tags/café\thost\t70\r\n.\r\n"),
            "1Cafe\t/tags/café\thost\t70\r\n.\r\n"
        );
    }
}
