//! Template syntax a blog brings from Hugo (shortcodes) or Jekyll (Liquid), made into the
//! markdown it stands for before the body is parsed: a figure is an image with its caption, a
//! `ref` or `post_url` a link to that page, a `highlight` a code block with its language, a
//! video a link to it, `relative_url` the route itself. Anything else is taken out of what
//! readers see (a paired tag's inner text kept) and listed, for `gemhole check`.
//!
//! Template syntax inside code (fenced blocks and code spans) is text, and is left alone. The
//! expanded text has as many lines as the body, so lines found in it are the file's.

/// A body with its template syntax made into markdown, and what was taken out.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Expanded {
    pub text: String,
    /// (line in the body, 1-based; the tag as written).
    pub removed: Vec<(usize, String)>,
}

/// What a tag may ask of the page and the site it stands in.
pub trait Lookup {
    /// A parameter: the page's by its name (`title`), the site's as `site.title` (Hugo's
    /// `param`, Liquid's `page.*` and `site.*`).
    fn param(&self, key: &str) -> Option<String>;
    /// The text of a file in the capsule's `_includes/` folder (Liquid's `include`).
    fn include(&self, file: &str) -> Option<String>;
}

/// Expands the template syntax of a markdown body.
pub fn expand(body: &str, lookup: &dyn Lookup) -> Expanded {
    if !body.contains("{{") && !body.contains("{%") {
        return Expanded {
            text: body.to_string(),
            removed: Vec::new(),
        };
    }
    let mut out = Expanded::default();
    let mut within = Within::Prose;
    for (number, line) in body.split_inclusive('\n').enumerate() {
        let trimmed = line.trim();
        within = match within {
            Within::Fence(open) => {
                out.text.push_str(line);
                match trimmed.starts_with(open) {
                    true => Within::Prose,
                    false => within,
                }
            }
            Within::Highlight if is_code_block_end(trimmed) => {
                out.text.push_str("```\n");
                Within::Prose
            }
            Within::Raw if matches!(trimmed, "{% endraw %}" | "{%- endraw -%}") => {
                out.text.push('\n');
                Within::Prose
            }
            Within::Highlight | Within::Raw => {
                out.text.push_str(line);
                within
            }
            Within::Prose => {
                if let Some(open) = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f)) {
                    out.text.push_str(line);
                    Within::Fence(open)
                } else if let Some(language) = code_block_tag(trimmed) {
                    out.text.push_str(&format!("```{language}\n"));
                    Within::Highlight
                } else if matches!(trimmed, "{% raw %}" | "{%- raw -%}") {
                    // A line for a line, so the body's line numbers stay the file's.
                    out.text.push('\n');
                    Within::Raw
                } else {
                    out.line(line, number + 1, lookup);
                    Within::Prose
                }
            }
        };
    }
    out
}

/// Where a line of the body is.
#[derive(Clone, Copy)]
enum Within {
    Prose,
    /// A fenced code block, opened by these characters.
    Fence(&'static str),
    /// A `highlight` block, copied as code to its closing tag.
    Highlight,
    /// Liquid's `{% raw %}`: its syntax written as text.
    Raw,
}

impl Expanded {
    /// One line outside code: its code spans kept, its template tags expanded.
    fn line(&mut self, line: &str, number: usize, lookup: &dyn Lookup) {
        let mut rest = line;
        while !rest.is_empty() {
            // A code span: from a run of backticks to the same run again.
            let Some(tick) = rest.find('`') else {
                self.prose(rest, number, lookup);
                return;
            };
            self.prose(&rest[..tick], number, lookup);
            let after = &rest[tick..];
            let run = after.len() - after.trim_start_matches('`').len();
            let ticks = &after[..run];
            match after[run..].find(ticks) {
                Some(close) => {
                    let end = run + close + run;
                    self.text.push_str(&after[..end]);
                    rest = &after[end..];
                }
                None => {
                    self.text.push_str(after);
                    return;
                }
            }
        }
    }

    /// Prose: each `{{< >}}`, `{{% %}}`, `{% %}` and `{{ }}` replaced by what it stands for.
    fn prose(&mut self, text: &str, number: usize, lookup: &dyn Lookup) {
        let mut rest = text;
        while let Some((start, open, close)) = next_tag(rest) {
            self.text.push_str(&rest[..start]);
            let after = &rest[start + open.len()..];
            let Some(end) = after.find(close) else {
                self.text.push_str(&rest[start..]);
                return;
            };
            let inner = after[..end].trim().trim_matches('-').trim();
            let written = &rest[start..start + open.len() + end + close.len()];
            match meaning(open, inner, lookup) {
                Some(markdown) => self.text.push_str(&markdown),
                None => self.removed.push((number, written.to_string())),
            }
            rest = &after[end + close.len()..];
        }
        self.text.push_str(rest);
    }
}

/// The first template tag in `text`: where it starts, and its opening and closing marks.
fn next_tag(text: &str) -> Option<(usize, &'static str, &'static str)> {
    const MARKS: [(&str, &str); 4] = [("{{<", ">}}"), ("{{%", "%}}"), ("{%", "%}"), ("{{", "}}")];
    MARKS
        .iter()
        .filter_map(|(open, close)| text.find(open).map(|at| (at, *open, *close)))
        .min_by_key(|(at, open, _)| (*at, std::cmp::Reverse(open.len())))
}

/// A line that opens a code block: Hugo's `highlight` shortcode or Liquid's `highlight` tag,
/// with the language it names.
fn code_block_tag(line: &str) -> Option<String> {
    let inner = tag_inner(line)?;
    let mut words = inner.split_whitespace();
    (words.next()? == "highlight").then(|| words.next().unwrap_or("").trim_matches('"').to_string())
}

/// A line that closes a code block opened by [`code_block_tag`].
fn is_code_block_end(line: &str) -> bool {
    matches!(tag_inner(line), Some("/highlight" | "endhighlight"))
}

/// What a line holding only one tag says inside its marks.
fn tag_inner(line: &str) -> Option<&str> {
    let (open, close) = [("{{<", ">}}"), ("{{%", "%}}"), ("{%", "%}")]
        .into_iter()
        .find(|(open, close)| line.starts_with(open) && line.ends_with(close))?;
    let inner = &line[open.len()..line.len() - close.len()];
    Some(inner.trim().trim_matches('-').trim())
}

/// The markdown a tag stands for, or `None` for one that is only taken out.
fn meaning(open: &str, inner: &str, lookup: &dyn Lookup) -> Option<String> {
    let mut words = inner.split_whitespace();
    let name = words.next()?;
    let args: Vec<&str> = words.collect();
    let named = |key: &str| {
        attribute(inner, key).or_else(|| {
            args.iter()
                .find_map(|arg| arg.strip_prefix(key)?.strip_prefix('='))
                .map(|value| value.trim_matches('"').to_string())
        })
    };
    let first = || args.first().map(|arg| arg.trim_matches('"').to_string());
    match (open, name) {
        ("{{<" | "{{%", "figure") => {
            let src = named("src")?;
            let words = named("caption")
                .or_else(|| named("alt"))
                .unwrap_or_default();
            Some(format!("![{words}]({src})"))
        }
        ("{{<" | "{{%", "ref" | "relref") => first(),
        ("{{<" | "{{%", "youtube") => Some(video(
            "YouTube",
            "https://www.youtube.com/watch?v=",
            &named("id").or_else(first)?,
        )),
        ("{{<" | "{{%", "vimeo") => Some(video(
            "Vimeo",
            "https://vimeo.com/",
            &named("id").or_else(first)?,
        )),
        ("{{<" | "{{%", "instagram") => Some(video(
            "Instagram",
            "https://www.instagram.com/p/",
            &named("id").or_else(first)?,
        )),
        ("{{<" | "{{%", "gist") => {
            let user = args.first()?.trim_matches('"');
            let id = args.get(1)?.trim_matches('"');
            Some(format!("[a gist](https://gist.github.com/{user}/{id})"))
        }
        ("{{<" | "{{%", "x" | "tweet") => {
            let user = named("user")?;
            let id = named("id")?;
            Some(format!("[a post on X](https://x.com/{user}/status/{id})"))
        }
        ("{{<" | "{{%", "param") => lookup.param(&first()?),
        ("{%", "link") => first(),
        ("{%", "include") => lookup.include(&first()?),
        ("{%", "post_url") => Some(format!("/posts/{}", first()?)),
        ("{{", _) => liquid_output(inner, lookup),
        _ => None,
    }
}

/// `key="value"` anywhere in a tag (values may hold spaces).
fn attribute(inner: &str, key: &str) -> Option<String> {
    let at = inner.find(&format!("{key}=\""))? + key.len() + 2;
    let end = inner[at..].find('"')?;
    Some(inner[at..at + end].to_string())
}

fn video(site: &str, prefix: &str, id: &str) -> String {
    format!("[a video on {site}]({prefix}{id})")
}

/// Liquid's `{{ ... }}`: the site's base URL (empty: routes are the capsule's own), a page's or
/// the site's parameter, and a quoted route through `relative_url` or `absolute_url` (the
/// route itself).
fn liquid_output(inner: &str, lookup: &dyn Lookup) -> Option<String> {
    match inner {
        "site.baseurl" | "site.url" => return Some(String::new()),
        _ => {}
    }
    // `{{ page.title }}` is the page's parameter, `{{ site.title }}` the site's.
    if !inner.contains([' ', '|']) {
        if let Some(key) = inner.strip_prefix("page.") {
            return lookup.param(key);
        }
        if inner.starts_with("site.") {
            return lookup.param(inner);
        }
    }
    let (value, filters) = inner.split_once('|')?;
    let filter = filters.trim();
    let value = value.trim();
    let quoted = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))?;
    matches!(filter, "relative_url" | "absolute_url").then(|| quoted.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page titled "Page" on the site "Site", with `_includes/footer.html`.
    struct Fixture;

    impl Lookup for Fixture {
        fn param(&self, key: &str) -> Option<String> {
            match key {
                "title" => Some("Page".to_string()),
                "site.title" => Some("Site".to_string()),
                _ => None,
            }
        }

        fn include(&self, file: &str) -> Option<String> {
            (file == "footer.html").then(|| "Thanks for reading.".to_string())
        }
    }

    #[test]
    fn hugo_shortcodes_keep_their_meaning() {
        let body = "{{< figure src=\"cat.png\" caption=\"The cat\" >}}\n\
                    See [x]({{< ref \"other.md\" >}}) and {{< youtube abc >}}.\n\
                    {{< highlight go >}}\nfmt.Println(\"{{ not a tag }}\")\n{{< /highlight >}}\n\
                    {{< param author >}} gone, {{< param title >}} kept\n";
        let out = expand(body, &Fixture);
        assert_eq!(
            out.text,
            "![The cat](cat.png)\nSee [x](other.md) and [a video on YouTube](https://www.youtube.com/watch?v=abc).\n\
             ```go\nfmt.Println(\"{{ not a tag }}\")\n```\n gone, Page kept\n"
        );
        assert_eq!(out.removed, [(6, "{{< param author >}}".to_string())]);
    }

    #[test]
    fn liquid_keeps_its_meaning_and_code_is_left_alone() {
        let body = "[docs]({{ \"/docs/\" | relative_url }}) {{ site.baseurl }}/x\n\
                    {% post_url 2010-07-21-name %} and `{% raw %}` in a span\n\
                    {% include footer.html %} {% include other.html %} {{ site.title }}\n\
                    ```\n{% include kept.html %}\n```\n\
                    {% raw %}\n{{ literally }}\n{% endraw %}\n\
                    {% highlight ruby %}\nputs 1\n{% endhighlight %}\n";
        let out = expand(body, &Fixture);
        assert_eq!(
            out.text,
            "[docs](/docs/) /x\n/posts/2010-07-21-name and `{% raw %}` in a span\nThanks for reading.  Site\n\
             ```\n{% include kept.html %}\n```\n\n{{ literally }}\n\n```ruby\nputs 1\n```\n"
        );
        assert_eq!(out.removed, [(3, "{% include other.html %}".to_string())]);
        assert_eq!(expand("no templates", &Fixture).text, "no templates");
    }
}
