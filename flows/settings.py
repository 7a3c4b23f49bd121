"""Configuration: environment variables RATSFRIST_* over an optional ratsfrist.toml.

Read on first use (never at import), so tests and the CLI can point it elsewhere; flows.app
keeps the one Settings of a process (`current_settings`), so this module is read once.
"""

from __future__ import annotations

import os
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from models.domain.errors import RatsfristError

DEFAULT_CONFIG_FILE = "ratsfrist.toml"


class ConfigError(RatsfristError):
    pass


def config_path() -> Path:
    return Path(os.environ.get("RATSFRIST_CONFIG", DEFAULT_CONFIG_FILE))


class Settings(BaseSettings):
    """Everything an operator can set. Secrets stay in the URL strings and are masked on output."""

    model_config = SettingsConfigDict(env_prefix="RATSFRIST_", extra="forbid")

    database_url: str = Field(
        default="sqlite:///ratsfrist.sqlite",
        description="SQLAlchemy URL; postgresql://user:pass@host/db for production",
    )
    body: str = Field(default="Kommune", description="Name der Kommune (OParl Body)")
    rules: str = Field(
        default="default",
        description="Regelprofil: Pfad zu einer TOML-Datei oder Name eines mitgelieferten Profils",
    )
    meeting_time: time = Field(
        default=time(17, 0), description="Beginn einer Sitzung, deren Uhrzeit nicht bekannt ist"
    )
    apprise_config: str | None = Field(
        default=None,
        description="Apprise-Konfiguration (YAML oder TEXT) mit Tags je Rolle",
    )
    digest: bool = Field(
        default=False, description="eine Sammel-Mail je Empfänger und Lauf statt einer je Frist"
    )
    senders: int = Field(
        default=1,
        ge=1,
        le=32,
        description="Mails, die ein Versandlauf gleichzeitig sendet (je eine SMTP-Verbindung)",
    )
    ui_url: str | None = Field(
        default_factory=lambda: os.environ.get("PREFECT_UI_URL"),
        description="Adresse des Prefect-UI für Links in Mails",
    )
    oparl_url: str | None = Field(
        default=None,
        description="OParl-Endpunkt (System oder Body) des Ratsinformationssystems",
    )
    oparl_vendor: str | None = Field(
        default=None,
        description="Hersteller des Ratsinformationssystems (sdnet, sessionnet, allris, "
        "morerubin, standard), falls das System es nicht selbst richtig angibt",
    )
    oparl_history_before: date | None = Field(
        default=None,
        description="Sitzungen vor diesem Tag sind Archiv: Vorlagen daraus bekommen keine offenen "
        "Fristen und keine Erinnerungen (Standard: der Tag des ersten Abgleichs)",
    )
    watch_weeks: int = Field(
        default=6,
        ge=1,
        description="Beobachtungslisten: Vorlagen ohne Schritt und Verweisungen ohne Termin "
        "seit so vielen Wochen",
    )
    intake_number: str = Field(
        default="E {year}/{seq:04d}",
        description="Eingangsnummer für Vorlagen ohne eigene Nummer (Brief einer Fraktion): "
        "{year} ist das Jahr, {seq} die laufende Nummer im Jahr je Kommune",
    )
    actor: str = Field(
        default_factory=lambda: os.environ.get("USER") or "ratsfrist",
        description="wer Schritte ausführt, wenn nicht angegeben",
    )

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql", "postgres")):
            raise ValueError("nur sqlite:/// oder postgresql:// werden unterstützt")
        return value

    @field_validator("intake_number")
    @classmethod
    def _intake_pattern(cls, value: str) -> str:
        try:
            first, second = value.format(year=2026, seq=1), value.format(year=2026, seq=2)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"nur {{year}} und {{seq}} sind erlaubt ({exc})") from None
        if first == second:
            raise ValueError("{seq} fehlt: jede Vorlage braucht eine eigene Nummer")
        return value

    @field_validator("oparl_vendor")
    @classmethod
    def _known_vendor(cls, value: str | None) -> str | None:
        from models.domain.oparl_vendors import VENDORS

        if value is not None and value.strip().lower() not in VENDORS:
            raise ValueError(f"unbekannter Hersteller (bekannt: {', '.join(VENDORS)})")
        return value.strip().lower() if value else None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=config_path()),
        )


def load_settings(**overrides: Any) -> Settings:
    """Settings, or a ConfigError whose one line names the file or variable and the field."""
    path = config_path()
    if path.exists():
        try:
            tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from None
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        origin = (
            f"RATSFRIST_{key.upper()}" if f"RATSFRIST_{key.upper()}" in os.environ else str(path)
        )
        raise ConfigError(f"{origin}: Feld '{key}': {first['msg']}") from None


def mask_url(url: str) -> str:
    """The URL with any password replaced, for output (models.store.db masks it for errors
    the same way)."""
    from models.store.db import masked

    return masked(url)
