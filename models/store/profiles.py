"""Rule profiles on disk: RATSFRIST_RULES names a TOML file or a profile shipped in
models/profiles/. Reading the file is here; validating it is models.domain.rules."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from models.domain.rules import RuleError, RuleSet, ruleset_from

PROFILES = Path(__file__).resolve().parent.parent / "profiles"


def shipped_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILES.glob("*.toml"))


def resolve_profile_path(choice: str) -> Path:
    """RATSFRIST_RULES is a path or the name of a shipped profile."""
    path = Path(choice)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise RuleError(f"{choice}: Regelprofil nicht gefunden")
        return path
    shipped = PROFILES / f"{choice}.toml"
    if not shipped.is_file():
        raise RuleError(
            f"RATSFRIST_RULES={choice!r}: weder Datei noch mitgeliefertes Profil "
            f"({', '.join(shipped_profiles())})"
        )
    return shipped


def load_profile(choice: str = "default") -> RuleSet:
    path = resolve_profile_path(choice)
    return _load(str(path.resolve()))


@lru_cache(maxsize=16)
def _load(path: str) -> RuleSet:
    name = Path(path).name
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{name}: {exc}") from None
    except UnicodeDecodeError:
        raise RuleError(f"{name}: keine UTF-8-Textdatei") from None
    return ruleset_from(data, name, path)


@lru_cache(maxsize=1024)
def load_profile_for(
    choice: str, state: str | None = None, categories: tuple[str, ...] | None = None
) -> RuleSet:
    """A profile on a body's own holiday calendar (state, municipality categories), cached
    by that key: a body → (profile, state, categories) mapping asks this once per body, not
    once per deadline row."""
    return load_profile(choice).for_municipality(state, categories)


@lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    """The shipped default profile: what tests and the benchmark use without settings."""
    return load_profile("default")
