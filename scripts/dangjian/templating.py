"""The Jinja2 environment that writes every HTML fragment of the generated pages (issue #12).

Escaping is the default, not a call to remember: the environment autoescapes, and its
``finalize`` is :func:`dangjian.escape.text`, so every ``{{ value }}`` is written with HTML's
*and* Markdown's special characters as character references (a title like ``**x**``,
``[a](javascript:…)`` or ``<script>`` stays literal text once MkDocs renders the Markdown the
fragment is embedded in).  Only ``Markup`` passes through as it is: fragments this code
rendered itself (another template, a chart).  There is no ``|safe`` filter, and the built-in
filters that would escape with plain MarkupSafe (``join``, ``replace``, ``e`` …) are replaced by
ones that use the same escaper.  Two traps remain, in templates and in Python alike: ``~`` (and
``+`` on ``Markup``) escapes a plain operand with MarkupSafe only, which leaves Markdown live, so
concatenate plain values only and let ``{{ }}`` escape the result.  CSS class names the code
chooses go through ``|class_names`` (they hold ``_``, which :func:`~dangjian.escape.text` would
write as a reference; the filter refuses anything but class-name characters).

Templates live in ``dangjian/templates/*.html``.  Their line breaks and the indentation after
them are dropped when a template is compiled (:class:`JoinLines`): the fragments are raw HTML
blocks inside Markdown, where a blank line would end the block and indented lines could turn
into a code block, so a fragment is always one line.  Write a space that must stay at the end
of a line as ``{{ " " }}``.  No MkDocs import here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from jinja2.ext import Extension
from markupsafe import Markup

from .escape import text

TEMPLATES = Path(__file__).with_name("templates")

_LINE_BREAK = re.compile(r"\n[ \t]*")


class JoinLines(Extension):
    """Drop the template source's line breaks and the indentation that follows them."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        """The template source on one line (the last line break of the file included)."""
        return _LINE_BREAK.sub("", source)


def _join(items: Iterable[object], separator: object = "") -> Markup:
    """``items`` joined by ``separator``, each escaped with :func:`text` unless it is ``Markup``."""
    return text(separator).join(text(item) for item in items)


def _replace(value: object, old: str, new: str) -> Markup:
    """``value`` escaped, then ``old`` (escaped the same way) replaced by ``new`` (escaped)."""
    return Markup(str(text(value)).replace(str(text(old)), str(text(new))))


_CLASS_NAMES = re.compile(r"[a-z0-9_ -]*")


@functools.lru_cache(maxsize=256)
def _class_names(value: str) -> Markup:
    """CSS class names the code chose (``dj-card__title``), written as they are: ``_`` is not Markdown here.

    Anything else is a programming error, never a writer's value passed by mistake.
    """
    if not _CLASS_NAMES.fullmatch(value):
        raise ValueError(f"not a list of CSS class names: {value!r}")
    return Markup(value)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        finalize=text,
        undefined=StrictUndefined,
        extensions=[JoinLines],
        auto_reload=False,  # the templates ship with the code: compile each once per process
        keep_trailing_newline=False,
    )
    # Every way a template could write a value goes through the one escaper: the built-in filters that
    # escape with plain MarkupSafe (which leaves Markdown syntax live) are replaced or removed.
    for unsafe in ("safe", "forceescape", "urlize", "xmlattr", "indent", "wordwrap", "center", "tojson"):
        env.filters.pop(unsafe, None)
    env.filters.update(e=text, escape=text, join=_join, replace=_replace, class_names=_class_names)
    return env


ENV = _environment()


@functools.cache
def template(name: str) -> Template:
    """The compiled template ``name`` (from ``dangjian/templates/``), loaded once per process."""
    return ENV.get_template(name)


def render(name: str, **values: object) -> Markup:
    """Template ``name`` rendered with ``values``: HTML whose every value is escaped (see module doc)."""
    return Markup(template(name).render(**values))


def macro(name: str, macro_name: str):
    """The macro ``macro_name`` of template ``name`` (called from Python, it returns ``Markup``)."""
    return getattr(template(name).module, macro_name)
