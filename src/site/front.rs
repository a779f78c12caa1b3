//! Front matter: the metadata block at the top of a markdown file, YAML between `---` lines or
//! TOML between `+++` lines, read into [`FrontMatter`], and the calendar [`Date`] posts carry.
//!
//! The block is cut off here, before markdown sees the body, because pulldown-cmark's own
//! metadata option mistakes a `---` rule for front matter. This module knows nothing about routes
//! or rendering; it only says what a file claims about itself, or exactly why it cannot be read
//! (with the line, counted in the whole file).

use std::fmt;

use serde::Deserialize;

/// A calendar date, as posts are dated (`YYYY-MM-DD`). Ordered oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Reads `YYYY-MM-DD`, or a longer timestamp that starts with it (`2023-11-20T10:00:00Z`,
    /// `2023-11-20 10:00`), keeping only the date. `None` when it is not a real calendar date.
    pub fn parse(text: &str) -> Option<Date> {
        let text = text.trim();
        let head = text.get(..10)?;
        if let Some(rest) = text.get(10..) {
            if !(rest.is_empty() || rest.starts_with(['T', 't', ' '])) {
                return None;
            }
        }
        let bytes = head.as_bytes();
        if bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u16> {
            let part = head.get(range)?;
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        let year = number(0..4)?;
        let month = u8::try_from(number(5..7)?).ok()?;
        let day = u8::try_from(number(8..10)?).ok()?;
        let date = Date { year, month, day };
        let valid =
            year >= 1 && (1..=12).contains(&month) && (1..=date.days_in_month()).contains(&day);
        valid.then_some(date)
    }

    fn days_in_month(&self) -> u8 {
        let leap = (self.year % 4 == 0 && self.year % 100 != 0) || self.year % 400 == 0;
        match self.month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// What a file's front matter says. Every field is optional; unknown keys are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub date: Option<Date>,
    pub author: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub draft: bool,
    pub slug: Option<String>,
    pub toc: bool,
    pub lang: Option<String>,
    /// Routes the page was served at before (Hugo's `aliases`, Jekyll's `redirect_from`),
    /// each with a leading `/`.
    pub aliases: Vec<String>,
    /// Keys gemhole does not read that look like misspellings of one it does: (line in the
    /// file, the key, the key it likely meant).
    pub misspelt: Vec<(usize, String, &'static str)>,
}

/// The keys gemhole reads.
const KEYS: [&str; 14] = [
    "title",
    "date",
    "author",
    "authors",
    "description",
    "tags",
    "categories",
    "taxonomies",
    "draft",
    "slug",
    "toc",
    "lang",
    "aliases",
    "redirect_from",
];

/// The likely meant key for `key`, when `key` is not one gemhole reads but is one or two
/// letters away from one (`titel`, `tag`, `dat`).
fn likely_key(key: &str) -> Option<&'static str> {
    let key = key.to_lowercase();
    if KEYS.contains(&key.as_str()) {
        return None;
    }
    KEYS.iter()
        .map(|known| (distance(&key, known), *known))
        .filter(|(d, known)| *d <= 2 && *d < known.len() / 2 + 1)
        .min_by_key(|(d, _)| *d)
        .map(|(_, known)| known)
}

/// Edits (insertions, deletions, substitutions, swaps of neighbours) from `a` to `b`.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// The top-level keys of a front matter block, as written (none when it does not parse).
fn keys_of(block: &str, format: Format) -> Vec<String> {
    use std::collections::BTreeMap;
    type Keys = BTreeMap<String, serde::de::IgnoredAny>;
    let keys: Option<Keys> = match format {
        Format::Yaml => serde_yaml::from_str(block).ok(),
        Format::Toml => toml::from_str(block).ok(),
    };
    keys.map(|keys| keys.into_keys().collect())
        .unwrap_or_default()
}

/// Why a file's front matter could not be read. `line` counts from 1 in the whole file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct FrontMatterError {
    pub line: usize,
    pub message: String,
}

/// A source file split into its metadata and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    pub meta: FrontMatter,
    pub body: &'a str,
}

/// Splits `source` into front matter and body. A file without a front matter block has empty
/// metadata and the whole text as its body.
pub fn split(source: &str) -> Result<Split<'_>, FrontMatterError> {
    let located = locate(source)?;
    let meta = match located.block {
        Some((block, format)) => parse_block(block, format)?,
        None => FrontMatter::default(),
    };
    Ok(Split {
        meta,
        body: located.body,
    })
}

/// Where a source's front matter block and body are.
pub struct Located<'a> {
    pub block: Option<(&'a str, Format)>,
    pub body: &'a str,
}

/// Finds the front matter block and the body without reading the block.
pub fn locate(source: &str) -> Result<Located<'_>, FrontMatterError> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let Some((fence, format)) = [("---", Format::Yaml), ("+++", Format::Toml)]
        .into_iter()
        .find(|(fence, _)| first_line(source) == *fence)
    else {
        return Ok(Located {
            block: None,
            body: source,
        });
    };
    let after_open = source
        .find('\n')
        .map_or(source.len(), |newline| newline + 1);
    let mut offset = after_open;
    let mut line_number = 2;
    for line in source[after_open..].split_inclusive('\n') {
        if line.trim_end_matches(['\n', '\r']) == fence {
            return Ok(Located {
                block: Some((&source[after_open..offset], format)),
                body: &source[offset + line.len()..],
            });
        }
        offset += line.len();
        line_number += 1;
    }
    Err(FrontMatterError {
        line: 1,
        message: format!("front matter opened with `{fence}` is never closed by another `{fence}` line (line {})", line_number - 1),
    })
}

fn first_line(text: &str) -> &str {
    text.split('\n').next().unwrap_or("").trim_end_matches('\r')
}

/// How a front matter block is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Toml,
}

/// Front matter as the two formats may write it, before it is checked. Field types are loose on
/// purpose: writers put numbers in titles and lists or strings in tags.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawFrontMatter {
    title: Option<Scalar>,
    date: Option<RawDate>,
    author: Option<Scalar>,
    authors: Option<Vec<Scalar>>,
    description: Option<Scalar>,
    tags: Option<Tags>,
    /// Jekyll's and Hugo's: tags too, to gemhole.
    categories: Option<Tags>,
    /// Zola's `[taxonomies]` table.
    taxonomies: Option<Taxonomies>,
    draft: Option<bool>,
    slug: Option<Scalar>,
    toc: Option<bool>,
    lang: Option<Scalar>,
    aliases: Option<Tags>,
    redirect_from: Option<Tags>,
}

/// Zola's taxonomies: `tags` and `categories` are read; others are a site's own.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Taxonomies {
    tags: Option<Tags>,
    categories: Option<Tags>,
}

impl Tags {
    fn into_list(self) -> Vec<String> {
        match self {
            Tags::List(list) => list.into_iter().map(Scalar::into_text).collect(),
            Tags::Joined(joined) => joined.split(',').map(str::to_string).collect(),
        }
    }
}

/// A string, number or boolean taken as its text.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
}

impl Scalar {
    fn into_text(self) -> String {
        match self {
            Scalar::Text(text) => text,
            Scalar::Integer(n) => n.to_string(),
            Scalar::Float(x) => x.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Tags {
    List(Vec<Scalar>),
    Joined(String),
}

/// YAML gives dates as strings; TOML has a date type of its own.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawDate {
    Text(String),
    Toml(toml::value::Datetime),
}

/// How deep `[` and `{` may nest in a front matter block. No writer needs more, and the YAML
/// parser's work grows with the square of the depth: 200 KB of `{a: ` took it 9 s.
const MAX_NESTING: usize = 32;

/// The first line (counted in the block, from 0) where brackets outside quotes nest deeper
/// than [`MAX_NESTING`].
fn too_deep(block: &str) -> Option<usize> {
    let (mut depth, mut quote) = (0usize, None::<char>);
    for (number, line) in block.lines().enumerate() {
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') => break,
                (None, '[' | '{') => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Some(number);
                    }
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    None
}

/// The first line (from 0) at or before `noticed` that leaves a bracket or a quote open at its
/// end, when one does.
fn left_open(block: &str, noticed: usize) -> Option<usize> {
    let (mut depth, mut quote) = (0usize, None::<char>);
    for (number, line) in block.lines().enumerate().take(noticed + 1) {
        let open_before = depth > 0 || quote.is_some();
        // A quote opens a scalar only where a value begins (`It's` is no quote).
        let mut value_begins = true;
        for c in line.chars() {
            let begins = value_begins;
            value_begins =
                c.is_whitespace() && value_begins || matches!(c, ':' | '[' | '{' | ',' | '-');
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') if begins => quote = Some(c),
                (None, '#') => break,
                (None, '[' | '{') => depth += 1,
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        if !open_before && (depth > 0 || quote.is_some()) {
            return Some(number);
        }
    }
    None
}

/// Reads a front matter block found by [`locate`].
pub fn parse_block(block: &str, format: Format) -> Result<FrontMatter, FrontMatterError> {
    if let Some(line) = too_deep(block) {
        return Err(FrontMatterError {
            line: FIRST_LINE + line,
            message: format!(
                "front matter nests brackets more than {MAX_NESTING} deep; write it flatter"
            ),
        });
    }
    let raw = read_raw(block, format)?;
    let date = match raw.date {
        None => None,
        Some(RawDate::Text(text)) => Some(Date::parse(&text).ok_or_else(|| FrontMatterError {
            line: FIRST_LINE + key_line(block, "date"),
            message: format!("`date: {text}` is not a date; write it as YYYY-MM-DD"),
        })?),
        Some(RawDate::Toml(datetime)) => {
            let text = datetime.to_string();
            Some(Date::parse(&text).ok_or_else(|| FrontMatterError {
                line: FIRST_LINE + key_line(block, "date"),
                message: format!("`date = {text}` has no calendar date; write it as YYYY-MM-DD"),
            })?)
        }
    };
    let text = |value: Option<Scalar>| {
        value
            .map(Scalar::into_text)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let author = text(raw.author).or_else(|| {
        let names: Vec<String> = raw.authors?.into_iter().map(Scalar::into_text).collect();
        (!names.is_empty()).then(|| names.join(", "))
    });
    let taxonomies = raw.taxonomies.unwrap_or_default();
    let tags = [
        raw.tags,
        raw.categories,
        taxonomies.tags,
        taxonomies.categories,
    ];
    Ok(FrontMatter {
        title: text(raw.title),
        date,
        author,
        description: text(raw.description),
        tags: tags_of(tags),
        draft: raw.draft.unwrap_or(false),
        slug: text(raw.slug),
        toc: raw.toc.unwrap_or(false),
        lang: text(raw.lang),
        aliases: aliases_of([raw.aliases, raw.redirect_from]),
        misspelt: keys_of(block, format)
            .into_iter()
            .filter_map(|key| {
                let likely = likely_key(&key)?;
                Some((FIRST_LINE + key_line(block, &key), key, likely))
            })
            .collect(),
    })
}

/// The line of the file a front matter block starts on.
const FIRST_LINE: usize = 2;

/// The block as its format's parser reads it, or the line where it went wrong.
fn read_raw(block: &str, format: Format) -> Result<RawFrontMatter, FrontMatterError> {
    // A parser may notice an unclosed bracket only past the block's end; point at its last line.
    let last_line = FIRST_LINE + block.lines().count().saturating_sub(1);
    match format {
        Format::Yaml if block.trim().is_empty() => Ok(RawFrontMatter::default()),
        Format::Yaml => serde_yaml::from_str(block).map_err(|err| {
            let noticed = err.location().map_or(0, |l| l.line().saturating_sub(1));
            // The parser notices an unclosed bracket or quote only lines later: point at the
            // line that opened it.
            let wrong = left_open(block, noticed).unwrap_or(noticed);
            FrontMatterError {
                line: (FIRST_LINE + wrong).min(last_line),
                message: format!("front matter is not valid YAML: {}", yaml_message(&err)),
            }
        }),
        Format::Toml => toml::from_str(block).map_err(|err| FrontMatterError {
            line: (FIRST_LINE
                + err.span().map_or(0, |span| {
                    block[..span.start.min(block.len())].matches('\n').count()
                }))
            .min(last_line),
            message: format!("front matter is not valid TOML: {}", err.message()),
        }),
    }
}

/// Every tag of every list, white space folded, each once whatever its case.
fn tags_of(lists: [Option<Tags>; 4]) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for tag in lists.into_iter().flatten().flat_map(Tags::into_list) {
        let tag = tag.split_whitespace().collect::<Vec<_>>().join(" ");
        if !tag.is_empty() && seen.insert(tag.to_lowercase()) {
            tags.push(tag);
        }
    }
    tags
}

/// Old routes, each with a leading `/` (URLs to elsewhere left out).
fn aliases_of(lists: [Option<Tags>; 2]) -> Vec<String> {
    lists
        .into_iter()
        .flatten()
        .flat_map(Tags::into_list)
        .map(|alias| alias.trim().to_string())
        .filter(|alias| !alias.is_empty() && !alias.contains("://"))
        .map(|alias| match alias.starts_with('/') {
            true => alias,
            false => format!("/{alias}"),
        })
        .collect()
}

/// serde_yaml's message without its own " at line N column M" tail: we give the file's line.
fn yaml_message(err: &serde_yaml::Error) -> String {
    let message = err.to_string();
    match message.find(" at line ") {
        Some(cut) => message[..cut].to_string(),
        None => message,
    }
}

/// The 0-based line of `key` inside a front matter block, for pointing at a bad value.
fn key_line(block: &str, key: &str) -> usize {
    block
        .lines()
        .position(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with([':', '=']))
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert_eq!(
            Date::parse("2023-11-20").map(|d| d.to_string()),
            Some("2023-11-20".into())
        );
        assert_eq!(
            Date::parse("2024-02-29T08:00:00+01:00").map(|d| d.to_string()),
            Some("2024-02-29".into())
        );
        for bad in [
            "2023-02-29",
            "2023-13-01",
            "2023-00-10",
            "20231120",
            "yesterday",
            "2023-11-2x",
            "2023-11-201",
            "0000-01-01",
            "２０２３-11-20",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn yaml_front_matter_of_the_seed_post() {
        let source = "---\nauthor: Jules Spender\ntitle: Back Market Adventures\ndate: 2023-11-20\ndescription: \"Two: years\"\ntoc: false\n---\n\n# Body";
        let split = split(source).unwrap();
        assert_eq!(split.meta.title.as_deref(), Some("Back Market Adventures"));
        assert_eq!(
            split.meta.date.map(|d| d.to_string()).as_deref(),
            Some("2023-11-20")
        );
        assert_eq!(split.meta.description.as_deref(), Some("Two: years"));
        assert_eq!(split.meta.author.as_deref(), Some("Jules Spender"));
        assert!(!split.meta.toc);
        assert_eq!(split.body, "\n# Body");
    }

    #[test]
    fn toml_front_matter_with_authors_and_extra() {
        let source = "+++\ntitle = \"Zola post\"\ndate = 2024-01-02T10:00:00Z\nauthors = [\"A\", \"B\"]\ntags = [\"rust\", \"gemini\"]\n[extra]\nx = 1\n+++\nbody";
        let meta = split(source).unwrap().meta;
        assert_eq!(meta.title.as_deref(), Some("Zola post"));
        assert_eq!(
            meta.date.map(|d| d.to_string()).as_deref(),
            Some("2024-01-02")
        );
        assert_eq!(meta.author.as_deref(), Some("A, B"));
        assert_eq!(meta.tags, ["rust", "gemini"]);
    }

    #[test]
    fn tags_as_one_string_and_loose_scalars() {
        let meta = split("---\ntitle: 1984\ntags: rust, small web ,\ndraft: true\n---\n")
            .unwrap()
            .meta;
        assert_eq!(meta.title.as_deref(), Some("1984"));
        assert_eq!(meta.tags, ["rust", "small web"]);
        assert!(meta.draft);
    }

    #[test]
    fn errors_name_the_line_in_the_file() {
        let err = split("---\ntitle: ok\ndate: someday\n---\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("not a date"), "{}", err.message);

        let err = split("---\ntitle: ok\ntags: [unclosed\n---\n").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        let err = split("---\ntitle: [unclosed\ndate: 2024-01-02\n---\n").unwrap_err();
        assert_eq!(err.line, 2, "{err}");
        let err = split("---\ntitle: \"unterminated\ndate: 2024-01-02\n---\n").unwrap_err();
        assert_eq!(err.line, 2, "{err}");
        let err = split("---\ntitle: ok\ndate: : bad\n---\n").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        let err = split("---\ntitle: It's fine\ndate: : bad\n---\n").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        assert!(err.message.contains("YAML"), "{err}");

        let err = split("---\ntitle: never closed\n").unwrap_err();
        assert!(err.message.contains("never closed"), "{err}");
    }

    #[test]
    fn the_body_alone_is_found_without_reading_the_front_matter() {
        let body = |source| locate(source).map_or("", |located| located.body);
        assert_eq!(
            body("---\ntitle: [not yaml at all\n---\nthe body"),
            "the body"
        );
        assert_eq!(body("+++\ntitle = 1\n+++\nbody"), "body");
        assert_eq!(body("no front matter"), "no front matter");
        assert_eq!(body("---\nnever closed\n"), "");
    }

    #[test]
    fn a_rule_later_in_the_body_is_not_front_matter() {
        let split = split("Intro\n\n---\n\nmore").unwrap();
        assert_eq!(split.meta, FrontMatter::default());
        assert_eq!(split.body, "Intro\n\n---\n\nmore");
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let deep = format!("---\ntitle: ok\nx: {}\n---\n", "{a: ".repeat(50_000));
        let err = split(&deep).unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        assert!(err.message.contains("nests"), "{err}");
        let fine = "---\ntags: [\"[a]\", '{b}']\nextra: {a: {b: [1, 2]}}\n---\n";
        assert!(split(fine).is_ok());
    }

    #[test]
    fn taxonomies_and_old_routes_from_other_generators() {
        let jekyll = split("---\ncategories: [Rust, web]\ntags: rust\nredirect_from: /old/\n---\n")
            .unwrap()
            .meta;
        assert_eq!(jekyll.tags, ["rust", "web"]);
        assert_eq!(jekyll.aliases, ["/old/"]);
        let zola = split("+++\n[taxonomies]\ntags = [\"a\", \"b\"]\n+++\n")
            .unwrap()
            .meta;
        assert_eq!(zola.tags, ["a", "b"]);
        let hugo = split("---\naliases: [old-name, /posts/older/]\n---\n")
            .unwrap()
            .meta;
        assert_eq!(hugo.aliases, ["/old-name", "/posts/older/"]);
    }

    #[test]
    fn keys_close_to_ours_are_named_and_other_generators_keys_are_not() {
        let meta =
            split("---\ntitel: T\ntag: [a]\ndat: 2024-01-01\nlayout: post\nweight: 3\n---\n")
                .unwrap()
                .meta;
        assert_eq!(
            meta.misspelt,
            [
                (4, "dat".to_string(), "date"),
                (3, "tag".to_string(), "tags"),
                (2, "titel".to_string(), "title"),
            ]
        );
    }

    #[test]
    fn crlf_files_are_read_too() {
        let split = split("---\r\ntitle: Windows\r\n---\r\nbody").unwrap();
        assert_eq!(split.meta.title.as_deref(), Some("Windows"));
        assert_eq!(split.body, "body");
    }
}
