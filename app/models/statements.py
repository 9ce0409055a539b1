"""Patient statements sent: one row per guarantor per statement, so the next
run knows it is a second (third ...) notice and the collections list can
count them. A batch run that is cancelled writes none of these."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JSONText, Money, UTCDateTime, utcnow


class StatementRun(Base):
    """One batch of statements (or a single statement printed on demand)."""

    __tablename__ = "statement_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_date: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer)
    total: Mapped[Decimal] = mapped_column(Money)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)


class Statement(Base):
    """A statement sent to a guarantor. ``guarantor_id`` is the patient whose
    account the statement is for (the guarantor when the guarantor is a
    registered patient, otherwise the patient with the described guarantor)."""

    __tablename__ = "statement"
    __table_args__ = (Index("ix_statement_guarantor", "guarantor_id", "statement_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("statement_run.id"), index=True)
    guarantor_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    statement_date: Mapped[date] = mapped_column(Date)
    balance: Mapped[Decimal] = mapped_column(Money)
    notice_no: Mapped[int] = mapped_column(Integer)  # 1 first, 2 second notice ...
    # The aging buckets and patients on the statement, as printed.
    summary: Mapped[Any] = mapped_column(JSONText, nullable=True)
