"""The main window: work areas on the left, the user and role in the status bar."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from app import APP_NAME, __version__
from app.services.auth import Permission, can
from app.ui.areas import AREAS, RECORD_AREAS, Area
from app.ui.context import UiContext

TITLE_BAR = 40  # pixels the desktop adds above the window (its title bar and frame)


class MainWindow(QMainWindow):
    """Emits ``logout_requested`` (File > Log out), ``lock_requested``
    (File > Lock), ``restore_requested`` (File > Restore) and ``closing`` (the
    window is closed: File > Quit). File > Back up runs here."""

    logout_requested = Signal()
    lock_requested = Signal()
    backup_requested = Signal()
    restore_requested = Signal()
    closing = Signal()

    def __init__(self, ctx: UiContext, practice_name: str = "") -> None:
        super().__init__()
        self.ctx = ctx
        self.practice_name = practice_name
        self.setObjectName("MainWindow")
        self.locked = False  # set by the lock: a locked window does not close
        self.setWindowTitle(f"{APP_NAME} - {practice_name}" if practice_name else APP_NAME)
        self._fit_screen(1280, 800)

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setMaximumWidth(200)
        self.nav.setStyleSheet(
            "QListWidget { font-size: 15px; } QListWidget::item { padding: 8px; }"
        )
        self.pages = QStackedWidget()
        self.pages.setObjectName("pages")
        self._areas: list[Area] = []
        self._built: dict[str, QWidget] = {}
        split = QSplitter()
        split.addWidget(self.nav)
        split.addWidget(self.pages)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([200, 1080])  # the navigation's own width, no empty band
        self.setCentralWidget(split)
        self.nav.currentRowChanged.connect(self._show_area)

        self._build_menus()
        self.user_label = QLabel()
        self.user_label.setObjectName("userLabel")
        if ctx.demo:
            demo = QLabel("Demo office: made-up patients, thrown away on exit")
            demo.setObjectName("demoLabel")
            demo.setStyleSheet("color: #8a5a00; font-weight: bold;")
            self.statusBar().addWidget(demo)
        self.statusBar().addPermanentWidget(self.user_label)
        self.ctx.actor_changed.connect(self.rebuild_for_actor)
        self.ctx.open_requested.connect(self.open_record)
        self.rebuild_for_actor()

    def _fit_screen(self, width: int, height: int) -> None:
        """``width`` x ``height`` where the screen has room; on a small screen
        (a 1366x768 laptop) no more than its free area less the title bar, so
        the status bar and the bottom buttons stay in sight."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            self.resize(width, height)
            return
        free = screen.availableGeometry()
        self.resize(min(width, free.width()), min(height, free.height() - TITLE_BAR))

    # ---------------------------------------------------------------- areas

    def rebuild_for_actor(self) -> None:
        """Show the areas the current user's role may use."""
        a = self.ctx.actor
        self.user_label.setText(f"Signed in: {a.full_name} ({a.username}) - {a.role.label}")
        self.nav.blockSignals(True)
        self.nav.clear()
        while self.pages.count():
            w = self.pages.widget(0)
            self.pages.removeWidget(w)
            w.deleteLater()
        self._built.clear()
        self._areas = [area for area in AREAS if can(a, area.permission)]
        for area in self._areas:
            item = QListWidgetItem(area.title)
            item.setToolTip(f"{area.title} ({area.shortcut})")
            self.nav.addItem(item)
            placeholder = QWidget()
            self.pages.addWidget(placeholder)
        self.nav.blockSignals(False)
        if self._areas:
            self.nav.setCurrentRow(0)
            self._show_area(0)
        for act, area in self._area_actions:
            act.setEnabled(area in self._areas)
        for act in (self.act_backup, self.act_restore):
            act.setEnabled(can(a, Permission.BACKUP))

    def _show_area(self, row: int) -> None:
        if not 0 <= row < len(self._areas):
            return
        area = self._areas[row]
        if area.key not in self._built:
            page = area.create_page(self.ctx)
            page.setObjectName(f"area_{area.key}")
            old = self.pages.widget(row)
            self.pages.insertWidget(row, page)
            self.pages.removeWidget(old)
            old.deleteLater()
            self._built[area.key] = page
        self.pages.setCurrentIndex(row)

    def open_area(self, key: str) -> QWidget | None:
        """Switch to an area by key; returns its page (built on first use)."""
        for i, area in enumerate(self._areas):
            if area.key == key:
                self.nav.setCurrentRow(i)
                self._show_area(i)
                return self._built[key]
        return None

    def open_record(self, kind: str, record_id: object) -> bool:
        """Switch to the area that shows ``kind`` and ask its page to open it."""
        area_key = RECORD_AREAS.get(kind)
        page = self.open_area(area_key) if area_key else None
        if page is None:
            QMessageBox.information(
                self, APP_NAME, "Your role does not include the area that shows this record."
            )
            return False
        opener = getattr(page, "open_record", None)
        return bool(opener(kind, record_id)) if opener else False

    def current_area_key(self) -> str | None:
        row = self.nav.currentRow()
        return self._areas[row].key if 0 <= row < len(self._areas) else None

    # ---------------------------------------------------------------- menus

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.act_backup = QAction("&Back up...", self)
        self.act_backup.triggered.connect(self.backup_requested.emit)
        self.backup_requested.connect(self.back_up)
        self.act_restore = QAction("&Restore...", self)
        self.act_restore.triggered.connect(self.restore_requested.emit)
        self.act_lock = QAction("&Lock", self)
        self.act_lock.setShortcut(QKeySequence("Ctrl+L"))
        self.act_lock.triggered.connect(self.lock_requested.emit)
        self.act_logout = QAction("Log &out", self)
        self.act_logout.triggered.connect(self.logout_requested.emit)
        self.act_quit = QAction("&Quit", self)
        self.act_quit.setShortcut(QKeySequence.StandardKey.Quit)
        self.act_quit.triggered.connect(self.close)
        for act in (self.act_backup, self.act_restore):
            file_menu.addAction(act)
        file_menu.addSeparator()
        for act in (self.act_lock, self.act_logout, self.act_quit):
            file_menu.addAction(act)

        go = self.menuBar().addMenu("&Go")
        self._area_actions: list[tuple[QAction, Area]] = []
        for area in AREAS:
            act = QAction(area.title, self)
            act.setShortcut(QKeySequence(area.shortcut))
            act.triggered.connect(lambda _=False, k=area.key: self.open_area(k))
            go.addAction(act)
            self._area_actions.append((act, area))

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About MedBill Desk", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def back_up(self) -> None:
        from app.ui.backup import backup_flow

        backup_flow(self, self.ctx)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.locked:
            event.ignore()
            return
        self.closing.emit()
        super().closeEvent(event)

    def about_text(self) -> str:
        store = self.ctx.store
        where = "a throwaway demo store" if self.ctx.demo else str(store.path)
        return (
            f"<h3>{APP_NAME} {__version__}</h3>"
            f"<p>Office store: {where}</p>"
            f"<p>Encryption: SQLCipher {store.sqlcipher_version()}</p>"
            "<p>All data stays on this computer; MedBill Desk uses no network.</p>"
        )

    def show_about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle(f"About {APP_NAME}")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(self.about_text())
        box.exec()
