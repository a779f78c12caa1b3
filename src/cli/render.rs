//! `gemhole render FILE`: print what one markdown or gemtext file becomes when served.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;

use super::Target;
use crate::config::Config;
use crate::content::{self, Form};
use crate::site::Site;

pub fn render(config: &Config, file: &Path, to: Target) -> anyhow::Result<()> {
    let site = Site::build(Arc::new(config.configured_content_settings()))?;
    let form = match to {
        Target::Gemtext => Form::Gemini,
        Target::Gopher => Form::GopherMenu,
        Target::GopherText => Form::GopherText,
    };
    let text = content::render_file(&site, file, form).map_err(|p| anyhow::anyhow!("{p}"))?;
    std::io::stdout()
        .write_all(&text)
        .context("cannot write to standard output")?;
    Ok(())
}
