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
