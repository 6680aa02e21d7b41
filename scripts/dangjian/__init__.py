"""Core of the 市直机关党建宣传 site generator.

Nothing in this package imports MkDocs: it loads and validates the content
(brands/, docs/models/, docs/study/), derives the collections and renders the
generated pages as Markdown.  ``scripts/hooks.py`` is the only adapter that
connects it to MkDocs.
"""
