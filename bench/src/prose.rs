//! English-like markdown for `gencapsule`: a vocabulary of a few thousand words and a writer
//! that turns it into posts with the mix a blog has.
//!
//! The vocabulary is common English (function words, and a few hundred nouns, verbs, adjectives
//! and adverbs, most frequent first) followed by pronounceable made-up words, drawn with a Zipf
//! law: searching for `time` or `server` hits most posts, a made-up word a handful. It is the
//! same for every seed, so a benchmark can search for known words. Sentences follow a small
//! grammar (subject, verb, object, prepositional phrases, a second clause), so that markdown
//! parsers and search see word lengths, punctuation and markup as in real prose.

use std::collections::HashSet;

use crate::rng::{Rng, Zipf};

/// The vocabulary's own seed: it does not change with `--seed`.
const VOCABULARY_SEED: u64 = 0x0067_656d_686f_6c65;
const MADE_UP_NOUNS: usize = 2200;
const MADE_UP_VERBS: usize = 350;
const MADE_UP_ADJECTIVES: usize = 350;
/// The word frequency law: steeper than 1 so that made-up words stay a minority of what is
/// read (about a fifth of nouns), and an offset so that `time` is 4% of nouns, not 30%.
const ZIPF_EXPONENT: f64 = 1.3;
const ZIPF_OFFSET: f64 = 8.0;

const DETERMINERS: &[&str] = &[
    "the", "the", "the", "the", "a", "a", "this", "that", "my", "our", "every", "some", "its",
    "their", "each", "another", "one", "no", "any", "your",
];
const PRONOUNS: &[&str] = &[
    "I", "I", "I", "we", "we", "you", "they", "it", "it", "she", "he", "someone", "nobody",
    "everyone", "nothing",
];
const PREPOSITIONS: &[&str] = &[
    "of", "of", "in", "in", "on", "with", "with", "for", "for", "to", "from", "about", "over",
    "after", "before", "without", "between", "through", "under", "into", "behind", "across",
    "during", "around", "like", "against", "near", "beyond",
];
const CONJUNCTIONS: &[&str] = &[
    "and",
    "and",
    "and",
    "but",
    "but",
    "or",
    "so",
    "because",
    "while",
    "when",
    "although",
    "since",
    "until",
    "unless",
    "where",
    "and then",
    "even though",
    "as if",
];
const ADVERBS: &str = "\
    really finally never always often still already almost simply quickly slowly rarely \
    carefully suddenly mostly probably clearly honestly quietly eventually somehow again \
    together actually barely gladly happily badly merely openly";
const NOUNS: &str = "\
    time people year way day thing code data server world life work system project problem \
    idea book note post blog page file folder text word line list machine computer network \
    protocol client request answer question language program library tool test bug error \
    feature release version change commit branch garden kitchen coffee morning evening night \
    week month city train station street house room window door table chair bicycle road \
    mountain river sea forest tree rain snow wind sun moon star music song album record film \
    photo camera picture story friend family team company office meeting email phone screen \
    keyboard terminal editor shell script command process memory disk cache index search feed \
    link site capsule hole web internet browser document format markdown config setting option \
    key certificate password account user reader writer author letter paper pen map journey \
    trip holiday market shop price money budget plan goal habit routine plant flower seed soil \
    bread soup recipe dinner lunch breakfast tea wine game player rule score light sound noise \
    silence voice hand eye head heart mind body health sleep dream hour minute moment history \
    future past century decade weekend winter summer spring autumn island village bridge tower \
    museum school teacher student lesson course exam class theory practice experiment result \
    number graph chart model pattern design interface layer stack queue thread lock signal \
    socket port address packet router cable battery laptop device repair backup archive tag \
    category draft title summary chapter section paragraph sentence footnote quote database \
    query latency throughput benchmark compiler kernel driver container cluster deployment \
    migration monolith service framework pipeline function variable module crate package \
    dependency license community";
const VERBS: &str = "\
    built wrote found moved tried used made kept broke fixed tested shipped read started \
    learned changed ran needed wanted measured opened closed lost missed saw heard liked loved \
    hated replaced rewrote deleted copied moved planted cooked baked carried followed visited \
    explained described remembered forgot noticed watched shared published released deployed \
    configured installed compiled profiled debugged removed added renamed sorted counted \
    cleaned painted drew sent received answered asked told showed gave took bought sold \
    borrowed returned finished began walked cycled climbed crossed reached left met joined \
    served cached indexed searched parsed rendered wrapped split merged";
const ADJECTIVES: &str = "\
    small new old good simple fast slow quiet strange long short early late local remote open \
    free broken clean heavy light warm cold tiny large whole public private personal daily \
    weekly modern ancient plain rich careful lazy clever honest stable fragile useful useless \
    obvious hidden cheap expensive green blue red grey bright dark empty full busy calm noisy \
    gentle rough smooth sharp soft hard easy difficult strict loose wild tame real fake \
    familiar foreign recent patient boring exciting tired happy sad curious secret final first \
    last next main little big great tidy messy generous minimal verbose terse concurrent \
    asynchronous static dynamic tiny huge reliable";
const ONSETS: &[&str] = &[
    "b", "br", "c", "cl", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k", "l", "m", "n", "p", "pl",
    "qu", "r", "s", "sh", "sp", "st", "t", "th", "tr", "v", "w", "z",
];
const VOWELS: &[&str] = &[
    "a", "e", "i", "o", "u", "a", "e", "o", "ai", "ea", "ou", "ee",
];
const CODAS: &[&str] = &[
    "", "", "", "n", "r", "l", "s", "m", "nd", "rt", "st", "x", "ck",
];
const NOUN_ENDINGS: &[&str] = &[
    "", "", "", "er", "ment", "ity", "ness", "ion", "ling", "ism",
];
const VERB_ENDINGS: &[&str] = &["ed", "ated", "ized", "ened", "ed"];
const ADJECTIVE_ENDINGS: &[&str] = &["ous", "al", "ive", "ic", "ish", "ful", "y", "less"];

/// Sites external links point to, with the shape of their paths.
const LINK_HOSTS: &[&str] = &[
    "https://en.wikipedia.org/wiki/",
    "https://github.com/",
    "https://example.org/notes/",
    "https://www.rust-lang.org/learn/",
    "https://lobste.rs/s/",
    "https://news.ycombinator.com/item?id=",
    "https://geminiprotocol.net/docs/",
    "https://blog.example.net/",
];
const IMAGE_HOSTS: &[&str] = &["https://images.example.org/", "https://photos.example.net/"];
const CODE_LANGUAGES: &[&str] = &["rust", "python", "sh", "toml", "json", "go", ""];

/// How many local figures (`images/figure-N.svg`) posts may show.
pub const FIGURES: usize = 12;

/// Words by part of speech, each list most frequent first, with their frequency laws.
#[derive(Debug)]
pub struct Vocabulary {
    /// Distinct words, function words included.
    word_count: usize,
    adverbs: Vec<&'static str>,
    nouns: Vec<String>,
    verbs: Vec<String>,
    adjectives: Vec<String>,
    noun_law: Zipf,
    verb_law: Zipf,
    adjective_law: Zipf,
}

impl Vocabulary {
    /// The one vocabulary: the real words, then made-up ones, none repeated.
    pub fn new() -> Self {
        let mut rng = Rng::new(VOCABULARY_SEED);
        let mut seen: HashSet<String> = HashSet::new();
        for list in [DETERMINERS, PRONOUNS, PREPOSITIONS, CONJUNCTIONS] {
            seen.extend(list.iter().map(|w| w.to_string()));
        }
        let adverbs: Vec<&'static str> = ADVERBS.split_whitespace().collect();
        seen.extend(adverbs.iter().map(|w| w.to_string()));
        let mut part = |real: &str, made_up: usize, endings: &[&str]| {
            let mut words: Vec<String> = Vec::new();
            for word in real.split_whitespace() {
                if seen.insert(word.to_string()) {
                    words.push(word.to_string());
                }
            }
            let wanted = words.len() + made_up;
            while words.len() < wanted {
                let word = made_up_word(&mut rng, endings);
                if seen.insert(word.clone()) {
                    words.push(word);
                }
            }
            words
        };
        let nouns = part(NOUNS, MADE_UP_NOUNS, NOUN_ENDINGS);
        let verbs = part(VERBS, MADE_UP_VERBS, VERB_ENDINGS);
        let adjectives = part(ADJECTIVES, MADE_UP_ADJECTIVES, ADJECTIVE_ENDINGS);
        Vocabulary {
            word_count: seen.len(),
            noun_law: Zipf::new(nouns.len(), ZIPF_EXPONENT, ZIPF_OFFSET),
            verb_law: Zipf::new(verbs.len(), ZIPF_EXPONENT, ZIPF_OFFSET),
            adjective_law: Zipf::new(adjectives.len(), ZIPF_EXPONENT, ZIPF_OFFSET),
            adverbs,
            nouns,
            verbs,
            adjectives,
        }
    }

    /// Every distinct word, the function words included.
    pub fn word_count(&self) -> usize {
        self.word_count
    }

    pub fn noun(&self, rng: &mut Rng) -> &str {
        &self.nouns[self.noun_law.sample(rng)]
    }

    fn verb(&self, rng: &mut Rng) -> &str {
        &self.verbs[self.verb_law.sample(rng)]
    }

    pub fn adjective(&self, rng: &mut Rng) -> &str {
        &self.adjectives[self.adjective_law.sample(rng)]
    }
}

/// A pronounceable word of two or three syllables and one of `endings`.
fn made_up_word(rng: &mut Rng, endings: &[&str]) -> String {
    let mut word = String::new();
    for _ in 0..rng.between(2, 3) {
        word.push_str(rng.pick(ONSETS));
        word.push_str(rng.pick(VOWELS));
        if rng.chance(0.4) {
            word.push_str(rng.pick(CODAS));
        }
    }
    word.push_str(rng.pick(endings));
    word
}

/// `text` with its first letter in upper case (after any markup such as `[` or `*`).
pub fn capitalized(text: &str) -> String {
    match text.char_indices().find(|(_, c)| c.is_alphabetic()) {
        Some((at, first)) => {
            let rest = &text[at + first.len_utf8()..];
            format!("{}{}{rest}", &text[..at], first.to_uppercase())
        }
        None => text.to_string(),
    }
}

/// "a" or "an" before `word`, by its first letter.
fn article_for(word: &str) -> &'static str {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// Writes one post's or page's markdown with its own generator.
pub struct Writer<'a> {
    vocabulary: &'a Vocabulary,
    rng: Rng,
    /// Paths of the posts a link may point to, relative to the file being written
    /// (`YYYY-MM-DD-slug.md` from another post); drafts are not among them.
    link_targets: &'a [String],
    /// Footnote definitions to append at the end of the body.
    notes: Vec<String>,
}

/// Kinds of block after the opening, with their weights in [`Writer::body`].
const BLOCKS: &[(Block, u32)] = &[
    (Block::Paragraph, 52),
    (Block::Heading2, 9),
    (Block::Heading3, 4),
    (Block::Bullets, 8),
    (Block::Numbered, 4),
    (Block::Code, 7),
    (Block::Quote, 4),
    (Block::Image, 3),
    (Block::Table, 2),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Paragraph,
    Heading2,
    Heading3,
    Bullets,
    Numbered,
    Code,
    Quote,
    Image,
    Table,
}

impl<'a> Writer<'a> {
    pub fn new(vocabulary: &'a Vocabulary, rng: Rng, link_targets: &'a [String]) -> Self {
        Writer {
            vocabulary,
            rng,
            link_targets,
            notes: Vec::new(),
        }
    }

    /// The generator, for the caller's own choices after the body is written.
    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    /// A title of three to eight words, in title case.
    pub fn title(&mut self) -> String {
        let v = self.vocabulary;
        let r = &mut self.rng;
        let words = match r.below(6) {
            0 => format!(
                "{} {} {} the {}",
                v.adjective(r),
                v.noun(r),
                r.pick(PREPOSITIONS),
                v.noun(r)
            ),
            1 => format!("how I {} my {}", v.verb(r), v.noun(r)),
            2 => format!("notes on {} {}", v.adjective(r), v.noun(r)),
            3 => format!(
                "{} {}: the {} {}",
                v.noun(r),
                v.noun(r),
                v.adjective(r),
                v.noun(r)
            ),
            4 => format!(
                "a {} {} {} {}",
                v.adjective(r),
                v.noun(r),
                r.pick(PREPOSITIONS),
                v.noun(r)
            ),
            _ => format!("the {} and the {}", v.noun(r), v.noun(r)),
        };
        title_case(&words)
    }

    /// One sentence, for a description.
    pub fn description(&mut self) -> String {
        self.sentence(false)
    }

    /// A body of at least `target` bytes: an optional `# title`, paragraphs, and the other
    /// blocks in blog-like proportions, footnote definitions last.
    pub fn body(&mut self, title: Option<&str>, target: usize) -> String {
        let mut out = String::with_capacity(target + 2048);
        if let Some(title) = title {
            out.push_str("# ");
            out.push_str(title);
            out.push_str("\n\n");
        }
        for _ in 0..self.rng.between(1, 3) {
            self.paragraph(&mut out);
        }
        let weights: Vec<u32> = BLOCKS.iter().map(|(_, weight)| *weight).collect();
        let mut since_heading = 0;
        while out.len() < target {
            let block = BLOCKS[self.rng.weighted(&weights)].0;
            let is_heading = matches!(block, Block::Heading2 | Block::Heading3);
            // A heading needs some text under the one before.
            if is_heading && since_heading < 3 {
                self.paragraph(&mut out);
                since_heading += 1;
                continue;
            }
            since_heading = if is_heading { 0 } else { since_heading + 1 };
            match block {
                Block::Paragraph => self.paragraph(&mut out),
                Block::Heading2 => self.heading(&mut out, "##"),
                Block::Heading3 => self.heading(&mut out, "###"),
                Block::Bullets => self.list(&mut out, false),
                Block::Numbered => self.list(&mut out, true),
                Block::Code => self.code(&mut out),
                Block::Quote => self.quote(&mut out),
                Block::Image => self.image(&mut out),
                Block::Table => self.table(&mut out),
            }
        }
        for note in std::mem::take(&mut self.notes) {
            out.push_str(&note);
            out.push('\n');
        }
        out
    }

    fn paragraph(&mut self, out: &mut String) {
        for index in 0..self.rng.between(2, 7) {
            if index > 0 {
                out.push(' ');
            }
            let sentence = self.sentence(true);
            out.push_str(&sentence);
        }
        out.push_str("\n\n");
    }

    /// A sentence of one or two clauses; with `markup`, some words become emphasis, code,
    /// links or footnote references.
    fn sentence(&mut self, markup: bool) -> String {
        let mut text = self.clause(markup);
        if self.rng.chance(0.35) {
            text.push_str(", ");
            text.push_str(self.rng.pick(CONJUNCTIONS));
            text.push(' ');
            let second = self.clause(markup);
            text.push_str(&second);
        }
        if markup && self.notes.len() < 4 && self.rng.chance(0.012) {
            let number = self.notes.len() + 1;
            text.push_str(&format!("[^{number}]"));
            let note = self.sentence(false);
            self.notes.push(format!("[^{number}]: {note}"));
        }
        let end = match self.rng.below(100) {
            0..=86 => '.',
            87..=95 => '?',
            _ => '!',
        };
        text.push(end);
        capitalized(&text)
    }

    /// Subject, verb, object and up to two prepositional phrases.
    fn clause(&mut self, markup: bool) -> String {
        let mut words: Vec<String> = Vec::new();
        if self.rng.chance(0.5) {
            words.push(self.rng.pick(PRONOUNS).to_string());
        } else {
            self.noun_phrase(&mut words);
        }
        if self.rng.chance(0.15) {
            words.push(self.rng.pick(&self.vocabulary.adverbs).to_string());
        }
        words.push(self.vocabulary.verb(&mut self.rng).to_string());
        self.noun_phrase(&mut words);
        for _ in 0..self.rng.below(3) {
            words.push(self.rng.pick(PREPOSITIONS).to_string());
            self.noun_phrase(&mut words);
        }
        if markup {
            self.decorate(&mut words);
        }
        words.join(" ")
    }

    fn noun_phrase(&mut self, words: &mut Vec<String>) {
        let adjective = self
            .rng
            .chance(0.3)
            .then(|| self.vocabulary.adjective(&mut self.rng).to_string());
        let noun = self.vocabulary.noun(&mut self.rng).to_string();
        let next = adjective.as_deref().unwrap_or(&noun);
        let determiner = match self.rng.pick(DETERMINERS) {
            "a" => article_for(next),
            other => other,
        };
        words.push(determiner.to_string());
        words.extend(adjective);
        words.push(noun);
    }

    /// Inline markup over some of a clause's words.
    fn decorate(&mut self, words: &mut [String]) {
        let last = words.len() - 1;
        let r = &mut self.rng;
        if r.chance(0.06) {
            let at = r.below(words.len());
            words[at] = format!("*{}*", words[at]);
        } else if r.chance(0.03) {
            let at = r.below(words.len());
            words[at] = format!("**{}**", words[at]);
        } else if r.chance(0.04) {
            let at = r.below(words.len());
            words[at] = format!("`{}`", words[at]);
        }
        let link = match r.below(100) {
            0..=5 => Some(self.external_url()),
            6..=8 if !self.link_targets.is_empty() => {
                Some(self.link_targets[self.rng.below(self.link_targets.len())].clone())
            }
            _ => None,
        };
        if let Some(url) = link {
            let start = self.rng.below(words.len());
            let end = (start + self.rng.below(3)).min(last);
            let (first, rest) = (words[start].clone(), words[end].clone());
            if first.contains(['*', '`']) || rest.contains(['*', '`']) {
                return;
            }
            words[start] = format!("[{first}");
            words[end] = format!("{}]({url})", words[end]);
        }
    }

    fn external_url(&mut self) -> String {
        let host = self.rng.pick(LINK_HOSTS);
        let noun = self.vocabulary.noun(&mut self.rng).to_string();
        if host.ends_with('=') {
            format!("{host}{}", self.rng.between(1_000_000, 40_000_000))
        } else if host.contains("wikipedia") {
            format!("{host}{}", capitalized(&noun))
        } else {
            let adjective = self.vocabulary.adjective(&mut self.rng);
            format!("{host}{adjective}-{noun}")
        }
    }

    fn heading(&mut self, out: &mut String, marks: &str) {
        let v = self.vocabulary;
        let r = &mut self.rng;
        let text = match r.below(4) {
            0 => format!("the {} {}", v.adjective(r), v.noun(r)),
            1 => format!("what I {} about the {}", v.verb(r), v.noun(r)),
            2 => format!("{} and {}", v.noun(r), v.noun(r)),
            _ => format!("{} {} {}", v.noun(r), r.pick(PREPOSITIONS), v.noun(r)),
        };
        out.push_str(&format!("{marks} {}\n\n", title_case(&text)));
    }

    fn list(&mut self, out: &mut String, numbered: bool) {
        for index in 1..=self.rng.between(3, 7) {
            let item = if self.rng.chance(0.5) {
                let mut words = Vec::new();
                self.noun_phrase(&mut words);
                self.decorate(&mut words);
                capitalized(&words.join(" "))
            } else {
                self.sentence(true)
            };
            if numbered {
                out.push_str(&format!("{index}. {item}\n"));
            } else {
                out.push_str(&format!("- {item}\n"));
                if self.rng.chance(0.1) {
                    let mut words = Vec::new();
                    self.noun_phrase(&mut words);
                    out.push_str(&format!("  - {}\n", words.join(" ")));
                }
            }
        }
        out.push('\n');
    }

    fn code(&mut self, out: &mut String) {
        let language = self.rng.pick(CODE_LANGUAGES);
        out.push_str(&format!("```{language}\n"));
        for _ in 0..self.rng.between(3, 18) {
            let line = self.code_line(language);
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str("```\n\n");
    }

    /// A line that looks like `language`: identifiers from the vocabulary, numbers, strings.
    fn code_line(&mut self, language: &str) -> String {
        let a = self.identifier();
        let b = self.identifier();
        let n = self.rng.below(10_000);
        let indent = "    ".repeat(self.rng.below(3));
        let line = match (language, self.rng.below(4)) {
            ("rust", 0) => format!("let {a} = {b}.iter().map(|x| x * {n}).sum::<u64>();"),
            ("rust", 1) => format!("fn {a}({b}: &str) -> Result<usize, Error> {{"),
            ("rust", 2) => format!("if {a}.len() > {n} {{ return Ok({b}); }}"),
            ("python", 0) => format!("def {a}({b}, limit={n}):"),
            ("python", 1) => format!("for {a} in {b}.items():"),
            ("python", 2) => format!("{a} = [x for x in {b} if x > {n}]"),
            ("sh", 0) => format!("$ curl -s gopher://localhost:7070/0/{a}/{b}"),
            ("sh", 1) => format!("$ grep -rn '{a}' {b}/ | wc -l"),
            ("sh", 2) => format!("{n} {a}.txt"),
            ("toml", 0) => format!("[{a}]"),
            ("toml", 1) => format!("{a} = \"{b}\""),
            ("toml", 2) => format!("{a} = {n}"),
            ("json", 0) => format!("{{ \"{a}\": \"{b}\", \"count\": {n} }},"),
            ("go", 0) => format!("func {a}({b} string) (int, error) {{"),
            ("go", 1) => format!("{a} := make([]byte, {n})"),
            (_, 0) => format!("{a} {b} {n}"),
            _ => format!("// {a}: {b} ({n})"),
        };
        format!("{indent}{line}")
    }

    fn identifier(&mut self) -> String {
        let noun = self.vocabulary.noun(&mut self.rng).to_string();
        if self.rng.chance(0.4) {
            let adjective = self.vocabulary.adjective(&mut self.rng);
            format!("{adjective}_{noun}")
        } else {
            noun
        }
    }

    fn quote(&mut self, out: &mut String) {
        for index in 0..self.rng.between(1, 3) {
            if index > 0 {
                out.push_str(">\n");
            }
            let sentence = self.sentence(true);
            out.push_str(&format!("> {sentence}\n"));
        }
        out.push('\n');
    }

    fn image(&mut self, out: &mut String) {
        let mut words = Vec::new();
        self.noun_phrase(&mut words);
        let alt = capitalized(&words.join(" "));
        let url = if self.rng.chance(0.6) {
            format!("/images/figure-{}.svg", self.rng.below(FIGURES))
        } else {
            let host = self.rng.pick(IMAGE_HOSTS);
            format!("{host}{}-{}.jpg", words.join("-"), self.rng.below(1000))
        };
        out.push_str(&format!("![{alt}]({url})\n\n"));
    }

    fn table(&mut self, out: &mut String) {
        let columns = self.rng.between(2, 4);
        let header: Vec<String> = (0..columns)
            .map(|_| capitalized(self.vocabulary.noun(&mut self.rng)))
            .collect();
        out.push_str(&format!("| {} |\n", header.join(" | ")));
        let rule: Vec<&str> = (0..columns)
            .map(|column| if column == 0 { "---" } else { "---:" })
            .collect();
        out.push_str(&format!("| {} |\n", rule.join(" | ")));
        for _ in 0..self.rng.between(3, 8) {
            let mut cells = vec![self.vocabulary.noun(&mut self.rng).to_string()];
            cells.extend((1..columns).map(|_| self.rng.below(5000).to_string()));
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out.push('\n');
    }
}

/// Every word capitalized but short function words after the first.
fn title_case(text: &str) -> String {
    const SMALL: &[&str] = &["a", "an", "the", "of", "in", "on", "to", "and", "or", "for"];
    text.split(' ')
        .enumerate()
        .map(|(index, word)| {
            if index > 0 && SMALL.contains(&word) {
                word.to_string()
            } else {
                capitalized(word)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vocabulary_is_a_few_thousand_words_and_fixed() {
        let vocabulary = Vocabulary::new();
        assert!(
            (3000..4000).contains(&vocabulary.word_count()),
            "{}",
            vocabulary.word_count()
        );
        assert_eq!(vocabulary.nouns[0], "time");
        assert_eq!(Vocabulary::new().nouns, vocabulary.nouns);
        let distinct: HashSet<&String> = vocabulary.nouns.iter().collect();
        assert_eq!(distinct.len(), vocabulary.nouns.len());
    }

    #[test]
    fn words_read_like_english() {
        assert_eq!(capitalized("élan vital"), "Élan vital");
        assert_eq!(capitalized("[we found](x)"), "[We found](x)");
        assert_eq!(capitalized("`42`"), "`42`");
        assert_eq!(article_for("owl"), "an");
        assert_eq!(article_for("tree"), "a");
        assert_eq!(
            title_case("notes on the small web"),
            "Notes on the Small Web"
        );
    }

    #[test]
    fn bodies_reach_their_size_with_every_kind_of_block() {
        let vocabulary = Vocabulary::new();
        let posts = vec!["2020-01-02-other.md".to_string()];
        let mut writer = Writer::new(&vocabulary, Rng::new(3), &posts);
        let body = writer.body(Some("A Title"), 60_000);
        assert!(body.len() >= 60_000);
        assert!(body.starts_with("# A Title\n\n"));
        for mark in [
            "\n## ",
            "\n### ",
            "\n- ",
            "\n1. ",
            "\n```",
            "\n> ",
            "![",
            "\n| ",
            "](https://",
            "](2020-01-02-other.md)",
            "*",
        ] {
            assert!(body.contains(mark), "no {mark:?} in the body");
        }
        // Fences are balanced.
        assert_eq!(body.matches("```").count() % 2, 0);
    }
}
