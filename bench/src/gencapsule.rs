//! `gencapsule`: writes a synthetic capsule of `--posts N` markdown posts for measuring how
//! gemhole behaves with a big blog.
//!
//! The capsule is what a long-running blog looks like: `posts/YYYY-MM-DD-slug.md` files dated
//! over thirteen years, YAML front matter (title, date, author, usually a description, one to
//! four tags out of forty, about 1% drafts, a few tables of contents), bodies of 2 to 12 KiB
//! (mostly 3 to 6, and one in two hundred of about 100 KiB) made of English-like paragraphs,
//! headings, lists, code, quotes, tables, images, footnotes and links out and to other posts;
//! plus `about.md` and the figures posts show. The same `--seed` writes the same bytes.

mod prose;
mod rng;

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{ensure, Context};
use clap::Parser;

use prose::{capitalized, Vocabulary, Writer, FIGURES};
use rng::{Rng, Zipf};

/// Posts are dated from January 1st of this year …
const FIRST_YEAR: u32 = 2012;
/// … to December 31st of this one.
const LAST_YEAR: u32 = 2024;
const DRAFT_SHARE: f64 = 0.01;
const LONG_POST_SHARE: f64 = 0.005;
const TOC_SHARE: f64 = 0.04;
const DESCRIPTION_SHARE: f64 = 0.9;
/// Posts whose body opens with `# Title`, as many markdown blogs do.
const TITLE_HEADING_SHARE: f64 = 0.25;
/// Body sizes in bytes, each range with its weight (long posts apart).
const BODY_SIZES: &[(usize, usize, u32)] = &[(2048, 3072, 15), (3072, 6144, 60), (6144, 12288, 25)];
const LONG_BODY: (usize, usize) = (92 * 1024, 108 * 1024);
const ABOUT_BODY: usize = 3 * 1024;

/// Generator streams: each purpose draws from its own sequence, so that one changing leaves
/// the others as they were.
const STREAM_PLAN: u64 = 1;
const STREAM_POST: u64 = 2;
const STREAM_ABOUT: u64 = 3;

/// The first author writes most posts; guests write the others.
const AUTHORS: &[(&str, u32)] = &[
    ("Jules Spender", 80),
    ("Ada Marsh", 8),
    ("Tomás Ferreira", 6),
    ("Noor Haddad", 4),
    ("Kim Lindqvist", 2),
];
/// Forty tags, most used first.
const TAGS: &[&str] = &[
    "rust",
    "linux",
    "self-hosting",
    "small web",
    "gemini",
    "gopher",
    "programming",
    "python",
    "books",
    "music",
    "travel",
    "photography",
    "cooking",
    "gardening",
    "cycling",
    "networking",
    "security",
    "databases",
    "performance",
    "tools",
    "writing",
    "life",
    "work",
    "hardware",
    "repair",
    "privacy",
    "open source",
    "emacs",
    "vim",
    "shell",
    "retro computing",
    "games",
    "film",
    "hiking",
    "coffee",
    "languages",
    "mathematics",
    "history",
    "design",
    "weeknotes",
];
const TAG_EXPONENT: f64 = 0.9;

/// Writes a synthetic capsule of markdown posts (deterministic for a seed).
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// Number of posts to write.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    posts: u64,
    /// The capsule folder; its `posts/` must be missing or empty.
    #[arg(long)]
    out: PathBuf,
    /// Seed of the generator: the same seed writes the same capsule.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// Errors end the program with one line (causes included) and exit status 1.
fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("gencapsule: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let posts = usize::try_from(cli.posts).context("--posts is too large for this machine")?;
    let vocabulary = Vocabulary::new();
    let capsule = Capsule::plan(&vocabulary, posts, cli.seed);
    let written = capsule.write(&cli.out)?;
    println!(
        "gencapsule: {} posts ({} drafts, {} long), 1 page, {FIGURES} figures: {} files, {} bytes in {} (seed {}, {} words)",
        posts,
        capsule.posts.iter().filter(|p| p.draft).count(),
        written.long_posts,
        written.files,
        written.bytes,
        cli.out.display(),
        cli.seed,
        vocabulary.word_count(),
    );
    Ok(())
}

/// A day of the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Date {
    year: u32,
    month: u32,
    day: u32,
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn is_leap(year: u32) -> bool {
    match (year % 4, year % 100, year % 400) {
        (_, _, 0) => true,
        (_, 0, _) => false,
        (leap, _, _) => leap == 0,
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from January 1st of [`FIRST_YEAR`] to December 31st of [`LAST_YEAR`], both included.
fn days_in_range() -> u32 {
    (FIRST_YEAR..=LAST_YEAR)
        .map(|year| if is_leap(year) { 366 } else { 365 })
        .sum()
}

/// The date `days` days after January 1st of [`FIRST_YEAR`].
fn date_after(mut days: u32) -> Date {
    let mut year = FIRST_YEAR;
    loop {
        let length = if is_leap(year) { 366 } else { 365 };
        if days < length {
            break;
        }
        days -= length;
        year += 1;
    }
    let mut month = 1;
    while days >= days_in_month(year, month) {
        days -= days_in_month(year, month);
        month += 1;
    }
    Date {
        year,
        month,
        day: days + 1,
    }
}

/// A title as a route name: lower-case letters and digits, words joined by `-`.
fn slugify(title: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        "post".to_string()
    } else {
        words.join("-")
    }
}

/// `slug`, or `slug-2`, `slug-3` … : the first not in `taken`, which then holds it. Routes come
/// from slugs alone, so two posts of different days must still differ.
fn unique_slug(slug: String, taken: &mut HashSet<String>) -> String {
    let mut candidate = slug.clone();
    let mut number = 2;
    while taken.contains(&candidate) {
        candidate = format!("{slug}-{number}");
        number += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

/// What is decided about a post before any is written, so that posts can link to each other.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PostPlan {
    date: Date,
    title: String,
    /// `YYYY-MM-DD-slug.md`.
    file_name: String,
    draft: bool,
}

/// Every post's plan, and the vocabulary their bodies are written with.
struct Capsule<'a> {
    vocabulary: &'a Vocabulary,
    seed: u64,
    posts: Vec<PostPlan>,
    /// File names of the posts that are not drafts: what links may point to.
    link_targets: Vec<String>,
}

/// What [`Capsule::write`] wrote.
#[derive(Debug, Default, PartialEq, Eq)]
struct Written {
    files: u64,
    bytes: u64,
    long_posts: u64,
}

impl<'a> Capsule<'a> {
    fn plan(vocabulary: &'a Vocabulary, count: usize, seed: u64) -> Self {
        let no_links: [String; 0] = [];
        let mut titles = Writer::new(vocabulary, Rng::derive(seed, STREAM_PLAN, 0), &no_links);
        let days = days_in_range() as usize;
        let mut taken = HashSet::new();
        let posts: Vec<PostPlan> = (0..count)
            .map(|_| {
                let title = titles.title();
                let rng = titles.rng();
                let date = date_after(rng.below(days) as u32);
                let draft = rng.chance(DRAFT_SHARE);
                let slug = unique_slug(slugify(&title), &mut taken);
                PostPlan {
                    file_name: format!("{date}-{slug}.md"),
                    date,
                    title,
                    draft,
                }
            })
            .collect();
        let link_targets = posts
            .iter()
            .filter(|post| !post.draft)
            .map(|post| post.file_name.clone())
            .collect();
        Capsule {
            vocabulary,
            seed,
            posts,
            link_targets,
        }
    }

    /// Post `index`'s markdown, and whether it is one of the long ones.
    fn post_markdown(&self, index: usize) -> (String, bool) {
        let post = &self.posts[index];
        let rng = Rng::derive(self.seed, STREAM_POST, index as u64);
        let mut writer = Writer::new(self.vocabulary, rng, &self.link_targets);
        let mut front = String::from("---\n");
        front.push_str(&format!("title: {}\n", yaml_string(&post.title)));
        front.push_str(&format!("date: {}\n", post.date));
        let author = AUTHORS[writer.rng().weighted(&author_weights())].0;
        front.push_str(&format!("author: {author}\n"));
        if writer.rng().chance(DESCRIPTION_SHARE) {
            let description = writer.description();
            front.push_str(&format!("description: {}\n", yaml_string(&description)));
        }
        let tags = pick_tags(writer.rng());
        if writer.rng().chance(0.5) {
            front.push_str(&format!("tags: [{}]\n", tags.join(", ")));
        } else {
            front.push_str("tags:\n");
            for tag in &tags {
                front.push_str(&format!("  - {tag}\n"));
            }
        }
        if writer.rng().chance(TOC_SHARE) {
            front.push_str("toc: true\n");
        }
        if post.draft {
            front.push_str("draft: true\n");
        }
        front.push_str("---\n\n");
        let long = writer.rng().chance(LONG_POST_SHARE);
        let size = body_size(writer.rng(), long);
        let heading = writer.rng().chance(TITLE_HEADING_SHARE);
        let body = writer.body(heading.then_some(post.title.as_str()), size);
        front.push_str(&body);
        (front, long)
    }

    /// `about.md`: a page about the blog, linking to a few posts.
    fn about_markdown(&self) -> String {
        let targets: Vec<String> = self
            .link_targets
            .iter()
            .take(50)
            .map(|name| format!("posts/{name}"))
            .collect();
        let rng = Rng::derive(self.seed, STREAM_ABOUT, 0);
        let mut writer = Writer::new(self.vocabulary, rng, &targets);
        let description = writer.description();
        let body = writer.body(None, ABOUT_BODY);
        format!(
            "---\ntitle: About\nauthor: {}\ndescription: {}\n---\n\n{body}",
            AUTHORS[0].0,
            yaml_string(&description)
        )
    }

    /// Writes the capsule into `out`, whose `posts/` must be missing or empty.
    fn write(&self, out: &Path) -> anyhow::Result<Written> {
        let posts_dir = out.join("posts");
        let images_dir = out.join("images");
        if let Ok(mut entries) = fs::read_dir(&posts_dir) {
            ensure!(
                entries.next().is_none(),
                "{} is not empty: give --out a new folder",
                posts_dir.display()
            );
        }
        for dir in [&posts_dir, &images_dir] {
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let mut written = Written::default();
        let mut save = |path: PathBuf, contents: &[u8]| -> anyhow::Result<()> {
            fs::write(&path, contents)
                .with_context(|| format!("cannot write {}", path.display()))?;
            written.files += 1;
            written.bytes += contents.len() as u64;
            Ok(())
        };
        let mut long_posts = 0;
        for (index, post) in self.posts.iter().enumerate() {
            let (markdown, long) = self.post_markdown(index);
            long_posts += u64::from(long);
            save(posts_dir.join(&post.file_name), markdown.as_bytes())?;
        }
        save(out.join("about.md"), self.about_markdown().as_bytes())?;
        for figure in 0..FIGURES {
            let path = images_dir.join(format!("figure-{figure}.svg"));
            save(path, figure_svg(figure).as_bytes())?;
        }
        written.long_posts = long_posts;
        Ok(written)
    }
}

fn author_weights() -> Vec<u32> {
    AUTHORS.iter().map(|(_, weight)| *weight).collect()
}

/// One to four distinct tags, the popular ones more often.
fn pick_tags(rng: &mut Rng) -> Vec<&'static str> {
    let law = Zipf::new(TAGS.len(), TAG_EXPONENT, 1.0);
    let wanted = rng.between(1, 4);
    let mut tags: Vec<&'static str> = Vec::new();
    while tags.len() < wanted {
        let tag = TAGS[law.sample(rng)];
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}

/// A body size in bytes: ~100 KiB for a long post, else from [`BODY_SIZES`].
fn body_size(rng: &mut Rng, long: bool) -> usize {
    if long {
        return rng.between(LONG_BODY.0, LONG_BODY.1);
    }
    let weights: Vec<u32> = BODY_SIZES.iter().map(|(_, _, weight)| *weight).collect();
    let (low, high, _) = BODY_SIZES[rng.weighted(&weights)];
    rng.between(low, high)
}

/// A double-quoted YAML string.
fn yaml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A small SVG picture, different for each number.
fn figure_svg(number: usize) -> String {
    let hue = number * 360 / FIGURES;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"320\" height=\"200\">\
         <rect width=\"320\" height=\"200\" fill=\"hsl({hue},60%,70%)\"/>\
         <text x=\"20\" y=\"110\" font-size=\"32\">{}</text></svg>\n",
        capitalized(&format!("figure {number}"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_cover_the_years_day_by_day() {
        let date = |y, m, d| Date {
            year: y,
            month: m,
            day: d,
        };
        assert_eq!(date_after(0), date(FIRST_YEAR, 1, 1));
        assert_eq!(date_after(59), date(2012, 2, 29));
        assert_eq!(date_after(366), date(2013, 1, 1));
        assert_eq!(date_after(days_in_range() - 1), date(LAST_YEAR, 12, 31));
        assert_eq!(date(2019, 3, 4).to_string(), "2019-03-04");
        assert!(is_leap(2000) && !is_leap(1900) && !is_leap(2023));
    }

    #[test]
    fn slugs_are_route_names_and_unique() {
        assert_eq!(slugify("Notes on the Small Web"), "notes-on-the-small-web");
        assert_eq!(slugify("Code Data: the Old Café"), "code-data-the-old-café");
        assert_eq!(slugify("?!"), "post");
        let mut taken = HashSet::new();
        assert_eq!(unique_slug("a".into(), &mut taken), "a");
        assert_eq!(unique_slug("a".into(), &mut taken), "a-2");
        assert_eq!(unique_slug("a".into(), &mut taken), "a-3");
        assert_eq!(unique_slug("a-2-x".into(), &mut taken), "a-2-x");
    }

    #[test]
    fn the_same_seed_writes_the_same_capsule() {
        let vocabulary = Vocabulary::new();
        let markdown = |seed| {
            let capsule = Capsule::plan(&vocabulary, 40, seed);
            let mut all: Vec<String> = (0..40).map(|i| capsule.post_markdown(i).0).collect();
            all.push(capsule.about_markdown());
            (capsule.posts, all)
        };
        assert_eq!(markdown(5), markdown(5));
        assert_ne!(markdown(5).1, markdown(6).1);
    }

    #[test]
    fn posts_are_named_dated_and_shaped_like_a_blog() {
        let vocabulary = Vocabulary::new();
        let capsule = Capsule::plan(&vocabulary, 2000, 1);
        let drafts = capsule.posts.iter().filter(|p| p.draft).count();
        assert!((5..=40).contains(&drafts), "{drafts} drafts");
        let mut slugs = HashSet::new();
        for post in &capsule.posts {
            // The route gemhole gives it: the file name without `.md` and the date.
            let stem = post.file_name.strip_suffix(".md").unwrap();
            let (date, slug) = stem.split_at(11);
            assert_eq!(date, format!("{}-", post.date));
            assert!(slugs.insert(slug.to_string()), "{slug} twice");
            assert!(slug.chars().all(|c| c.is_alphanumeric() || c == '-'));
        }
        let mut sizes = Vec::new();
        for index in 0..200 {
            let (markdown, _) = capsule.post_markdown(index);
            let (front, body) = markdown[4..].split_once("\n---\n\n").unwrap();
            assert!(front.contains("\ndate: ") && front.contains("\nauthor: "));
            assert!(front.contains("tags:"));
            assert_eq!(front.contains("draft: true"), capsule.posts[index].draft);
            sizes.push(body.len());
        }
        sizes.sort_unstable();
        let median = sizes[sizes.len() / 2];
        assert!(
            (3 * 1024..6 * 1024).contains(&median),
            "median body {median}"
        );
        assert!(sizes[0] >= 2048);
    }

    #[test]
    fn tags_are_one_to_four_distinct() {
        let mut rng = Rng::new(9);
        for _ in 0..500 {
            let tags = pick_tags(&mut rng);
            assert!((1..=4).contains(&tags.len()));
            let distinct: HashSet<_> = tags.iter().collect();
            assert_eq!(distinct.len(), tags.len());
        }
        assert_eq!(TAGS.len(), 40);
    }

    #[test]
    fn yaml_strings_are_quoted() {
        assert_eq!(yaml_string("a: \"b\" \\"), "\"a: \\\"b\\\" \\\\\"");
    }
}
