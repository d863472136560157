"""The entity list: restricted parties, their name forms and the sources for each claim.

The list is a TOML file (``lists/entities.toml``) written by people. Loading it
checks every quoted source against the article it cites, so a claim that an
article does not make cannot slip in.

>>> entities = EntityList.load()
>>> entities.get("hikvision").name
'Hangzhou Hikvision Digital Technology Co., Ltd.'
>>> entities.get("zte").status
'removed'
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from screening.errors import ScreeningError


def _data_dir(name: str) -> Path:
    """Find ``lists/`` or ``seeds/``: inside the installed package, or at the checkout root."""
    here = Path(__file__).parent
    for candidate in (here / name, here.parent / name):
        if candidate.is_dir():
            return candidate
    raise ScreeningError(f"cannot find the {name}/ folder next to the screening package; reinstall screening")


def default_list_path() -> Path:
    return _data_dir("lists") / "entities.toml"


def default_seeds_dir() -> Path:
    return _data_dir("seeds")


@dataclass(frozen=True)
class Source:
    """Where a claim comes from: an article and the sentence quoted from it,
    or, for a name form no article uses, a reference (registry, filings)."""

    article: str | None = None
    quote: str | None = None
    reference: str | None = None

    def cite(self) -> str:
        """One line for a report cell."""
        if self.article:
            return f"{self.article}: “{self.quote}”"
        return f"Reference: {self.reference}"

    def to_json(self) -> dict[str, str]:
        if self.article:
            return {"article": self.article, "quote": self.quote or ""}
        return {"reference": self.reference or ""}


@dataclass(frozen=True)
class Restriction:
    """One restriction on an entity, e.g. its addition to the US Entity List."""

    id: str
    label: str
    authority: str
    status: str  # "active" or "removed"
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class NameForm:
    """A way the entity's name is written, with the sources that use it."""

    name: str
    kind: str  # "article" (used in an article), "registered" or "short name" (from a reference)
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Entity:
    id: str
    name: str
    type: str
    country: str
    restrictions: tuple[Restriction, ...]
    names: tuple[NameForm, ...]

    @property
    def status(self) -> str:
        """``active`` while any restriction is in force, else ``removed``."""
        return "active" if any(r.status == "active" for r in self.restrictions) else "removed"

    @property
    def aliases(self) -> tuple[str, ...]:
        """Every name form except the canonical name."""
        return tuple(n.name for n in self.names if n.name != self.name)

    @property
    def restriction_labels(self) -> tuple[str, ...]:
        return tuple(r.label + ("" if r.status == "active" else " (removed)") for r in self.restrictions)

    @property
    def sources(self) -> tuple[Source, ...]:
        """The article sources of the restrictions: the evidence that the entity is (or was) listed."""
        seen: dict[Source, None] = {}
        for r in self.restrictions:
            seen.update(dict.fromkeys(r.sources))
        return tuple(seen)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "aliases": list(self.aliases),
            "type": self.type,
            "country": self.country,
            "status": self.status,
            "restrictions": [
                {
                    "id": r.id,
                    "label": r.label,
                    "authority": r.authority,
                    "status": r.status,
                    "sources": [s.to_json() for s in r.sources],
                }
                for r in self.restrictions
            ],
            "names": [
                {"name": n.name, "kind": n.kind, "sources": [s.to_json() for s in n.sources]} for n in self.names
            ],
            "sources": [s.to_json() for s in self.sources],
        }


@dataclass(frozen=True)
class EntityList:
    """The loaded list, its version and its entities."""

    title: str
    updated: date
    content_hash: str
    entities: tuple[Entity, ...]

    @property
    def version(self) -> str:
        """Date of the last edit plus the first 12 hex digits of the file's SHA-256."""
        return f"{self.updated.isoformat()}+{self.content_hash[:12]}"

    def get(self, entity_id: str) -> Entity:
        for entity in self.entities:
            if entity.id == entity_id:
                return entity
        raise KeyError(entity_id)

    @classmethod
    def load(cls, path: Path | None = None, *, seeds: Path | None = None) -> EntityList:
        """Load and verify a list file.

        Args:
            path: the TOML list; the bundled ``lists/entities.toml`` by default.
            seeds: the folder of articles that sources cite; the bundled ``seeds/`` by default.

        Raises:
            ScreeningError: the file is unreadable or malformed, or a quote is
                not in the article it cites.
        """
        path = path or default_list_path()
        seeds = seeds or default_seeds_dir()
        try:
            raw = path.read_bytes()
            data = tomllib.loads(raw.decode("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ScreeningError(f"cannot read entity list {path}: {exc}") from exc
        try:
            entities = _parse(data)
            meta = data["list"]
            title, updated = str(meta["title"]), meta["updated"]
        except (KeyError, TypeError, ValueError) as exc:
            raise ScreeningError(f"entity list {path} is malformed: {exc}") from exc
        if not isinstance(updated, date):
            raise ScreeningError(f"entity list {path}: [list] updated must be a date")
        _verify_quotes(entities, seeds)
        return cls(title=title, updated=updated, content_hash=hashlib.sha256(raw).hexdigest(), entities=entities)


def _sources(items: list[dict[str, str]]) -> tuple[Source, ...]:
    sources = []
    for item in items:
        if "article" in item:
            sources.append(Source(article=item["article"], quote=item["quote"]))
        else:
            sources.append(Source(reference=item["reference"]))
    if not sources:
        raise ValueError("a claim without sources")
    return tuple(sources)


def _parse(data: dict[str, Any]) -> tuple[Entity, ...]:
    kinds = data["restrictions"]
    entities = []
    for e in data["entity"]:
        restrictions = tuple(
            Restriction(
                id=r["id"],
                label=kinds[r["id"]]["label"],
                authority=kinds[r["id"]]["authority"],
                status=r["status"],
                sources=_sources(r["sources"]),
            )
            for r in e["restrictions"]
        )
        for r in restrictions:
            if r.status not in ("active", "removed"):
                raise ValueError(f"{e['id']}: restriction status must be active or removed, not {r.status!r}")
            if not any(s.article for s in r.sources):
                raise ValueError(f"{e['id']}: restriction {r.id} needs an article source")
        names = tuple(
            NameForm(name=n["name"], kind=n.get("kind", "article"), sources=_sources(n["sources"])) for n in e["names"]
        )
        entities.append(
            Entity(
                id=e["id"], name=e["name"], type=e["type"], country=e["country"], restrictions=restrictions, names=names
            )
        )
    ids = [e.id for e in entities]
    if len(set(ids)) != len(ids):
        raise ValueError("entity ids must be unique")
    return tuple(entities)


# Quotes are compared with white space collapsed and typographic quote
# characters made plain: an editor copying a sentence may change either
# without changing what the article says.
_QUOTE_CHARS = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "′": "'", "″": '"'})


def _comparable(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_QUOTE_CHARS)).strip()


def _verify_quotes(entities: tuple[Entity, ...], seeds: Path) -> None:
    texts: dict[str, str] = {}
    for entity in entities:
        claims = [s for r in entity.restrictions for s in r.sources] + [s for n in entity.names for s in n.sources]
        for source in claims:
            if source.article is None:
                continue
            if source.article not in texts:
                article = seeds / source.article
                if Path(source.article).name != source.article or not article.is_file():
                    raise ScreeningError(f"entity {entity.id}: cited article {source.article} is not in {seeds}")
                texts[source.article] = _comparable(article.read_text(encoding="utf-8"))
            if _comparable(source.quote or "") not in texts[source.article] or not (source.quote or "").strip():
                raise ScreeningError(
                    f"entity {entity.id}: quote not found in {source.article}: “{(source.quote or '')[:80]}”"
                )
