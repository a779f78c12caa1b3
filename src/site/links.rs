//! Links as a writer wrote them, made into what a reader can follow: paths to capsule sources
//! become their routes, other paths absolute routes, URLs with a scheme stay as they are.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

use super::Site;

/// The characters a path must percent-encode to stand in a URL.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// A route as it is written in a link.
pub fn link_to(route: &str) -> String {
    utf8_percent_encode(route, PATH).to_string()
}

/// The folder of a path below the content folder (`posts` for `posts/x.md`, empty at the top):
/// where that file's relative links start from.
pub fn folder_of(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// `scheme:` at the start, as RFC 3986 spells a scheme.
fn has_scheme(target: &str) -> bool {
    match target.split_once(':') {
        Some((scheme, _)) => {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

impl Site {
    /// Turns a link as written in `from_dir` into what a reader can follow: URLs with a scheme
    /// stay; a path to a capsule source becomes its route; any other path becomes an absolute
    /// route. Fragments are dropped (neither protocol has anchors); a path that climbs out of
    /// the capsule is left as written.
    pub fn resolve_link(&self, from_dir: &str, target: &str) -> String {
        if has_scheme(target) || target.starts_with("//") {
            return target.to_string();
        }
        let without_fragment = target.split('#').next().unwrap_or("");
        let (path, query) = match without_fragment.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (without_fragment, None),
        };
        let decoded = percent_decode_str(path).decode_utf8_lossy();
        let joined = match decoded.strip_prefix('/') {
            Some(absolute) => absolute.to_string(),
            None if from_dir.is_empty() => decoded.to_string(),
            None => format!("{from_dir}/{decoded}"),
        };
        let mut segments: Vec<&str> = Vec::new();
        for segment in joined.split('/') {
            match segment {
                "" | "." => {}
                ".." => {
                    if segments.pop().is_none() {
                        return target.to_string();
                    }
                }
                segment => segments.push(segment),
            }
        }
        let rel = segments.join("/");
        // A source named without its extension (Jekyll's `post_url` names posts so).
        let source = ["", ".md", ".markdown"]
            .iter()
            .find_map(|extension| self.page_from(&format!("{rel}{extension}")));
        let mut route = match source {
            Some(page) => page.route.to_string(),
            None if decoded.ends_with('/') && !rel.is_empty() => format!("/{rel}/"),
            None => format!("/{rel}"),
        };
        route = link_to(&route);
        if let Some(query) = query {
            route.push('?');
            route.push_str(query);
        }
        route
    }
}
