"""Text a user supplied (file names, cell values, unit names, who imported) shown where Streamlit renders markdown.

st.error/st.info/st.success/st.caption/st.subheader render their text as markdown: `![x](http://host/x.png)`
in a file name would make every visitor's browser fetch that address, and `:red[...]`, `$...$` or `**` would
restyle the page. Where plain st.text, st.dataframe or st.code do not fit, the text goes through escape().
"""

from __future__ import annotations

import re

# CommonMark's escapable ASCII punctuation (a backslash before any of them shows it literally), which covers
# links, images, emphasis, headings, lists, tables, code, HTML; plus ':' (Streamlit's :colour[...] and
# :emoji: directives, and the scheme of bare URLs that GFM turns into links) and '$' (LaTeX).
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&\"'=^])")


def escape(text: object) -> str:
    """`text` as literal characters in Streamlit markdown; line breaks are kept as spaces."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).splitlines()))
