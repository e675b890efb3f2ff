"""Loading standard libraries (audited) and finding the version to evaluate with."""

import datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction

from hexie.core import audit

from .library import (
    FACTS_FILE,
    LIBRARY_DIR,
    Library,
    LibraryError,
    compile_library,
    content_hash,
    load_facts,
    read_yaml,
)
from .models import StandardLibrary

DEFAULT_STANDARD = getattr(settings, "HEXIE_DEFAULT_STANDARD", "zj-baseline")


class StandardNotFound(LookupError):
    pass


def library_files(path: Path | None = None) -> list[Path]:
    """The library files under ``path`` (a file or a folder), parents before variants."""
    path = Path(path or LIBRARY_DIR)
    files = [path] if path.is_file() else sorted(
        p for p in path.glob("*.yaml") if p.resolve() != FACTS_FILE.resolve()
    )
    parsed = []
    for f in files:
        data = read_yaml(f)
        if not isinstance(data, dict):
            raise LibraryError(f, "", "文件内容应为一个标准库（YAML 映射）")
        parsed.append((f, data))
    # a variant needs its parent loaded first
    return [f for f, data in sorted(parsed, key=lambda fd: bool(fd[1].get("parent")))]


def load_path(actor, path: Path | None = None) -> list[tuple[StandardLibrary, bool]]:
    """Check and store every library under ``path``; returns (version, created?). All files
    are checked before anything is stored: one bad file stores nothing."""
    shared = load_facts()
    results = []
    with transaction.atomic():
        for file in library_files(path):
            data = read_yaml(file)
            if not isinstance(data, dict):
                raise LibraryError(file, "", "文件内容应为一个标准库（YAML 映射）")
            results.append(_store(actor, file, data, shared))
    return results


def _store(actor, file: Path, data: dict, shared: dict) -> tuple[StandardLibrary, bool]:
    parent_row = None
    parent = None
    ref = data.get("parent")
    if ref:
        parent_row = StandardLibrary.objects.filter(
            library_id=ref.get("id"), version=ref.get("version")).first()
        if parent_row is not None:
            parent = compiled(parent_row.pk)
    compile_library(data, file, shared_facts=shared, parent=parent)
    facts = None if ref else shared
    digest = content_hash(data, facts)
    existing = StandardLibrary.objects.filter(
        library_id=data["id"], version=data["version"]).first()
    if existing is not None:
        if existing.sha256 != digest:
            raise LibraryError(file, "version",
                               f"{data['id']} 第 {data['version']} 版已载入且内容不同："
                               "已载入的版本不可更改，请提高版本号")
        return existing, False
    row = StandardLibrary.objects.create(
        library_id=data["id"], version=data["version"], title=data["title"],
        issuer=data["issuer"], effective=datetime.date.fromisoformat(data["effective"]),
        source=data["source"], example=data.get("example", False), parent=parent_row,
        content=data, facts=facts, sha256=digest, source_file=file.name,
    )
    audit.record(actor, "standards.load", row, after={
        "library": row.library_id, "version": row.version, "sha256": digest, "file": file.name,
    })
    return row, True


def compiled(pk: int) -> Library:
    """The compiled library of a stored version. Versions are immutable, so the compiled form
    is cached by (primary key, content hash): a rolled-back load whose key is reused can never
    serve stale rules."""
    sha = StandardLibrary.objects.values_list("sha256", flat=True).get(pk=pk)
    return _compiled(pk, sha)


@lru_cache(maxsize=64)
def _compiled(pk: int, sha256: str) -> Library:
    row = StandardLibrary.objects.select_related("parent").get(pk=pk)
    parent = compiled(row.parent_id) if row.parent_id else None
    return compile_library(row.content, f"{row.key}", shared_facts=row.facts,
                           parent=parent)


def resolve(reference: str | None = None, on: datetime.date | None = None) -> StandardLibrary:
    """``id`` (latest version in force), ``id@version``, or None for the default standard."""
    reference = reference or DEFAULT_STANDARD
    library_id, _, version = reference.partition("@")
    rows = StandardLibrary.objects.filter(library_id=library_id)
    if version:
        row = rows.filter(version=int(version) if version.isdigit() else -1).first()
    else:
        on = on or datetime.date.today()
        row = rows.filter(effective__lte=on).order_by("-version").first() or rows.order_by(
            "-version").first()
    if row is None:
        raise StandardNotFound(reference)
    return row
