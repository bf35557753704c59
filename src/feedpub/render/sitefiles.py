"""The loader of a site's templates/: what systems and editors leave there
(folders.is_left_beside) is not listed, not loaded, not keyed, so a page never depends on
it."""

from __future__ import annotations

from typing import Any

import jinja2

from feedpub.folders import is_left_beside

__all__ = ["SiteLoader", "is_left_beside"]


class SiteLoader(jinja2.FileSystemLoader):
    """The site's templates/, without what systems and editors leave there."""

    def list_templates(self) -> list[str]:
        return [name for name in super().list_templates() if not is_left_beside(name)]

    def get_source(self, environment: jinja2.Environment, template: str) -> Any:
        if is_left_beside(template):
            raise jinja2.TemplateNotFound(template)
        return super().get_source(environment, template)
