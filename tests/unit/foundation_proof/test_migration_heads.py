"""The store opens without importing alembic; its quick reading of the
revision files must agree with alembic's own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from app.store import engine


def test_parsed_revisions_agree_with_alembic() -> None:
    script = ScriptDirectory.from_config(engine.alembic_config())
    assert engine.script_heads() == set(script.get_heads())
    graph = engine._revision_graph()
    assert set(graph) == {r.revision for r in script.walk_revisions()}
    for rev in script.walk_revisions():
        assert set(graph[rev.revision]) == set(rev._all_down_revisions)
    assert graph["0001_baseline"] == ()


_OPEN = """
import sys
from pathlib import Path
from app.store.engine import open_store
st = open_store(Path(sys.argv[1]), bytes.fromhex(sys.argv[2]))
st.close()
print(sorted(m for m in sys.modules if m.split(".")[0] == "alembic"))
"""


def test_an_up_to_date_store_opens_without_alembic(store, store_key) -> None:
    store.close()
    out = subprocess.run(
        [sys.executable, "-c", _OPEN, str(store.path), store_key.hex()],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[3],
        check=True,
    )
    assert out.stdout.strip() == "[]", out.stdout
