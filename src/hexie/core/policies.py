"""Policies as dated data: every app's rule values live in versioned YAML files under
``<app>/data/policy/``, are loaded into immutable ``PolicyVersion`` rows, and are resolved by
date and region. A decision stores the version it used.

A policy file declares ``version``, ``effective_from`` and optionally ``region_prefix`` (a
division code prefix; blank or absent: the whole province); the rest is the policy's own
content, checked against the JSON schema and the ``parse`` of the app's ``policy`` module
(``NAME``, ``SCHEMA``, ``parse``). Strings may cite a seed clause as ``{cite:4.3}``
(``hexie.core.clauses``); the stored version holds the expanded text.

Resolution (``resolve``): among the versions of the policy in force on the date
(``effective_from`` <= date) whose prefix is a prefix of the region code, the latest
``effective_from`` wins; at the same date the longest prefix wins. A later province-wide
version therefore supersedes an earlier regional variant (a region that wants to keep its
variant publishes it again with the new date) — the province's newer rule is never hidden.
"""

import datetime
import hashlib
import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from django.apps import apps
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone

from . import clauses

POLICY_DIR = Path("data") / "policy"
# Resolved rows are kept in the shared cache for a short while; every load clears them, so a
# load in this process (or any process, with Redis) takes effect at once, and a load in another
# process with the per-process memory cache within this many seconds.
CACHE_SECONDS = 60
META_SCHEMA = {
    "type": "object",
    "required": ["version", "effective_from"],
    "properties": {
        "version": {"type": "string", "minLength": 1, "maxLength": 32},
        "effective_from": {"type": "string", "format": "date",
                           "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "region_prefix": {"type": "string", "pattern": r"^\d{0,12}$"},
    },
}


class PolicyError(ValueError):
    """A policy file that cannot be loaded, or no version in force; the message is bilingual
    so an operator and a log reader both understand it."""


@dataclass(frozen=True)
class Spec:
    name: str
    schema: dict
    parse: Any  # callable(content: dict) -> typed policy; raises ValueError when inconsistent
    directory: Path


def specs() -> list[Spec]:
    """Every installed app with a ``data/policy/`` folder, with its policy module's name,
    schema and parser (found by convention, so ``core`` imports no higher app)."""
    found = []
    for config in apps.get_app_configs():
        directory = Path(config.path) / POLICY_DIR
        if directory.is_dir():
            module = importlib.import_module(f"{config.name}.policy")
            found.append(Spec(module.NAME, module.SCHEMA, module.parse, directory))
    return found


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return clauses.expand(value)
    return value


def canonical_sha256(content: dict) -> str:
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _field(error: jsonschema.ValidationError) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "(top)"


def read_file(spec: Spec, path: Path) -> dict:
    """The file's content, JSON-shaped with clauses expanded, checked by schema and parser."""
    try:
        with path.open(encoding="utf-8") as handle:
            raw = yaml.safe_load(handle)
    except yaml.YAMLError as exc:
        raise PolicyError(f"政策文件 {path.name} 不是有效的 YAML / not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise PolicyError(f"政策文件 {path.name} 应为键值映射 / must be a mapping")
    try:
        content = _jsonable(raw)
    except KeyError as exc:
        raise PolicyError(f"政策文件 {path.name} 引用了未知的条款 / cites an unknown clause: "
                          f"{exc.args[0]}") from exc
    content.setdefault("region_prefix", "")
    for schema in (META_SCHEMA, spec.schema):
        error = jsonschema.exceptions.best_match(
            jsonschema.Draft202012Validator(schema).iter_errors(content))
        if error is not None:
            field = _field(error)
            raise PolicyError(f"政策文件 {path.name} 的字段 {field} 有误 / field {field} is "
                              f"invalid: {error.message}")
    try:
        spec.parse(content)
    except (ValueError, KeyError, TypeError) as exc:
        raise PolicyError(f"政策文件 {path.name} 的取值不一致 / inconsistent values: "
                          f"{exc}") from exc
    return content


def load_file(spec: Spec, path: Path, using: str = DEFAULT_DB_ALIAS):
    """Store the file as a version; ``(row, created)``. The same content again changes
    nothing; the same version label with other content is refused (history is not
    rewritten: publish a new version)."""
    from .models import PolicyVersion

    content = read_file(spec, path)
    digest = canonical_sha256(content)
    version, prefix = content["version"], content["region_prefix"]
    effective = datetime.date.fromisoformat(content["effective_from"])
    rows = PolicyVersion.objects.using(using)
    existing = rows.filter(name=spec.name, version=version, region_prefix=prefix).first()
    if existing is not None:
        if existing.sha256 != digest:
            raise PolicyError(
                f"政策 {spec.name} 的 {version} 版已载入且内容不同（{path.name}），"
                f"不能改写已载入的版本，请以新的版本号和施行日期另行发布 / policy {spec.name} "
                f"version {version} is already loaded with other content; publish a new "
                f"version instead of rewriting it")
        return existing, False
    clash = rows.filter(name=spec.name, effective_from=effective, region_prefix=prefix).first()
    if clash is not None:
        raise PolicyError(
            f"政策 {spec.name} 在 {effective:%Y-%m-%d} 起对同一区划已有 {clash.version} 版，"
            f"{version} 版不能同日施行 / policy {spec.name} already has version "
            f"{clash.version} from {effective} for the same region prefix")
    row = PolicyVersion(name=spec.name, version=version, effective_from=effective,
                        region_prefix=prefix, content=content, sha256=digest,
                        source_file=_relative(path))
    row.save(using=using)
    return row, True


def _relative(path: Path) -> str:
    parts = path.resolve().parts
    return "/".join(parts[parts.index("hexie"):]) if "hexie" in parts else path.name


def load_all(using: str = DEFAULT_DB_ALIAS, extra: list[tuple[str, Path]] = ()) -> list:
    """Load every app's policy files (and ``extra`` (name, path) pairs) in one transaction;
    ``[(row, created)]``."""
    by_name = {s.name: s for s in specs()}
    work = [(s, p) for s in by_name.values() for p in sorted(s.directory.glob("*.yaml"))]
    for name, path in extra:
        if name not in by_name:
            raise PolicyError(f"没有名为 {name} 的政策 / no policy named {name}")
        work.append((by_name[name], Path(path)))
    results = []
    with transaction.atomic(using=using):
        for spec, path in work:
            results.append(load_file(spec, path, using))
    forget(by_name)
    return results


def forget(names=None) -> None:
    """Drop the cached versions (after a load, a flush or a test that rolled one back)."""
    names = names or [s.name for s in specs()]
    cache.delete_many([_cache_key(n) for n in names])


def _cache_key(name: str) -> str:
    return f"hexie-policy-versions:{name}"


def _versions(name: str) -> list[dict]:
    from .models import PolicyVersion

    rows = cache.get(_cache_key(name))
    if rows is None:
        rows = list(PolicyVersion.objects.filter(name=name).values(
            "id", "name", "version", "effective_from", "region_prefix", "content", "sha256",
            "source_file", "loaded_at"))
        cache.set(_cache_key(name), rows, CACHE_SECONDS)
    return rows


def resolve(name: str, on: datetime.date | None = None, region: str | None = None,
            pk: int | None = None):
    """The ``PolicyVersion`` of ``name`` in force on ``on`` (default today) for ``region``
    (a division code; None: the province-wide versions only). See the module docstring.
    With ``pk``: that stored version (the one a decision recorded)."""
    from .models import PolicyVersion

    if pk is not None:
        row = next((r for r in _versions(name) if r["id"] == pk), None)
        if row is None:
            raise PolicyError(f"没有编号为 {pk} 的 {name} 政策版本 / no version {pk} of {name}")
        return PolicyVersion(**row)
    on = on or timezone.localdate()
    region = region or ""
    candidates = [r for r in _versions(name)
                  if r["effective_from"] <= on and region.startswith(r["region_prefix"])]
    if not candidates:
        raise PolicyError(f"{on:%Y-%m-%d} 没有施行中的 {name} 政策版本，"
                          f"请先运行 hexie policies load / no version of policy {name} "
                          f"in force on {on}")
    best = max(candidates, key=lambda r: (r["effective_from"], len(r["region_prefix"])))
    return PolicyVersion(**best)


_PARSED: dict[tuple[str, int, str], Any] = {}


def typed(name: str, parse, on: datetime.date | None = None, region: str | None = None,
          pk: int | None = None):
    """The resolved version parsed by the app's ``parse``, with ``policy_id`` set to the row.
    Parsing is memoised by row and content hash: a stored version never changes, so the memo
    cannot outlive what it describes."""
    import dataclasses

    row = resolve(name, on, region, pk)
    key = (name, row.pk, row.sha256)
    if key not in _PARSED:
        _PARSED[key] = dataclasses.replace(parse(row.content), policy_id=row.pk)
    return _PARSED[key]


def load_after_migrate(sender, using=DEFAULT_DB_ALIAS, plan=None, **kwargs) -> None:
    """post_migrate: a migrated database (and every test database) holds the shipped policies."""
    from django.db import connections

    from .models import PolicyVersion

    if PolicyVersion._meta.db_table not in connections[using].introspection.table_names():
        return
    load_all(using=using)
