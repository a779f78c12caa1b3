//! `gemhole new "Title"`: begin a post (or a page) and say where it is and where it is served.

use crate::config::Config;
use crate::proto::gopher::ItemType;
use crate::proto::url;
use crate::site::front::Date;
use crate::site::starter::{self, Kind};

pub fn new(config: &Config, title: &str, page: bool) -> anyhow::Result<()> {
    let now = time::OffsetDateTime::now_utc().date();
    let today = Date::parse(&format!(
        "{:04}-{:02}-{:02}",
        now.year(),
        u8::from(now.month()),
        now.day()
    ))
    .ok_or_else(|| anyhow::anyhow!("today's date cannot be written as YYYY-MM-DD"))?;
    let kind = match page {
        true => Kind::Page,
        false => Kind::Post,
    };
    let begun = starter::begin(&config.site.content, title, kind, today)?;
    println!("{}", begun.path.display());
    let settings = config.configured_content_settings();
    let host = &config.site.hostname;
    if let Some(port) = settings.gemini_port {
        println!("  {}", url::gemini(host, port, &begun.route));
    }
    if let Some(gopher) = settings.gopher {
        println!(
            "  {}",
            url::gopher(host, gopher.port, ItemType::Menu, &begun.route)
        );
    }
    Ok(())
}
