"""Staff accounts."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, StrEnumType, UTCDateTime, utcnow


class Role(enum.StrEnum):
    RECEPTIONIST = "receptionist"
    BILLER = "biller"
    MANAGER = "manager"

    @property
    def label(self) -> str:
        return {"receptionist": "Receptionist", "biller": "Biller", "manager": "Office manager"}[
            self.value
        ]


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(StrEnumType(Role))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set on every successful log-in (the Admin list shows it; stale accounts stand out).
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
