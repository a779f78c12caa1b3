//! Gopher's vocabulary (RFC 1436): item types, the menu line and its fields, and how a text or
//! a menu ends on the wire.
//!
//! A menu line is `type display TAB selector TAB host TAB port CRLF`. [`Menu`] writes them so
//! that nothing a writer or a client put in the text can break a line or add a field: TABs and
//! line breaks become spaces and the display is cut to [`MENU_WIDTH`] columns.

use std::borrow::Cow;
use std::fmt::Write as _;

use super::columns::truncate;

/// The port a `gopher://` URL means when it names none.
pub const DEFAULT_PORT: u16 = 70;

/// The most columns a menu line's display text may take.
pub const MENU_WIDTH: usize = 67;

/// The host and port of lines that lead nowhere (information and error lines).
const NOWHERE: (&str, u16) = ("null.host", 1);

/// What a menu item leads to, by its one-character type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemType {
    /// `0`: a text file.
    Text,
    /// `1`: a menu.
    Menu,
    /// `3`: an error.
    Error,
    /// `7`: a search: the client asks for words and sends them after a TAB.
    Search,
    /// `9`: a binary file.
    Binary,
    /// `g`: a GIF image.
    Gif,
    /// `I`: any other image.
    Image,
    /// `h`: an HTML page, or with a `URL:` selector a link to another scheme.
    Html,
    /// `i`: a line of text in a menu, leading nowhere.
    Info,
    /// Any other type, as a `gopher://` URL names it.
    Other(char),
}

impl ItemType {
    pub fn as_char(self) -> char {
        match self {
            ItemType::Text => '0',
            ItemType::Menu => '1',
            ItemType::Error => '3',
            ItemType::Search => '7',
            ItemType::Binary => '9',
            ItemType::Gif => 'g',
            ItemType::Image => 'I',
            ItemType::Html => 'h',
            ItemType::Info => 'i',
            ItemType::Other(c) => c,
        }
    }

    pub fn from_char(c: char) -> ItemType {
        match c {
            '0' => ItemType::Text,
            '1' => ItemType::Menu,
            '3' => ItemType::Error,
            '7' => ItemType::Search,
            '9' => ItemType::Binary,
            'g' => ItemType::Gif,
            'I' => ItemType::Image,
            'h' => ItemType::Html,
            'i' => ItemType::Info,
            c => ItemType::Other(c),
        }
    }

    /// The type of a file by its media type (gemtext is served to Gopher as text).
    pub fn of_media_type(mime: &str) -> ItemType {
        match mime {
            "image/gif" => ItemType::Gif,
            "text/html" => ItemType::Html,
            MENU_MEDIA_TYPE => ItemType::Menu,
            mime if mime.starts_with("text/") => ItemType::Text,
            mime if mime.starts_with("image/") => ItemType::Image,
            _ => ItemType::Binary,
        }
    }
}

/// Where a menu item leads: host and port, and the selector in up to two parts (a `URL:`
/// prefix and the URL, say) written one after the other.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub selector: [&'a str; 2],
    pub host: &'a str,
    pub port: u16,
}

/// A menu being written: lines appended to one buffer, the terminator added at the end.
/// Large menus (an archive of thousands of posts) are written without a string per line.
#[derive(Default)]
pub struct Menu {
    out: String,
}

impl Menu {
    pub fn with_capacity(lines: usize) -> Menu {
        Menu {
            out: String::with_capacity(lines * 80),
        }
    }

    /// One line. TABs and line breaks in the display and selector become spaces, and the
    /// display is cut to [`MENU_WIDTH`] columns.
    pub fn line(&mut self, kind: ItemType, display: &str, to: Target<'_>) {
        self.out.push(kind.as_char());
        // Cleaned before it is cut, so the cut measures what is shown.
        let display = match display.contains(['\t', '\r', '\n']) {
            true => Cow::Owned(display.replace(['\t', '\r', '\n'], " ")),
            false => Cow::Borrowed(display),
        };
        self.out.push_str(&truncate(&display, MENU_WIDTH));
        self.out.push('\t');
        for part in to.selector {
            push_clean(&mut self.out, part);
        }
        self.out.push('\t');
        push_clean(&mut self.out, to.host);
        self.out.push('\t');
        let _ = write!(self.out, "{}", to.port);
        self.out.push_str("\r\n");
    }

    /// A line of text that leads nowhere.
    pub fn info(&mut self, text: &str) {
        self.line(ItemType::Info, text, nowhere());
    }

    /// An error line.
    pub fn error(&mut self, text: &str) {
        self.line(ItemType::Error, text, nowhere());
    }

    /// The menu with its `.` terminator.
    pub fn finish(mut self) -> String {
        self.out.push_str(".\r\n");
        self.out
    }

    /// The lines written so far, without a terminator.
    pub fn lines(&self) -> &str {
        &self.out
    }
}

fn nowhere() -> Target<'static> {
    Target {
        selector: ["", ""],
        host: NOWHERE.0,
        port: NOWHERE.1,
    }
}

/// Text with TABs and line breaks turned into spaces, as a menu field must be.
fn push_clean(out: &mut String, text: &str) {
    if !text.contains(['\t', '\r', '\n']) {
        out.push_str(text);
        return;
    }
    out.extend(text.chars().map(|c| match c {
        '\t' | '\r' | '\n' => ' ',
        c => c,
    }));
}

/// The media type of a menu, as the content layer labels one.
pub const MENU_MEDIA_TYPE: &str = "application/gopher-menu";

/// A menu as a Gopher+ client asks for it with `$`: each item in an `+INFO:` block, marked as
/// a Gopher+ item, after the `+-1` status line (the answer ends with the `.` line).
pub fn with_attributes(menu: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(menu.len() + menu.len() / 4 + 8);
    out.extend_from_slice(b"+-1\r\n");
    for line in menu.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() || line == b"." {
            continue;
        }
        out.extend_from_slice(b"+INFO: ");
        out.extend_from_slice(line);
        out.extend_from_slice(b"\t+\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

/// An error answer: one type 3 line and the terminator.
pub fn error_menu(message: &str) -> String {
    let mut menu = Menu::default();
    menu.error(message);
    menu.finish()
}

/// Lines of a type 0 text as sent: CRLF after each. RFC 1436's `.` last line is left out (the
/// server closes the connection instead, which RFC 1436 allows, and Lagrange, Bombadillo and
/// lynx show the dot), and so no leading dot needs doubling.
pub fn text_body<'a>(lines: impl ExactSizeIterator<Item = &'a str> + Clone) -> String {
    let size: usize = lines.clone().map(|line| line.len() + 2).sum();
    let mut out = String::with_capacity(size);
    for line in lines {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::columns::width;

    #[test]
    fn menu_lines_have_four_fields_and_cut_display() {
        let long = "x".repeat(100);
        let mut menu = Menu::default();
        let to = Target {
            selector: ["", "/a\tb"],
            host: "h",
            port: 70,
        };
        menu.line(ItemType::Text, &format!("{long}\tsneaky"), to);
        let line = menu.lines().to_string();
        let fields: Vec<&str> = line.trim_end_matches("\r\n").split('\t').collect();
        assert_eq!(fields.len(), 4, "{line:?}");
        assert_eq!(width(fields[0]) - 1, MENU_WIDTH);
        assert!(fields[0].ends_with('…'));
        assert_eq!(
            error_menu("Not found"),
            "3Not found\t\tnull.host\t1\r\n.\r\n"
        );
    }

    #[test]
    fn item_types_by_media_type() {
        assert_eq!(ItemType::of_media_type("image/gif"), ItemType::Gif);
        assert_eq!(ItemType::of_media_type("image/png"), ItemType::Image);
        assert_eq!(ItemType::of_media_type("text/gemini"), ItemType::Text);
        assert_eq!(ItemType::of_media_type("application/pdf"), ItemType::Binary);
        assert_eq!(ItemType::from_char('+').as_char(), '+');
        assert_eq!(ItemType::from_char('7'), ItemType::Search);
    }

    #[test]
    fn texts_end_with_the_connection_not_a_dot() {
        let lines = [".hidden", "plain"];
        assert_eq!(text_body(lines.iter().copied()), ".hidden\r\nplain\r\n");
    }
}
