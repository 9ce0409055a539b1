"""First start: the set-up wizard.

Pages in the order of the paper forms: the practice, its rendering
providers, the first office manager, where the store key is kept, and the
recovery key (shown, printed, its last group typed back). Finish creates the
encrypted store, keeps the key, writes the office and logs the manager in.
Keyboard only: Enter goes to the next page, Esc asks before stopping.

The wizard is the first window of a first start, so it is built from Qt and
light modules only; the services, the store and the keyring are imported
when a page needs them (start-up loads them behind the window meanwhile).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app import APP_NAME
from app.config import Paths
from app.errors import UserFacingError
from app.store.keys import new_key, recovery_code
from app.ui.forms import FieldForm, ask
from app.ui.recovery import RecoveryKeyPanel
from app.validation import Checker

if TYPE_CHECKING:
    from app.services.auth import Actor
    from app.services.maintenance import KeyPlace
    from app.services.office import NewUserInput, PracticeInput, ProviderInput
    from app.store.engine import Store

MIN_OFFICE_PASSPHRASE = 12


def secure_keyring_available() -> bool:
    from app.store import keys

    return keys.secure_keyring_available()


def keyring_label() -> str:
    from app.store import keys

    return keys.keyring_label()


def _page_layout(page: QWizardPage) -> tuple[QVBoxLayout, QFormLayout, QLabel]:
    lay = QVBoxLayout(page)
    summary = QLabel()
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    lay.addLayout(form)
    lay.addWidget(summary)
    return lay, form, summary


class PracticePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("practicePage")
        self.setTitle("Step 1 of 5: the practice")
        self.setSubTitle(
            "As it appears on your claims (CMS-1500 items 25 and 33) and statements. The EIN "
            "is on your IRS letter; the NPI and taxonomy code are on your NPPES record."
        )
        _, form, summary = _page_layout(self)
        f = self.fields = FieldForm(form, summary, name_prefix="practice.")
        f.line("name", "Practice &name", placeholder="Maple Street Family Medicine")
        f.line("address1", "&Street address")
        f.line("address2", "Suite / &floor", placeholder="(optional)")
        f.line("city", "&City")
        f.line("state", "S&tate", placeholder="IL", max_length=2, width=60)
        f.line("zip", "&ZIP", placeholder="62701 or 62701-1234", max_length=10, width=140)
        f.line("phone", "P&hone", placeholder="(217) 555-0100", width=180)
        f.line("ein", "Federal tax ID (&EIN)", placeholder="12-3456789", max_length=10, width=140)
        f.line("billing_npi", "&Billing NPI", placeholder="10 digits", max_length=10, width=140)
        f.line(
            "taxonomy",
            "Ta&xonomy code",
            placeholder="207Q00000X (family medicine)",
            max_length=10,
            width=220,
        )

    def value(self) -> PracticeInput:
        from app.services.office import PracticeInput

        f = self.fields
        return PracticeInput(**{k: f.text(k) for k in f.inputs})

    def validatePage(self) -> bool:
        from app.services import office

        return self.fields.show(office.check_practice(self.value()).problems)


class ProvidersPage(QWizardPage):
    """One provider's form; "Add another provider" keeps it in the list and
    empties the form. Next adds what is in the form."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("providersPage")
        self.setTitle("Step 2 of 5: rendering providers")
        self.setSubTitle(
            "The physicians and other clinicians who see patients (CMS-1500 item 24J). "
            "Add at least one; more can be added later in Admin."
        )
        self.providers: list[ProviderInput] = []
        lay, form, summary = _page_layout(self)
        f = self.fields = FieldForm(form, summary, name_prefix="provider.")
        f.line("last_name", "&Last name")
        f.line("first_name", "&First name")
        f.line("middle_name", "&Middle name", placeholder="(optional)")
        f.line("credentials", "C&redentials", placeholder="MD, DO, NP, PA-C ...", width=160)
        f.line("npi", "Individual &NPI", placeholder="10 digits", max_length=10, width=140)
        f.line(
            "taxonomy",
            "Ta&xonomy code",
            placeholder="(optional) 207Q00000X",
            max_length=10,
            width=220,
        )
        row = QHBoxLayout()
        self.add_button = QPushButton("&Add another provider")
        self.add_button.setObjectName("addProvider")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_from_form)
        self.remove_button = QPushButton("Remo&ve selected")
        self.remove_button.setObjectName("removeProvider")
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self.remove_selected)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        lay.insertLayout(1, row)
        self.added_label = QLabel("Providers added:")
        lay.insertWidget(2, self.added_label)
        self.list = QListWidget()
        self.list.setObjectName("providerList")
        self.list.setMaximumHeight(110)
        lay.insertWidget(3, self.list)
        lay.addStretch(1)  # the spare room below, not between the rows

    def form_value(self) -> ProviderInput:
        from app.services.office import ProviderInput

        f = self.fields
        return ProviderInput(**{k: f.text(k) for k in f.inputs})

    def add_from_form(self) -> bool:
        from app.services import office

        data = self.form_value()
        c = office.check_provider(data)
        npi = data.npi.strip()
        if npi and any(p.npi.strip() == npi for p in self.providers):
            c.add("npi", f"Provider NPI {npi} is already in the list")
        if not self.fields.show(c.problems):
            return False
        self.providers.append(data)
        cred = f", {data.credentials.strip()}" if data.credentials.strip() else ""
        self.list.addItem(f"{data.first_name.strip()} {data.last_name.strip()}{cred}  (NPI {npi})")
        self.fields.clear_inputs()
        self.fields.inputs["last_name"].setFocus()
        return True

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.providers):
            del self.providers[row]
            self.list.takeItem(row)

    def validatePage(self) -> bool:
        if self.fields.anything_typed():
            return self.add_from_form()
        if not self.providers:
            c = Checker()
            c.add("last_name", "Add at least one rendering provider")
            self.fields.show(c.problems)
            return False
        return True


class ManagerPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("managerPage")
        self.setTitle("Step 3 of 5: the office manager's account")
        _, form, summary = _page_layout(self)
        f = self.fields = FieldForm(form, summary, name_prefix="manager.")
        f.line("full_name", "&Full name")
        f.line("username", "&User name", placeholder="e.g. jsmith", max_length=40, width=220)
        f.line("password", "&Password", password=True)
        f.line("password_again", "Password &again", password=True)

    def initializePage(self) -> None:
        from app.services.auth import MIN_PASSWORD_LENGTH

        self.setSubTitle(
            "The first account; it adds the other staff accounts in Admin. "
            f"The password needs at least {MIN_PASSWORD_LENGTH} characters."
        )

    def value(self) -> NewUserInput:
        from app.services.office import NewUserInput

        f = self.fields
        return NewUserInput(
            username=f.text("username"),
            full_name=f.text("full_name"),
            password=f.text("password"),
            password_again=f.text("password_again"),
        )

    def validatePage(self) -> bool:
        from app.services import office

        return self.fields.show(office.check_new_user(self.value()).problems)


class KeyPage(QWizardPage):
    """Where the store key is kept: the OS keyring when it is secure, otherwise
    (or by choice) wrapped with an office passphrase in a key file."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("keyPage")
        self.setTitle("Step 4 of 5: where the store key is kept")
        self.setSubTitle(
            "Everything is kept in one encrypted file on this computer. Its key must be "
            "kept somewhere MedBill Desk can find it at each start."
        )
        lay = QVBoxLayout(self)
        self.keyring_radio = QRadioButton(
            "In this computer's &keyring (nobody types anything at start-up)"
        )
        self.keyring_radio.setObjectName("keyInKeyring")
        self.passphrase_radio = QRadioButton(
            "Protected by an office &passphrase (typed at every start)"
        )
        self.passphrase_radio.setObjectName("keyWithPassphrase")
        group = QButtonGroup(self)
        group.addButton(self.keyring_radio)
        group.addButton(self.passphrase_radio)
        lay.addWidget(self.keyring_radio)
        self.keyring_note = QLabel()
        self.keyring_note.setObjectName("keyringNote")
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setContentsMargins(24, 0, 0, 8)
        lay.addWidget(self.keyring_note)
        lay.addWidget(self.passphrase_radio)
        form = QFormLayout()
        form.setContentsMargins(24, 0, 0, 0)
        summary = QLabel()
        self.fields = FieldForm(form, summary, name_prefix="key.")
        self.fields.line(
            "passphrase",
            "Office pass&phrase",
            password=True,
            placeholder=f"at least {MIN_OFFICE_PASSPHRASE} characters",
        )
        self.fields.line("passphrase_again", "Passphrase a&gain", password=True)
        lay.addLayout(form)
        lay.addWidget(summary)
        lay.addStretch(1)
        self.looked = False

    def initializePage(self) -> None:
        """Look at the keyring when the page is first reached (not while the
        wizard opens: finding the keyring's backend takes a moment)."""
        if self.looked:
            return
        self.looked = True
        if secure_keyring_available():
            self.keyring_note.setText(
                f"Found this computer's keyring: {keyring_label()}. The key is kept there "
                "and found at each start; the recovery key on the next page is the spare."
            )
            self.keyring_radio.setChecked(True)
        else:
            self.keyring_radio.setEnabled(False)
            self.keyring_note.setText(
                "This computer has no secure keyring, so the key is protected with an "
                "office passphrase. Choose one the office will remember; the recovery key "
                "on the next page opens the store if it is forgotten."
            )
            self.passphrase_radio.setChecked(True)
        self.passphrase_radio.toggled.connect(self._toggled)
        self._toggled(self.passphrase_radio.isChecked())

    def _toggled(self, on: bool) -> None:
        for w in self.fields.inputs.values():
            w.setEnabled(on)
        if on and self.isVisible():
            self.take_keyboard()

    def take_keyboard(self) -> None:
        """With a passphrase to choose, typing goes into its field (the wizard
        itself gives the focus to the page's first radio button)."""
        if self.passphrase_radio.isChecked():
            self.fields.inputs["passphrase"].setFocus()

    def place(self) -> KeyPlace:
        from app.services.maintenance import KeyPlace

        return KeyPlace.PASSPHRASE if self.passphrase_radio.isChecked() else KeyPlace.KEYRING

    def passphrase(self) -> str:
        from app.services.maintenance import KeyPlace

        return self.fields.text("passphrase") if self.place() is KeyPlace.PASSPHRASE else ""

    def validatePage(self) -> bool:
        from app.services.maintenance import KeyPlace

        c = Checker()
        if self.place() is KeyPlace.PASSPHRASE:
            text, again = self.fields.text("passphrase"), self.fields.text("passphrase_again")
            if len(text) < MIN_OFFICE_PASSPHRASE:
                c.add(
                    "passphrase",
                    f"The office passphrase must be at least {MIN_OFFICE_PASSPHRASE} characters",
                )
            if text != again:
                c.add("passphrase_again", "The two passphrases are not the same")
        return self.fields.show(c.problems)


class RecoveryPage(QWizardPage):
    def __init__(self, paths: Paths, code: str, practice_page: PracticePage) -> None:
        super().__init__()
        self.setObjectName("recoveryPage")
        self.setTitle("Step 5 of 5: your recovery key")
        self.setSubTitle("Print it or write it down now. Finish is enabled once you typed it back.")
        lay = QVBoxLayout(self)
        self.panel = RecoveryKeyPanel(
            paths, code, lambda: practice_page.fields.text("name").strip()
        )
        lay.addWidget(self.panel)
        self.panel.confirmed_changed.connect(lambda _ok: self.completeChanged.emit())

    def take_keyboard(self) -> None:
        """The typed-back group is where this page's typing goes (the wizard
        itself gives the focus to the page's first button, Print)."""
        self.panel.last_group.setFocus()

    def isComplete(self) -> bool:
        return self.panel.confirmed()


class SetupWizard(QWizard):
    """After ``exec()`` is accepted: ``store`` (open) and ``actor`` (the
    manager, logged in)."""

    def __init__(self, paths: Paths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.paths = paths
        self.key = new_key()
        self.code = recovery_code(self.key)
        self.store: Store | None = None
        self.actor: Actor | None = None
        self.confirm_cancel = True  # ask before throwing away what was typed
        self.setObjectName("SetupWizard")
        self.setWindowTitle(f"{APP_NAME}: set up this office")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.HaveHelpButton, False)
        self.practice_page = PracticePage()
        self.providers_page = ProvidersPage()
        self.manager_page = ManagerPage()
        self.key_page = KeyPage()
        self.recovery_page = RecoveryPage(paths, self.code, self.practice_page)
        for page in (
            self.practice_page,
            self.providers_page,
            self.manager_page,
            self.key_page,
            self.recovery_page,
        ):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Finish: create the office")
        self.currentIdChanged.connect(self._page_shown)
        self.resize(720, 640)

    def _page_shown(self, _id: int) -> None:
        page = self.currentPage()
        if page is self.recovery_page:
            self.recovery_page.take_keyboard()
        elif page is self.key_page:
            self.key_page.take_keyboard()

    def anything_typed(self) -> bool:
        return any(
            p.fields.anything_typed()
            for p in (self.practice_page, self.providers_page, self.manager_page)
        ) or bool(self.providers_page.providers)

    def reject(self) -> None:
        if (
            self.confirm_cancel
            and self.anything_typed()
            and not ask(self, "Stop setting up the office? Nothing has been saved yet.")
        ):
            return
        super().reject()

    def accept(self) -> None:
        if self.create_office():
            super().accept()

    def create_office(self) -> bool:
        """Keep the key, create the store, write the office. Leaves nothing
        behind when any step fails."""
        from app.services import maintenance, office
        from app.store.engine import open_store, remove_store_files
        from app.ui.ops import report_bug

        paths, key = self.paths, self.key
        practice = self.practice_page.value()
        providers = list(self.providers_page.providers)
        manager = self.manager_page.value()
        place = self.key_page.place()
        self.setCursor(Qt.CursorShape.WaitCursor)
        store: Store | None = None
        try:
            office.check_set_up(practice, providers, manager).raise_if_any()
            paths.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            maintenance.save_key(paths, key, place, self.key_page.passphrase())
            store = open_store(paths.store, key, create=True, backup_dir=paths.backups)
            with store.unit_of_work() as s:
                actor = office.set_up_office(
                    s,
                    practice,
                    providers,
                    manager,
                    key_kept=place.value,
                    recovery_printed=self.recovery_page.panel.printed,
                )
        except BaseException as exc:
            if store is not None:
                store.close()
            remove_store_files(paths.store)
            maintenance.forget_key(paths)
            self.unsetCursor()
            if isinstance(exc, UserFacingError):
                QMessageBox.warning(self, APP_NAME, exc.message)
            elif isinstance(exc, Exception):
                report_bug(self, exc)
            else:
                raise
            return False
        self.unsetCursor()
        self.store, self.actor = store, actor
        return True


def run_setup(paths: Paths) -> tuple[Store, Actor] | None:
    """Show the wizard; the new store and the logged-in manager, or None."""
    wizard = SetupWizard(paths)
    try:
        if wizard.exec() != QWizard.DialogCode.Accepted or wizard.store is None:
            return None
        assert wizard.actor is not None
        return wizard.store, wizard.actor
    finally:
        wizard.deleteLater()
