//! The answers only Gopher has: the menu holding a search item, and the CAPS file that tells
//! clients how this server's selectors work.

use crate::proto::gopher::{text_body, ItemType, Menu, Target};

/// Where a client asks for the CAPS file.
pub const CAPS: &str = "/caps.txt";

/// A menu holding only a search item, for a search selector requested without words.
pub fn search_prompt(prompt: &str, selector: &str, host: &str, port: u16) -> String {
    let mut menu = Menu::default();
    let to = Target {
        selector: ["", selector],
        host,
        port,
    };
    menu.line(ItemType::Search, prompt, to);
    menu.finish()
}

/// What an old selector (one a page was served at before) answers: a menu pointing to where
/// the page is now.
pub fn moved(to: &str, kind: ItemType, host: &str, port: u16) -> String {
    let mut menu = Menu::default();
    menu.info("This page has moved:");
    let to_item = Target {
        selector: ["", to],
        host,
        port,
    };
    menu.line(kind, to, to_item);
    menu.finish()
}

/// The CAPS file (version 1).
pub fn caps(version: &str) -> String {
    let version = format!("ServerSoftwareVersion={version}");
    let lines = [
        "CAPS",
        "",
        "CapsVersion=1",
        "ExpireCapsAfter=3600",
        "",
        "PathDelimeter=/",
        "PathIdentity=.",
        "PathParent=..",
        "PathParentDouble=FALSE",
        "PathKeepPreDelimeter=FALSE",
        "",
        "ServerSoftware=gemhole",
        &version,
        "ServerDefaultEncoding=utf-8",
    ];
    text_body(lines.into_iter())
}
