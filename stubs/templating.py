"""The stubs' Jinja2 templates: autoescaped, and loaded once.

Jinja2's default re-reads each template file's modification time on every render, to reload a
changed file; a stub's templates never change while it runs, and under load that stat call was
a measurable part of every screen (scripts/bench_vneid_load.py).
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from starlette.templating import Jinja2Templates


def screen_templates(directory: Path) -> Jinja2Templates:
    """Templates from `directory`, HTML-escaped as Starlette's default, never reloaded."""
    return Jinja2Templates(env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(directory)),
        autoescape=jinja2.select_autoescape(), auto_reload=False))
