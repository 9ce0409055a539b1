"""The log-in window as a person meets it after wrong passwords."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.ui.login import LoginDialog
from tests.ui.foundation.modals import show_active


def test_the_fifth_wrong_password_says_the_account_is_locked_and_nothing_is_squeezed(
    qtbot, office
) -> None:
    dlg = LoginDialog(office.store, "Maple Street Family Medicine")
    qtbot.addWidget(dlg)
    show_active(qtbot, dlg)
    heading, field = dlg.heading.height(), dlg.username.height()
    dlg.username.setText("biller")
    for i in range(5):
        qtbot.keyClicks(dlg.password, f"wrong password {i}")
        qtbot.keyClick(dlg.password, Qt.Key.Key_Return)
        if i < 4:
            assert dlg.message.text() == "The user name or password is not correct."
    assert "this account is locked for 5 minutes" in dlg.message.text()
    assert dlg.actor is None and dlg.isVisible()
    # The two-line message has the room it needs; the rows above keep theirs.
    msg = dlg.message
    assert msg.height() >= msg.heightForWidth(msg.width())
    assert (dlg.heading.height(), dlg.username.height()) == (heading, field)
