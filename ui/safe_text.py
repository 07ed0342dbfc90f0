"""Text a user supplied (file names, cell values, unit names, who imported) shown where Streamlit renders markdown.

st.error/st.info/st.success/st.caption/st.subheader render their text as markdown: `![x](http://host/x.png)`
in a file name would make every visitor's browser fetch that address, and `:red[...]`, `$...$` or `**` would
restyle the page. Where plain st.text, st.dataframe or st.code do not fit, the text goes through escape().

Backslash escapes cannot stop GFM's bare-URL links: Streamlit 1.67's markdown (StreamlitMarkdown.js, remark-gfm)
finds `https?://`, `www.` and `name@host.tld` in the text *after* escapes are resolved, with the regular
expressions copied in AUTOLINK_PATTERNS below. escape() therefore puts an invisible WORD JOINER (U+2060) where
those patterns need two characters to touch ("http⁠://", "www⁠.", "@⁠host"): the text reads the same and is
never a link. tests/ui/test_safe_text.py and the page tests check every rendered text against the patterns.
"""

from __future__ import annotations

import re

# Characters that open an inline construct: links and images need '[' (and '!'), HTML and <autolinks> need '<',
# Streamlit's :colour[...] directives need '[', LaTeX needs '$'; emphasis, code, strike-through, tables,
# headings and entities the rest. '.', ',', ':', '(', ')' and '-' only matter in the contexts handled below, so
# ordinary Chinese sentences with file names stay readable in the page's source and in tests.
_INLINE = re.compile(r"([\\`*_\[\]<>!~$|#{}&])")
# Streamlit 1.67's frontend links these in text nodes (mdast-util-gfm-autolink-literal), escapes or not.
AUTOLINK_PATTERNS = (re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE),
                     re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)"))
WORD_JOINER = "\u2060"
# Where a joiner goes: between "http(s)" and "://", "www" and ".", "@" and the host.
_AUTOLINK = re.compile(r"(?<=https)(?=://)|(?<=http)(?=://)|(?<=www)(?=\.)|(?<=@)(?=[-\w])", re.IGNORECASE)
# A list marker at the start: "- ", "+ " (a quote's '>' is escaped anyway), "1. ", "1) ".
_BLOCK_START = re.compile(r"^(\s*)(?:([-+])(?=\s)|(\d{1,9})([.)]))")


def escape(text: object) -> str:
    """`text` as literal characters in Streamlit markdown, on one line (line breaks become spaces)."""
    line = " ".join(str(text).splitlines())
    line = _INLINE.sub(r"\\\1", line)
    line = _AUTOLINK.sub(WORD_JOINER, line)
    return _BLOCK_START.sub(_escape_marker, line)


def _escape_marker(match: re.Match) -> str:
    """The backslash goes before the marker's punctuation ("\\- ", "1\\. "): before a digit it would show."""
    indent, bullet, number, delimiter = match.groups()
    return f"{indent}\\{bullet}" if bullet else f"{indent}{number}\\{delimiter}"
