//! Criterion benchmarks of the work gemhole does per request when nothing is cached: markdown
//! to gemtext and to Gopher text (per KiB of source, on the seed post and on a 100 KiB post
//! with every construct), and the two request parsers.
//!
//! Run with `cargo bench`; CI only builds them (`cargo test --workspace` compiles benches).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use gemhole::doc::{markdown, TitleBlock};
use gemhole::proto::gopher::ItemType;
use gemhole::render::{gemtext, gopher_text, Endpoint, ItemTypes};
use gemhole::site::front as page;

const SEED_POST: &str = include_str!("../capsule/posts/2023-11-20-back-market-adventures.md");

/// One screenful of every construct the renderers handle; repeated to make a long post.
const MIXED: &str = r#"
## A section with [a link](https://example.org/a) and `code`

A paragraph with *emphasis*, **strong** words, ~~struck~~ text, a footnote[^n] and an
[internal link](../about.md). Soft breaks join
lines; a hard break ends one  
here. Some 日本語 text counts two columns a character.

- an item with [another link](https://example.org/b)
  - a nested item
    1. numbered
- [x] a done task

> A quote that goes on for a while so that it wraps at least once in a Gopher text of seventy
> columns.
>
> > and a nested one

```rust
fn main() {
    println!("verbatim");
}
```

| name | value |
|:-----|------:|
| one  | 1     |
| two  | 22    |

![a picture](images/pic.png)

---

[^n]: The note, with [its link](https://example.org/note).
"#;

/// A post of about 100 KiB: the seed post's prose and the mixed constructs, alternating.
fn long_post() -> String {
    let body = page::split(SEED_POST).map(|s| s.body).unwrap_or(SEED_POST);
    let mut post = String::from("# A long post\n");
    while post.len() < 100 * 1024 {
        post.push_str(body);
        post.push_str(MIXED);
    }
    post
}

struct Routes;

impl ItemTypes for Routes {
    fn item_type(&self, route: &str) -> ItemType {
        match route.ends_with('/') {
            true => ItemType::Menu,
            false => ItemType::Text,
        }
    }
}

fn renderers(c: &mut Criterion) {
    let title = TitleBlock {
        title: "Back Market Adventures".into(),
        byline: Some("2023-11-20 · Jules Spender".into()),
    };
    let at = Endpoint {
        host: "example.org".into(),
        port: 70,
        wrap: 70,
    };
    let seed = page::split(SEED_POST)
        .map(|s| s.body.to_string())
        .unwrap_or_default();
    for (name, source) in [("seed post", seed), ("100 KiB post", long_post())] {
        let mut group = c.benchmark_group(format!("render {name}"));
        group.throughput(Throughput::Bytes(source.len() as u64));
        group.bench_function("markdown to gemtext", |b| {
            b.iter(|| {
                let doc = markdown::parse(black_box(&source));
                gemtext::render(Some(&title), &doc)
            })
        });
        group.bench_function("markdown to gopher text", |b| {
            b.iter(|| {
                let doc = markdown::parse(black_box(&source));
                gopher_text::render_text(Some(&title), &doc, &at, &Routes)
            })
        });
        group.finish();
    }
}

fn parsers(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse request");
    let gemini = b"gemini://example.org/posts/back-market-adventures";
    group.bench_function("gemini", |b| {
        b.iter(|| gemhole::gemini::request::parse(black_box(gemini)))
    });
    let gopher = b"/search\tsmall web";
    group.bench_function("gopher", |b| {
        b.iter(|| gemhole::gopher::request::parse(black_box(gopher)))
    });
    group.finish();
}

criterion_group!(benches, renderers, parsers);
criterion_main!(benches);
