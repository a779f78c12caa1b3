//! Pages, indexes and hand-written gemtext rendered in the form each protocol shows them: the
//! glue between the snapshot's documents and the renderers.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;

use super::cache::{Form, Rendered};
use super::is_gemtext;
use super::item_types::SiteTypes;
use crate::doc::text::Typography;
use crate::doc::{gemtext as gemtext_source, Document, Link};
use crate::proto::gopher::ItemType;
use crate::proto::{gemini, url, Protocol};
use crate::render::{ascii, cut, gemtext, gopher_menu, gopher_text, Endpoint};
use crate::site::page::{self, Location};
use crate::site::{
    folder_of, link_to, source, words, Index, Page, Problem, Site, Source, StaticFile, DEFAULT_WRAP,
};

/// The suffix that turns a page's Gopher selector into its plain-text form.
pub const TEXT_SUFFIX: &str = ".txt";

const GOPHER_TEXT: &str = "text/plain; charset=utf-8";
const GOPHER_MENU: &str = crate::proto::gopher::MENU_MEDIA_TYPE;

/// Where Gopher clients reach this site; links in Gopher text are made absolute with it.
pub fn gopher_endpoint(site: &Site) -> Endpoint {
    let settings = &site.settings;
    let (port, wrap) = settings
        .gopher
        .as_ref()
        .map_or((crate::proto::gopher::DEFAULT_PORT, DEFAULT_WRAP), |g| {
            (g.port, g.wrap)
        });
    Endpoint {
        host: settings.hostname.clone(),
        port,
        wrap,
    }
}

/// Renders a page from its source as it is on disk now.
pub fn render_page(site: &Site, page: &Page, form: Form) -> Result<Rendered, Problem> {
    let path = site.source_path(page);
    let source = site.read_source(page.file(), &path)?;
    let at = Location {
        path: &path,
        rel: &page.rel,
        file: page.file(),
    };
    let fresh = page::describe(&site.settings, &at, &source)?;
    // A source edited into a draft since the last scan is hidden at once.
    let fresh =
        fresh.ok_or_else(|| Problem::warning(&path, "is now a draft; not served".to_string()))?;
    Ok(page_in_form(site, &fresh, source.body(), form))
}

/// A page's body rendered in one form.
fn page_in_form(site: &Site, page: &Page, body: &str, form: Form) -> Rendered {
    let (title, mut doc) = site.page_document(page, body, typography_of(form));
    let endpoint = gopher_endpoint(site);
    let types = SiteTypes(site);
    let (max, note) = page_bound(site);
    let route = link_to(&page.route);
    let settings = &site.settings;
    if form == Form::Gemini {
        let elsewhere = settings.gopher.as_ref().map(|gopher| {
            let url = url::gopher(&settings.hostname, gopher.port, ItemType::Menu, &route);
            words::elsewhere("Gopher", url)
        });
        doc.navigation = site.navigation(page, elsewhere);
        let text = gemtext::render(Some(&title), &doc);
        return rendered(
            cut::gemtext(text, max, &note),
            gemtext_mime(site.lang_of(page)),
        );
    }
    let elsewhere = settings
        .gemini_port
        .map(|port| words::elsewhere("Gemini", url::gemini(&settings.hostname, port, &route)));
    doc.navigation = site.navigation(page, elsewhere);
    if form == Form::GopherText {
        let text = gopher_text::render_text(Some(&title), &doc, &endpoint, &types);
        return gopher_text_rendered(site, cut::gopher_text(text, max, &note));
    }
    doc.navigation
        .push(words::as_plain_text(&format!("{route}{TEXT_SUFFIX}")));
    let menu = gopher_menu::render_page(&title, &doc, &endpoint, &types);
    gopher_menu_rendered(site, cut::gopher_menu(menu, max, &note))
}

/// A Gopher text as served: in ASCII when `[gopher] ascii` asks for it.
fn gopher_text_rendered(site: &Site, text: String) -> Rendered {
    let text = match ascii_only(site) {
        true => ascii::text(&text),
        false => text,
    };
    rendered(text, Arc::from(GOPHER_TEXT))
}

/// A Gopher menu as served: its words in ASCII when `[gopher] ascii` asks for it.
fn gopher_menu_rendered(site: &Site, menu: String) -> Rendered {
    let menu = match ascii_only(site) {
        true => ascii::menu(&menu),
        false => menu,
    };
    rendered(menu, Arc::from(GOPHER_MENU))
}

fn ascii_only(site: &Site) -> bool {
    site.settings
        .gopher
        .as_ref()
        .is_some_and(|gopher| gopher.ascii)
}

/// The pages whose gemtext comes out longer than `[limits] max_page_kib`, as warnings: they
/// are served cut. Renders every page, so it is for `gemhole check`, not for serving.
pub fn oversized_pages(site: &Site) -> Vec<Problem> {
    let max = site.settings.sizes.page;
    site.pages()
        .filter_map(|page| {
            let path = site.source_path(page);
            let source = site.read_source(page.file(), &path).ok()?;
            let (title, doc) = site.page_document(page, source.body(), Typography::UNICODE);
            let len = gemtext::render(Some(&title), &doc).len() as u64;
            (len > max).then(|| {
                Problem::warning(
                    &path,
                    format!(
                        "renders to {} KiB, more than [limits] max_page_kib = {}; it is served cut",
                        len.div_ceil(1024),
                        max / 1024
                    ),
                )
            })
        })
        .collect()
}

/// The marks gemhole's own words are written with over `protocol`: ASCII on Gopher, where
/// old clients garble anything else.
pub fn typography(protocol: Protocol) -> Typography {
    match protocol {
        Protocol::Gemini => Typography::UNICODE,
        Protocol::Gopher => Typography::ASCII,
    }
}

fn typography_of(form: Form) -> Typography {
    match form {
        Form::Gemini => Typography::UNICODE,
        Form::GopherText | Form::GopherMenu => Typography::ASCII,
    }
}

/// How long a page from a writer's source may be, and what a cut one ends with.
fn page_bound(site: &Site) -> (usize, String) {
    let max = site.settings.sizes.page;
    let note = format!(
        "[This page is cut here: it is longer than the {} KiB this server sends of one page.]",
        max / 1024
    );
    (usize::try_from(max).unwrap_or(usize::MAX), note)
}

/// A hand-written gemtext file as Gopher text, its links resolved like a page's from `rel`.
fn gemtext_file_as_gopher(site: &Site, rel: &str, text: &str) -> Rendered {
    let mut doc = gemtext_source::parse(text);
    let from_dir = folder_of(rel);
    let ours = url::gemini(
        &site.settings.hostname,
        site.settings.gemini_port.unwrap_or(gemini::DEFAULT_PORT),
        "",
    );
    doc.rewrite_links(|target| {
        // A gemini:// link to this very capsule is, on Gopher, the local item it names.
        match target
            .strip_prefix(&ours)
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        {
            Some(route) => site.resolve_link("", if route.is_empty() { "/" } else { route }),
            None => site.resolve_link(from_dir, target),
        }
    });
    let text = gopher_text::render_text(None, &doc, &gopher_endpoint(site), &SiteTypes(site));
    let (max, note) = page_bound(site);
    gopher_text_rendered(site, cut::gopher_text(text, max, &note))
}

pub fn render_gemtext_file(site: &Site, file: &StaticFile) -> Result<Rendered, Problem> {
    let text = source::read_text(
        site.open(&file.file),
        &file.path,
        site.settings.sizes.source,
    )?;
    let rel = file.route.trim_start_matches('/');
    Ok(gemtext_file_as_gopher(site, rel, &text))
}

pub fn render_index(site: &Site, index: Index, protocol: Protocol) -> Rendered {
    let settings = &site.settings;
    // Each protocol's home page points to the other's, when both are served.
    let elsewhere = match protocol {
        Protocol::Gemini => settings.gopher.as_ref().map(|gopher| Link {
            label: "Also on Gopher".to_string(),
            target: url::gopher(&settings.hostname, gopher.port, ItemType::Menu, "/"),
            is_image: false,
        }),
        Protocol::Gopher => settings.gemini_port.map(|port| Link {
            label: "Also on Gemini".to_string(),
            target: url::gemini(&settings.hostname, port, "/"),
            is_image: false,
        }),
    };
    let doc = site.index_document(index, elsewhere.into_iter().collect(), typography(protocol));
    render_document(site, &doc, protocol)
}

/// A generated document (an index, search results) as the protocol shows it: gemtext, or a
/// Gopher menu.
pub fn render_document(site: &Site, doc: &Document, protocol: Protocol) -> Rendered {
    match protocol {
        Protocol::Gemini => rendered(
            gemtext::render(None, doc),
            gemtext_mime(&site.settings.lang),
        ),
        Protocol::Gopher => gopher_menu_rendered(
            site,
            gopher_menu::render_menu(doc, &gopher_endpoint(site), &SiteTypes(site)),
        ),
    }
}

/// A rendered text as the cache keeps it: the text's spare capacity is given back first, since
/// the cache weighs a body by its length, and a text grown by appending can hold up to twice
/// that.
pub fn rendered(text: String, mime: Arc<str>) -> Rendered {
    Rendered {
        body: Bytes::from(text.into_bytes().into_boxed_slice()),
        mime,
    }
}

fn gemtext_mime(lang: &str) -> Arc<str> {
    Arc::from(format!("{}; lang={lang}", gemini::GEMTEXT))
}

/// The media type of a capsule file, by its extension.
pub fn media_type(path: &Path) -> String {
    if is_gemtext(path) {
        return gemini::GEMTEXT.to_string();
    }
    mime_guess::from_path(path)
        .first_or_octet_stream()
        .essence_str()
        .to_string()
}

/// Renders one source file the way the server would serve it in `form`: through the site when
/// the file is part of it (so its links resolve), on its own otherwise.
pub fn render_file(site: &Site, path: &Path, form: Form) -> Result<Bytes, Problem> {
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let rel = match site.source_rel(&canonical) {
        Some(rel) => rel,
        None => path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
    };
    if is_gemtext(path) {
        let text = source::read_path(path, site.settings.sizes.source)?;
        return Ok(match form {
            Form::Gemini => Bytes::from(text),
            Form::GopherText | Form::GopherMenu => gemtext_file_as_gopher(site, &rel, &text).body,
        });
    }
    let text = source::read_path(path, site.settings.sizes.source)?;
    let source = Source::from_text(path, text, &site.settings.sizes)?;
    let at = Location {
        path,
        rel: &rel,
        file: &rel,
    };
    let page = page::describe(&site.settings, &at, &source)?;
    let page = page.ok_or_else(|| {
        Problem::warning(
            path,
            "is a draft (`draft: true`); it is never served".to_string(),
        )
    })?;
    Ok(page_in_form(site, &page, source.body(), form).body)
}
