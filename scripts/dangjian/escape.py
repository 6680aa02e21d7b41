"""One escaping discipline for every writer value that reaches a page (issue #12).

Generated pages are Markdown with small HTML blocks, so a value can land in four
contexts: an HTML element or attribute inside a raw HTML block, a Markdown heading,
inline HTML inside a Markdown paragraph, and the XML of the feed.  :func:`text`
makes a value inert in all of the first three at once: HTML's own special
characters *and* the characters Markdown, attr_list, tables, tilde and footnotes
give meaning to are written as numeric character references, which browsers decode
in text and attributes and which Python-Markdown passes through untouched.  Line
breaks become references too, so a value can never end an HTML block (a blank line
does) and let the rest of it be parsed as Markdown.

The generated pages' HTML comes from templates (:mod:`dangjian.templating`) whose every
``{{ value }}`` goes through :func:`text`, so escaping is the default and trusted fragments
are a type (``Markup``), not a convention.  No MkDocs import here.
"""

from __future__ import annotations

import functools
import re

from markupsafe import Markup

#: HTML's special characters (& < > " ') as html.escape writes them, and as numeric references
#: Markdown's (emphasis, code, links/images/footnotes, attr_list braces, headings' closing #,
#: table pipes, pymdownx.tilde, backslash escapes) and line breaks.
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}  # as html.escape
_MARKDOWN = "\\`*_{}[]()#|~!\n\r"
_TABLE = str.maketrans({**_HTML, **{c: f"&#{ord(c)};" for c in _MARKDOWN}})
#: ``Markup(s)`` for a ``str`` s that is already escaped, without the checks ``Markup.__new__`` makes.
_markup = functools.partial(str.__new__, Markup)
#: Characters XML 1.0 cannot carry at all, not even as references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text(value: object) -> Markup:
    """``value`` as inert text for HTML text, attributes and Markdown (headings, paragraphs).

    ``Markup`` values (fragments the code built itself) are returned as they are.
    """
    if type(value) is str:  # the common case, without Markup's own checks (this runs for every value of a page)
        return _markup(value.translate(_TABLE))
    if type(value) is Markup:  # a fragment a template rendered
        return value
    if hasattr(value, "__html__"):
        return Markup(value.__html__())
    return _markup(str(value).translate(_TABLE))


def heading(level: int, value: object) -> str:
    """A Markdown ATX heading whose text is ``value`` and nothing else."""
    return f"{'#' * level} {text(value)}\n\n"


def xml_text(value: object) -> str:
    """``value`` for XML character data or attributes: characters XML cannot hold are dropped."""
    cleaned = _NOT_XML.sub("", str(value))
    return cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
