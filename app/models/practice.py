"""The practice (one row), its providers and its settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JSONText


class Practice(Base):
    """The office itself: the billing provider of every claim (items 25, 33)."""

    __tablename__ = "practice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    address1: Mapped[str] = mapped_column(String(120))
    address2: Mapped[str] = mapped_column(String(120), default="")
    city: Mapped[str] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(2))
    zip: Mapped[str] = mapped_column(String(10))
    phone: Mapped[str] = mapped_column(String(10))
    ein: Mapped[str] = mapped_column(String(9))
    billing_npi: Mapped[str] = mapped_column(String(10))
    taxonomy: Mapped[str] = mapped_column(String(10))


class Provider(Base):
    """A rendering provider (the physician, a nurse practitioner ...)."""

    __tablename__ = "provider"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_name: Mapped[str] = mapped_column(String(60))
    first_name: Mapped[str] = mapped_column(String(60))
    middle_name: Mapped[str] = mapped_column(String(60), default="")
    credentials: Mapped[str] = mapped_column(String(20), default="")
    npi: Mapped[str] = mapped_column(String(10), unique=True)
    taxonomy: Mapped[str] = mapped_column(String(10), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def display_name(self) -> str:
        cred = f", {self.credentials}" if self.credentials else ""
        return f"{self.first_name} {self.last_name}{cred}"


class Setting(Base):
    """Office-wide settings as JSON values: idle lock minutes, verification
    window, statement message, printer offsets ... Read through
    ``app.services.settings``, which knows each key's default."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONText)
