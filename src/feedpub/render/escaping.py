"""How a template's printed values are escaped: in one step, the text as MarkupSafe's
escape() gives it.

Jinja compiles every `{{ value }}` of an autoescaped template to `escape(value)`, and
only joins what that gives (jinja2/compiler.py, _output_child_pre, 3.1.6): a block, a
macro, a `{% set %}` block or a filter block joins its parts and makes the result Markup.
MarkupSafe 3's escape() is Python around its C escaping, and makes a Markup of every
value, copying its text: a sixth of the time a page took, for some eighty values a page.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

import jinja2
import markupsafe
from markupsafe import Markup, escape

# MarkupSafe 3's C escaping of a str, which escape() wraps; MarkupSafe 2 has none (its
# escape() is C), and its escape() then serves.
_escape_text: Callable[[str], str] = getattr(markupsafe, "_escape_inner", None) or (
    lambda text: str(escape(text))
)


def escaped(value: Any) -> str:
    """The text escape(value) gives: a str's escaped, Markup as it is, anything else as
    escape() takes it (its __html__, else its text escaped)."""
    kind = type(value)
    if kind is str:
        return _escape_text(value)
    if kind is Markup:
        return value  # type: ignore[no-any-return]
    return escape(value)


class EscapedOnce(jinja2.Template):
    """A template whose printed values are escaped by escaped(), when it is feedpub's own.

    A site's own templates, sandboxed, keep Jinja's escape(): its copy of every value
    printed is what brings a page printing a long text over and over to the sandbox's
    memory limit as soon as it would exceed it (render/sandbox.py)."""

    @classmethod
    def _from_namespace(
        cls,
        environment: jinja2.Environment,
        namespace: MutableMapping[str, Any],
        globals: MutableMapping[str, Any],
    ) -> jinja2.Template:
        # The compiled module's functions look `escape` up in `namespace`, their globals,
        # which its code filled from jinja2.runtime as it ran.
        if not environment.sandboxed:
            namespace["escape"] = escaped
        return super()._from_namespace(environment, namespace, globals)
