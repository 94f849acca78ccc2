"""mkdocs plugin `academy`: generate the catalogue pages and navigation from curriculum/.

Listed under `plugins:` in mkdocs.yml, so a plain `mkdocs build` gives the same portal
as `academy build` (which also builds the books and checks the assembled site).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from academy.core.brand import brand_css
from academy.core.errors import AcademyError, FileError
from academy.curriculum.loading import Curriculum, load_curriculum
from academy.portal.pages import catalogue_pages, nav, track_cards, typical_lesson_minutes

#: The academy's colours and type, as mkdocs.yml's extra_css lists it.
BRAND_CSS = "assets/academy-brand.css"
MARKER = re.compile(r"<!--\s*academy:(?P<name>[a-z-]+)\s*-->")


def _curriculum(config: MkDocsConfig) -> Curriculum:
    root = Path(config.config_file_path).parent
    cur, findings = load_curriculum(root)
    if cur.academy is None:
        if findings:
            raise FileError.of(findings[0], "run `academy validate` for every problem")
        raise AcademyError("curriculum/academy.yml could not be read")
    return cur


def _dataset_pages(cur: Curriculum) -> dict[str, tuple[str, str]]:
    """{page path: (title, markdown)} for the datasets section."""
    from academy.data import list_datasets
    from academy.data.cards import dataset_page, datasets_index

    pages = {"datasets/index.md": ("All datasets", datasets_index(cur.root))}
    for info in list_datasets(cur.root):
        pages[f"datasets/{info.id}.md"] = (info.title, dataset_page(info.id, cur.root))
    return pages


def _title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem.replace("-", " ").capitalize()


class AcademyPortal(BasePlugin):
    """Adds the generated catalogue pages and builds the navigation."""

    def __init__(self) -> None:
        super().__init__()
        self.state: dict[str, Any] = {}

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        cur = _curriculum(config)
        self.state["cur"] = cur
        self.state["pages"] = catalogue_pages(cur)
        self.state["datasets"] = _dataset_pages(cur)
        config.site_name = cur.academy.name if cur.academy else config.site_name
        docs = Path(config.docs_dir)
        order = list(config.extra.get("guides", []))
        pages = sorted(p.name for p in docs.glob("*.md") if p.name != "index.md")
        ordered = [p for p in order if p in pages] + [p for p in pages if p not in order]
        handwritten = [(_title(docs / p), p) for p in ordered]
        datasets = [(title, path) for path, (title, _) in self.state["datasets"].items()]
        config.nav = nav(cur, handwritten, datasets)
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        generated = {
            **self.state["pages"],
            **{p: md for p, (_, md) in self.state["datasets"].items()},
        }
        for path, markdown in generated.items():
            files.append(File.generated(config, path, content=markdown))
        files.append(File.generated(config, BRAND_CSS, content=brand_css()))
        return files

    def on_page_markdown(
        self, markdown: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        cur: Curriculum = self.state["cur"]
        depth = page.file.src_uri.count("/")
        values = {
            "tracks": lambda: track_cards(cur, depth),
            "tagline": lambda: cur.academy.tagline if cur.academy else "",
            "organisation": lambda: cur.academy.organisation if cur.academy else "",
            "lesson-minutes": lambda: typical_lesson_minutes(cur),
        }

        def replace(match: re.Match) -> str:
            name = match.group("name")
            if name not in values:
                raise AcademyError(
                    f"{page.file.src_uri}: unknown marker academy:{name}; use one of {sorted(values)}"
                )
            return values[name]()

        return MARKER.sub(replace, markdown)
