"""The policy screen: a patient's policies in order, the selected one's card
images and verification history, and the keys to add, edit, reorder and
verify. Opening it is an audited view."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.models.insurance import CardSide
from app.services import policies
from app.services.auth import Permission
from app.services.policies import CardPicture, PolicyScreen, PolicySummary, VerificationRow
from app.ui import ops
from app.ui.context import UiContext
from app.ui.frontdesk.common import BADGE_COLORS, banner_label, day_text, table
from app.ui.frontdesk.policy_forms import PolicyForm, VerificationDialog
from app.ui.widgets import Column, RowTableModel, shortcut

IMAGE_FILTER = "Card images (*.png *.jpg *.jpeg *.gif *.bmp *.tif *.tiff);;All files (*)"
_last_folder: dict[str, str] = {"path": ""}
CARD_BOX = (340, 214)  # a card's shape (85.6 x 54 mm), on screen


def choose_image_file(parent: QWidget, side: str) -> Path | None:
    """Ask for a card image (a file, or the scanner's output folder); the
    dialog starts in the folder used last (tests replace this function)."""
    name, _ = QFileDialog.getOpenFileName(
        parent, f"Card {side}: choose the scan", _last_folder["path"], IMAGE_FILTER
    )
    if not name:
        return None
    _last_folder["path"] = str(Path(name).parent)
    return Path(name)


class PolicyModel(RowTableModel[PolicySummary]):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            [
                Column("Order", lambda p: p.order),
                Column("Payer", lambda p: p.payer),
                Column("Member ID", lambda p: p.member_id),
                Column("Group", lambda p: p.group_number),
                Column("Subscriber", lambda p: p.subscriber),
                Column("Effective", lambda p: p.effective_date),
                Column("Ends", lambda p: p.end_date),
                Column("Copay", lambda p: p.copay, align_right=True),
                Column("Coverage", lambda p: p.coverage.label),
                Column("Last verified", lambda p: p.last_verified),
            ],
            parent,
        )

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
        if index.isValid() and index.column() == 8:
            p = self.rows[index.row()]
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(BADGE_COLORS[p.coverage][0])
            if role == Qt.ItemDataRole.ToolTipRole:
                return p.coverage_reason
        return super().data(index, role)


class PolicyScreenDialog(QDialog):
    """Insurance for one patient. Emits ``changed_policies`` after changes."""

    changed_policies = Signal()

    def __init__(
        self,
        ctx: UiContext,
        patient_id: int,
        parent: QWidget | None = None,
        *,
        select_policy: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("policyScreen")
        self.setWindowTitle("Insurance")
        self.ctx = ctx
        self.patient_id = patient_id
        self.screen: PolicyScreen | None = None
        self.form: PolicyForm | None = None
        self.verify_dialog: VerificationDialog | None = None
        self.banner = banner_label()
        self.policy_model = PolicyModel(self)
        self.table = table(self.policy_model, "policyTable")
        self.history_model: RowTableModel[VerificationRow] = RowTableModel(
            [
                Column("When", lambda v: v.verified_at),
                Column("By", lambda v: v.verified_by),
                Column("How", lambda v: v.method),
                Column("Result", lambda v: v.result),
                Column("Representative", lambda v: v.representative),
                Column("Reference", lambda v: v.reference_no),
                Column("Copay", lambda v: v.copay, align_right=True),
                Column("Deductible", lambda v: v.deductible, align_right=True),
                Column("Met", lambda v: v.deductible_met, align_right=True),
                Column("OOP left", lambda v: v.out_of_pocket_remaining, align_right=True),
                Column("Notes", lambda v: v.notes),
            ],
            self,
        )
        self.history = table(self.history_model, "verificationHistory")
        self.history.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.front = self._card_label("cardFront")
        self.back = self._card_label("cardBack")
        self.detail = QLabel()
        self.detail.setObjectName("policyDetail")
        self.detail.setWordWrap(True)

        edit = ctx.can(Permission.POLICY_EDIT)
        verify = ctx.can(Permission.VERIFY_COVERAGE)
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, tip, slot, allowed in (
            ("add", "&Add policy", "Ctrl+N", self.add_policy, edit),
            ("edit", "&Edit", "F2", self.edit_policy, edit),
            ("verify", "&Verify coverage", "Ctrl+R", self.verify, verify),
            ("primary", "Make &primary", "Ctrl+1", lambda: self.move(1), edit),
            ("up", "Move up", "Ctrl+Up", lambda: self.shift(-1), edit),
            ("down", "Move down", "Ctrl+Down", lambda: self.shift(1), edit),
            ("out", "Take out of order", "", lambda: self.move(None), edit),
            ("front", "Card &front...", "", lambda: self.add_card(CardSide.FRONT), edit),
            ("back", "Card &back...", "", lambda: self.add_card(CardSide.BACK), edit),
        ):
            b = QPushButton(text)
            b.setObjectName(f"policy_{key}")
            b.setAutoDefault(False)
            b.setEnabled(allowed)
            if tip:
                b.setToolTip(tip)
                if allowed:
                    shortcut(self, tip, slot)
            b.clicked.connect(slot)
            buttons.addWidget(b)
            self.buttons[key] = b
        buttons.addStretch(1)
        close = QPushButton("Close")
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        buttons.addWidget(close)

        cards = QHBoxLayout()
        cards.addWidget(self._titled("Card front", self.front))
        cards.addWidget(self._titled("Card back", self.back))
        lower = QWidget()
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.detail)
        ll.addLayout(cards)
        ll.addWidget(QLabel("<b>Verifications of the selected policy</b>"))
        ll.addWidget(self.history, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.banner)
        lay.addWidget(split, 1)
        lay.addLayout(buttons)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())
        self.table.activated.connect(lambda _i: self.edit_policy())
        self.resize(1100, 720)
        self.load(audited=True, select_policy=select_policy)
        self.table.setFocus()

    @staticmethod
    def _card_label(name: str) -> QLabel:
        lab = QLabel("No picture")
        lab.setObjectName(name)
        lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lab.setFixedSize(CARD_BOX[0] + 10, CARD_BOX[1] + 10)
        lab.setStyleSheet("border: 1px dashed #90a4ae; color: #78909c;")
        return lab

    @staticmethod
    def _titled(title: str, w: QWidget) -> QWidget:
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(QLabel(title))
        lay.addWidget(w)
        return box

    # ---------------------------------------------------------------- data

    def load(self, *, audited: bool = False, select_policy: int | None = None) -> None:
        keep = select_policy or (self.current().id if self.current() else None)
        fn = policies.policy_screen if audited else policies.screen_data
        result = (
            ops.run(self, self.ctx, fn, self.patient_id)
            if audited
            else ops.query(self, self.ctx, fn, self.patient_id)
        )
        if not isinstance(result, PolicyScreen):
            return
        self.screen = result
        self.banner.setText(result.banner.text)
        self.setWindowTitle(f"Insurance - account {result.banner.account_no}")
        self.policy_model.set_rows(result.policies)
        row = next((i for i, p in enumerate(result.policies) if p.id == keep), 0)
        if result.policies:
            self.table.selectRow(row)
        self._show_selected()

    def current(self) -> PolicySummary | None:
        if not hasattr(self, "table"):
            return None
        i = self.table.currentIndex().row()
        return self.policy_model.rows[i] if 0 <= i < len(self.policy_model.rows) else None

    def _show_selected(self) -> None:
        p = self.current()
        if p is None or self.screen is None:
            self.detail.setText("No policies yet. Press Ctrl+N to add one.")
            self.history_model.set_rows([])
            for lab in (self.front, self.back):
                lab.setPixmap(QPixmap())
                lab.setText("No picture")
            return
        self.detail.setText(
            f"<b>{p.order}: {p.payer}</b> ({p.program.label}) - member {p.member_id}"
            f"{', group ' + p.group_number if p.group_number else ''}"
            f"{', plan ' + p.plan_name if p.plan_name else ''}<br>"
            f"Patient is the insured's {p.relationship.value}; subscriber {p.subscriber}. "
            f"Effective {day_text(p.effective_date) or '-'}, ends {day_text(p.end_date) or '-'}. "
            f"Copay {p.copay if p.copay is not None else '-'}, deductible "
            f"{p.deductible if p.deductible is not None else '-'}, coinsurance "
            f"{str(p.coinsurance_pct) + '%' if p.coinsurance_pct is not None else '-'}.<br>"
            f"Coverage: <b>{p.coverage.label}</b>: {p.coverage_reason}"
        )
        self.history_model.set_rows(self.screen.verifications.get(p.id, []))
        pics = ops.query(self, self.ctx, policies.card_images, p.id)
        pics = pics if isinstance(pics, dict) else {}
        for side, lab in ((CardSide.FRONT, self.front), (CardSide.BACK, self.back)):
            self._show_picture(lab, pics.get(side))

    @staticmethod
    def _show_picture(lab: QLabel, pic: CardPicture | None) -> None:
        pm = QPixmap()
        if pic is None or not pm.loadFromData(pic.data):
            lab.setPixmap(QPixmap())
            lab.setText("No picture" if pic is None else "Picture cannot be shown")
            return
        lab.setText("")
        lab.setPixmap(
            pm.scaled(
                CARD_BOX[0],
                CARD_BOX[1],
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    def _after_change(self, select: int | None = None) -> None:
        self.load(select_policy=select)
        self.changed_policies.emit()

    # ---------------------------------------------------------------- actions

    def add_policy(self) -> None:
        banner = self.screen.banner.text if self.screen else ""
        self.form = PolicyForm(self.ctx, self.patient_id, banner, parent=self)
        self.form.saved.connect(self._after_change)
        self.form.open()

    def edit_policy(self) -> None:
        p = self.current()
        if p is None or not self.ctx.can(Permission.POLICY_EDIT):
            return
        banner = self.screen.banner.text if self.screen else ""
        self.form = PolicyForm(self.ctx, self.patient_id, banner, p.id, parent=self)
        self.form.saved.connect(lambda _id: self._after_change(p.id))
        self.form.open()

    def verify(self, policy_id: int | None = None) -> VerificationDialog | None:
        p = self.current()
        if policy_id is not None:
            p = next((x for x in self.policy_model.rows if x.id == policy_id), p)
        if p is None:
            return None
        banner = self.screen.banner.text if self.screen else ""
        self.verify_dialog = VerificationDialog(self.ctx, p, banner, parent=self)
        self.verify_dialog.saved.connect(lambda _id: self._after_change(p.id))
        self.verify_dialog.open()
        return self.verify_dialog

    def move(self, rank: int | None) -> None:
        p = self.current()
        if p is None:
            return
        if not isinstance(
            ops.run(self, self.ctx, policies.move_policy, p.id, rank, changed="policies"),
            ops.Failed,
        ):
            self._after_change(p.id)

    def shift(self, step: int) -> None:
        p = self.current()
        if p is None or p.rank is None:
            return
        target = max(1, p.rank + step)
        ranked = [x for x in self.policy_model.rows if x.rank is not None]
        if target > len(ranked):
            return
        self.move(target)

    def add_card(self, side: CardSide) -> None:
        p = self.current()
        if p is None:
            return
        path = choose_image_file(self, side.value)
        if path is None:
            return
        try:
            data = path.read_bytes()
        except OSError:
            ops.run(self, self.ctx, _cannot_read)
            return
        if not isinstance(
            ops.run(self, self.ctx, policies.add_card_image, p.id, side, data, changed="policies"),
            ops.Failed,
        ):
            self._after_change(p.id)


def _cannot_read(_s: object, _a: object) -> None:
    from app.errors import UserFacingError

    raise UserFacingError("That file could not be read. Check that it is still in its folder.")
