//! Cutting a rendered page that came out longer than the server serves: at a line end before
//! the bound, kept well-formed in its format (an open preformatted block closed, a Gopher text
//! or menu given its terminator), with a last line that says it was cut.

use crate::proto::gopher::Menu;

/// `text` (gemtext) at most about `max` bytes long.
pub fn gemtext(text: String, max: usize, note: &str) -> String {
    if text.len() <= max {
        return text;
    }
    let mut kept = keep_lines(&text, max, "\n").to_string();
    let toggles = kept.lines().filter(|line| line.starts_with("```")).count();
    if toggles % 2 == 1 {
        kept.push_str("```\n");
    }
    kept.push('\n');
    kept.push_str(note);
    kept.push('\n');
    kept
}

/// `text` (a Gopher type 0 text, CRLF lines and `.` terminator) at most about `max` bytes.
pub fn gopher_text(text: String, max: usize, note: &str) -> String {
    if text.len() <= max {
        return text;
    }
    let mut kept = keep_lines(&text, max, "\r\n").to_string();
    kept.push_str("\r\n");
    kept.push_str(note);
    kept.push_str("\r\n.\r\n");
    kept
}

/// `menu` (a Gopher menu) at most about `max` bytes.
pub fn gopher_menu(menu: String, max: usize, note: &str) -> String {
    if menu.len() <= max {
        return menu;
    }
    let kept = keep_lines(&menu, max, "\r\n");
    let mut tail = Menu::default();
    tail.info("");
    tail.info(note);
    let mut out = String::with_capacity(kept.len() + 200);
    out.push_str(kept);
    out.push_str(&tail.finish());
    out
}

/// The whole lines of `text` (each ending in `end`) that fit in `max` bytes.
fn keep_lines<'a>(text: &'a str, max: usize, end: &str) -> &'a str {
    let mut cut = max.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    match text[..cut].rfind(end) {
        Some(at) => &text[..at + end.len()],
        None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_keep_each_format_whole() {
        let page = format!("# T\n\n```\n{}```\n", "line\n".repeat(100));
        let cut = gemtext(page, 40, "(cut)");
        assert!(cut.len() < 60, "{cut}");
        assert_eq!(cut.lines().filter(|l| l.starts_with("```")).count() % 2, 0);
        assert!(cut.ends_with("(cut)\n"));

        let text = "word\r\n".repeat(100) + ".\r\n";
        let cut = gopher_text(text, 40, "(cut)");
        assert!(cut.ends_with("word\r\n\r\n(cut)\r\n.\r\n"), "{cut:?}");

        let menu = "iword\t\tnull.host\t1\r\n".repeat(100) + ".\r\n";
        let cut = gopher_menu(menu, 100, "(cut)");
        assert!(cut.lines().all(|l| l == "." || l.split('\t').count() == 4));
        assert!(cut.ends_with(".\r\n"));

        assert_eq!(gemtext("short\n".to_string(), 40, "(cut)"), "short\n");
    }
}
