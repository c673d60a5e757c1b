"""The README's table of contents, generated from its `##` and `###` headings (GitHub's anchors).

python3 scripts/readme_contents.py           rewrite the list between the contents markers
python3 scripts/readme_contents.py --check   exit 1 if the list is stale (tests/delivery/test_readme.py)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- contents -->", "<!-- /contents -->"
_HEADING = re.compile(r"^(#{2,3}) (.+)$", re.MULTILINE)
_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def anchor(title: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped (hyphens and underscores kept), spaces to
    hyphens."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def contents(text: str) -> str:
    """One bullet per `##` heading, indented for `###`, outside code blocks and after the contents block."""
    body = _FENCE.sub("", text.split(END, 1)[-1])
    seen: dict[str, int] = {}
    lines: list[str] = []
    for hashes, title in _HEADING.findall(body):
        slug = anchor(title)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        target = slug if count == 0 else f"{slug}-{count}"
        lines.append(f"{'  ' * (len(hashes) - 2)}- [{title.strip()}](#{target})")
    return "\n".join(lines)


def with_contents(text: str) -> str:
    """`text` with the list between the markers regenerated."""
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n{contents(text)}\n{END}{after}"


def main(argv: list[str]) -> int:
    text = README.read_text()
    updated = with_contents(text)
    if "--check" in argv:
        if updated != text:
            print("README.md: the contents list is stale: run python3 scripts/readme_contents.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(updated)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
