from app.config import Paths
from app.models.staff import Role
from app.ui.context import UiContext
from app.ui.main_window import MainWindow


def _window(qtbot, office, tmp_path, actor):
    ctx = UiContext(office.store, Paths(tmp_path), actor)
    w = MainWindow(ctx, "Maple Street Family Medicine")
    qtbot.addWidget(w)
    return w


def test_areas_follow_the_role(qtbot, office, tmp_path) -> None:
    w = _window(qtbot, office, tmp_path, office.receptionist)
    titles = [w.nav.item(i).text() for i in range(w.nav.count())]
    assert titles == ["Front desk", "Payments"]
    assert "Receptionist" in w.user_label.text()

    w2 = _window(qtbot, office, tmp_path, office.manager)
    titles = [w2.nav.item(i).text() for i in range(w2.nav.count())]
    assert titles == ["Front desk", "Coding", "Claims", "Payments", "Reports", "Admin"]
    assert office.manager.role is Role.MANAGER


def test_about_names_the_store_and_sqlcipher(qtbot, office, tmp_path) -> None:
    w = _window(qtbot, office, tmp_path, office.manager)
    text = w.about_text()
    assert str(office.store.path) in text
    assert "SQLCipher 4." in text


def test_the_window_fits_a_small_screen(qtbot, office, tmp_path) -> None:
    """On a laptop's small screen the status bar (who is logged in) and the
    bottom of every page stay in sight; on a large one the window is 1280 x 800."""
    w = _window(qtbot, office, tmp_path, office.manager)
    free = w.screen().availableGeometry()
    assert w.height() <= free.height() - 30
    assert w.height() == min(800, free.height() - 40)
    assert w.width() == min(1280, free.width()) or w.width() == w.minimumSizeHint().width()
