"""The portal's search covers the books: their pages' entries added to mkdocs' index.

Each book writes its pages' sections to `_static/academy-search.json`
(`academy.books.search_entries`); this puts them into `site/search/search_index.json`,
the index mkdocs-material's search reads, with locations under the book's folder and the
course's title beside each page's, so a result says which course it is in.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from academy.books.search_entries import ENTRIES_FILE
from academy.clickthrough.build import lesson_url
from academy.core.errors import AcademyError
from academy.core.paths import book_site_dir
from academy.curriculum.lessons import CLICKTHROUGH_DIR
from academy.curriculum.loading import Book

INDEX = Path("search") / "search_index.json"


def located(location: str, book: Book) -> str:
    """A book page's location from the site's root; a click-through lesson's printable page
    is found as the lesson itself, which is where a learner wants to land."""
    page = location.split("#", 1)[0].removesuffix(".html")
    folder, _, name = page.rpartition("/")
    if folder == CLICKTHROUGH_DIR:
        return lesson_url(book.course.id, name).lstrip("/")
    return f"{book_site_dir(book.track.id, book.course.id)}/{location}"


def book_entries(book: Book, site: Path) -> list[dict[str, str]]:
    """The assembled book's search entries, located from the site's root."""
    path = site / book_site_dir(book.track.id, book.course.id) / "_static" / ENTRIES_FILE
    if not path.is_file():
        raise AcademyError(f"{path}: the book wrote no search entries; rebuild it")
    return [
        {
            "location": located(entry["location"], book),
            "title": f"{entry['title']} · {book.course.title}",
            "text": f"<p>{escape(entry['text'])}</p>" if entry["text"] else "",
        }
        for entry in json.loads(path.read_text(encoding="utf-8"))
    ]


def add_books_to_search(site: Path, books: list[Book]) -> None:
    """Add every assembled book's pages to the portal's search index (after mkdocs wrote
    it). A portal built without mkdocs' search plugin has no index, and no search to add to."""
    index_path = site / INDEX
    if not index_path.is_file():
        return
    index = json.loads(index_path.read_text(encoding="utf-8"))
    for book in books:
        index["docs"].extend(book_entries(book, site))
    index_path.write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
