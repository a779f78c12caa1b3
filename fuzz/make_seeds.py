#!/usr/bin/env python3
"""Writes fuzz/seeds/: small markdown bodies shaped like the pathological posts of
tests/pathological.rs (each at most 64 KiB less two bytes, so a target prefix still fits in
-max_len=65536), plus copies of the real pages. Run from the repository root; the output is
committed, so this only needs running again to change the seeds."""

from pathlib import Path
import shutil

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fuzz" / "seeds"
LIMIT = 65536 - 2


def seeds():
    # Tables: one huge header cell; thousands of columns; rows just either side of the
    # 200-column alignment bound (src/render/layout.rs MAX_ALIGNED_TABLE).
    yield "table-long-header.md", "| " + "x" * 60_000 + " |\n|---|\n| a |\n"
    yield "table-many-columns.md", (
        "|" + "a|" * 6_000 + "\n" + "|" + "-|" * 6_000 + "\n" + "|" + "b|" * 4_000 + "\n"
    )
    rows = "".join(
        f"| {'w' * width} | {'v' * (190 - width)} |\n" for width in range(1, 189)
    )
    yield "table-near-bound.md", "| h | i |\n|:--|--:|\n" + rows + "| " + "y" * 197 + " | z |\n"
    # Lists nested deeper than MAX_LIST_DEPTH (8) in every way markdown allows.
    yield "deep-list-plus.md", "+ " * 15_000 + "a " * 15_000
    yield "deep-list-ordered.md", "1. " * 21_000 + "x"
    yield "deep-list-mixed.md", "- 1. * 7) + " * 2_600 + "words " * 2_000
    yield "deep-list-indented.md", "".join(
        "  " * depth + f"- item {depth} " + "long words " * 3 + "\n" for depth in range(0, 220)
    )
    yield "deep-quote.md", "> " * 15_000 + "quoted " * 4_000
    yield "deep-quote-list.md", "> - " * 8_000 + "inside\n"
    # Images nested in images inside a link; nested image labels are capped at 200 bytes
    # (MAX_NESTED_LABEL in src/doc/markdown.rs).
    depth = 9_000
    yield "nested-images.md", "[" + "![" * depth + "a" + "](/i)" * depth + "](/l)"
    yield "nested-images-bare.md", "![" * depth + "alt" + "](/i)" * depth
    yield "nested-images-long-alt.md", "".join(
        "[" + "![" * 3 + "a" * n + "](/i)" * 3 + f"](/l/{n})\n\n" for n in range(190, 215)
    ) + "[" + "![" * 40 + ("label " * 60) + "](/i)" * 40 + "](/l)\n"
    # Links: thousands of distinct ones, the same one thousands of times, reference links.
    links = ""
    i = 0
    while len(links) < 60_000:
        links += f"[l](/l/{i}) "
        i += 1
    yield "links-distinct.md", links
    yield "links-same.md", "[l](/same) <gemini://g.example/same> " * 1_600
    refs = "".join(f"[r{i}] " for i in range(2_500)) + "\n\n" + "".join(
        f"[r{i}]: /ref/{i % 700}\n" for i in range(2_500)
    )
    yield "links-reference.md", refs
    yield "links-bare.md", "".join(f"<https://a.example/{i}> " for i in range(2_500))
    # Footnotes with definitions, and definitions that cite one another.
    notes = "".join(f"n[^{i}] " for i in range(2_300)) + "\n\n"
    notes += "".join(f"[^{i}]: note {i}\n" for i in range(2_300))
    yield "footnotes.md", notes
    chain = "start[^0]\n\n" + "".join(f"[^{i}]: see[^{i + 1}] and[^{i}]\n" for i in range(2_000))
    yield "footnotes-chained.md", chain
    # Front matter nested deep. The targets render a body (the site strips front matter
    # first), so this reaches the markdown parser as text, as it would in a .gmi file.
    yield "yaml-nesting.md", "---\ntitle: x\nx: " + "{a: " * 16_000 + "\n---\nbody\n"
    yield "yaml-nesting-body.md", "{a: " * 16_000
    # Long words and wide characters against the wrap width and the 67-column menus.
    yield "long-word.md", "a" * 30_000 + "\n\n[" + "b" * 20_000 + "](/w)\n"
    yield "wide-chars.md", ("界" * 70 + " 👩‍👩‍👧 e\u0301 ") * 200 + "\n\n[" + "界" * 3_000 + "](/w)\n"
    # Fences and HTML that never close.
    yield "fences.md", "```\n" * 5_000 + "~~~\n" * 5_000
    yield "html-nesting.md", "<div>" * 6_000 + "<!--" * 3_000


def main():
    SEEDS.mkdir(exist_ok=True)
    for name, text in seeds():
        data = text.encode()
        assert len(data) <= LIMIT, f"{name}: {len(data)} bytes"
        (SEEDS / name).write_bytes(data)
    for page in [
        *sorted((ROOT / "capsule").glob("*.md")),
        *sorted((ROOT / "capsule" / "posts").glob("*.md")),
        *sorted((ROOT / "tests" / "golden").glob("*.gmi")),
    ]:
        shutil.copyfile(page, SEEDS / ("page-" + page.name))


if __name__ == "__main__":
    main()
