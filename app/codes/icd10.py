"""ICD-10-CM: a search index over the CDC code set in the ``simple-icd-10-cm``
package.

Importing the package parses the whole tabular XML (1.5 s or more), so the
program never imports it at start. The first time the code set is needed
after an install or an upgrade of the package, ``build`` loads it once and
writes an SQLite file (an FTS5 word index plus a code table) under the
installation's reference folder; every later start only opens that file
(a few milliseconds). The file holds no patient data. It is rebuilt
automatically when the package version or its data files change.

Only billable codes (leaves of the tabular list) may be put on a visit.
Search works by code prefix with or without the dot (``e119``, ``E11.9``)
and by words in any order (``diabetes type 2 without``), each word matching
the start of a word in the description.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sqlite3
import threading
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.config import Paths, default_paths
from app.errors import UserFacingError

ICD10_START = date(2015, 10, 1)
PACKAGE = "simple_icd_10_cm"
INDEX_FILE = "icd10cm.sqlite3"
SCHEMA = 5  # bump when the layout of the index file changes
MAX_CODE_LEN = 8  # with the dot: S72.001A
PREFIX_MAX = 8  # the word index keeps prefix doclists for 1..8 characters

_CODE_LIKE = re.compile(r"^[A-Za-z][0-9][0-9A-Za-z]?(\.?[0-9A-Za-z]{0,4})$")
_WORD = re.compile(r"[0-9a-z]+")
# Word search ranks this many candidates of each pass (title, then inclusion
# terms), fetched in the index's built-in order, then returns the best.
WINDOW = 100
# Words that say nothing a biller would have to type: the plain code of a
# condition is "Urinary tract infection, site not specified", "Low back pain,
# unspecified", "Sore throat (acute) NOS". They do not count against a match.
_NEUTRAL = re.compile(
    r"\b(site not specified|not elsewhere classified|not otherwise specified|unspecified"
    r"|without complications?|nos)\b"
)
_STOP = frozenset(
    ["a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"]
)


class CodeSetMissing(UserFacingError):
    """The ICD-10-CM package is not installed with the program."""


def icd10_start_problem(dos: date) -> str | None:
    """ICD-9 visits are out of scope: refuse a date of service before 10/01/2015."""
    if dos < ICD10_START:
        return (
            f"ICD-10-CM applies to dates of service from {ICD10_START:%m/%d/%Y}; "
            f"a visit dated {dos:%m/%d/%Y} would need ICD-9-CM, which MedBill Desk "
            "does not code."
        )
    return None


def _fold(text: str) -> str:
    """Lower case without accents, as the word index tokenizes."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def nodot(code: str) -> str:
    return re.sub(r"[\s.]", "", code or "").upper()


def normalize(code: str) -> str:
    """``e119`` / ``E11.9`` / `` e11 .9`` -> ``E11.9`` (the form stored on a visit)."""
    c = nodot(code)
    return c[:3] + "." + c[3:] if len(c) > 3 else c


@dataclass(frozen=True)
class IcdHit:
    """One search result."""

    code: str
    description: str
    billable: bool
    kind: str  # category / subcategory / code

    @property
    def label(self) -> str:
        return f"{self.code}  {self.description}"


@dataclass(frozen=True)
class IcdDetail:
    """What the coding screen shows about one code."""

    code: str
    description: str
    billable: bool
    kind: str
    chapter: str  # "4"
    chapter_title: str  # "Endocrine, nutritional and metabolic diseases (E00-E89)"
    # Excludes1 notes of the code and of every level above it: (from, note).
    excludes1: tuple[tuple[str, str], ...]


# ---------------------------------------------------------------- the package


def _package_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise CodeSetMissing(
            "The ICD-10-CM code set (package simple-icd-10-cm) is not installed with "
            "MedBill Desk. Reinstall the program."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def package_fingerprint() -> str:
    """What the index was built from: package version, data files, index layout.

    Found without importing the package (which takes seconds): the version
    comes from the dist-info folder beside it, the data files from a listing.
    """
    pkg = _package_dir()
    prefix = PACKAGE + "-"
    versions = sorted(
        p.name[len(prefix) : -len(".dist-info")] for p in pkg.parent.glob(f"{PACKAGE}-*.dist-info")
    )
    if versions:
        version = versions[-1]
    else:  # an unusual install layout: ask the (slower) metadata machinery
        from importlib.metadata import version as dist_version

        version = dist_version("simple-icd-10-cm")
    data = sorted(
        (p.name, p.stat().st_size) for p in (pkg / "data").iterdir() if p.suffix in {".txt", ".xml"}
    )
    return json.dumps({"package": version, "data": data, "schema": SCHEMA}, sort_keys=True)


def release_label() -> str:
    """The code set's release as the package names its data ("April 2026")."""
    for p in sorted((_package_dir() / "data").glob("code-list-*.txt")):
        m = re.match(r"code-list-([A-Za-z]+)-(\d{4})", p.name)
        if m:
            return f"{m.group(1)} {m.group(2)}"
    return "current"


# ---------------------------------------------------------------- building

_DDL = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE section(
    name TEXT PRIMARY KEY, kind TEXT NOT NULL, description TEXT NOT NULL,
    parent TEXT, excludes1 TEXT NOT NULL);
CREATE TABLE code(
    rid INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, nodot TEXT NOT NULL UNIQUE,
    nlen INTEGER NOT NULL, description TEXT NOT NULL, billable INTEGER NOT NULL,
    kind TEXT NOT NULL, parent TEXT NOT NULL, chapter TEXT NOT NULL, excludes1 TEXT NOT NULL,
    terms TEXT NOT NULL, words TEXT NOT NULL);
CREATE INDEX ix_code_level ON code(nlen, nodot);
CREATE VIRTUAL TABLE code_fts USING fts5(
    description, terms, content='code', content_rowid='rid',
    tokenize='unicode61 remove_diacritics 2', prefix='1 2 3 4 5 6 7 8');
"""


def build(target: Path, progress: Callable[[str], None] | None = None) -> None:
    """Load the package and write the index to ``target`` (atomically)."""
    say = progress or (lambda _msg: None)
    fingerprint = package_fingerprint()
    say("Loading the ICD-10-CM code set")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the package warns about quirks of its XML
        import simple_icd_10_cm as icd

    say("Indexing the ICD-10-CM code set")
    sections: list[tuple[str, str, str, str | None, str]] = []
    codes: list[tuple[str, str, int, str, str, str, str, str]] = []
    chapter_of: dict[str, str] = {}
    for name in dict.fromkeys(icd.get_all_codes(True)):  # unique, in tabular order
        if icd.is_chapter(name):
            sections.append(
                (name, "chapter", icd.get_description(name), None, _json(icd.get_excludes1(name)))
            )
            chapter_of[name] = name
            continue
        if icd.is_block(name):
            parent = icd.get_parent(name, prioritize_blocks=True)
            chapter_of["block:" + name] = chapter_of.get("block:" + parent, parent)
            sections.append(
                (
                    name,
                    "block",
                    icd.get_description(name, prioritize_blocks=True),
                    parent,
                    _json(icd.get_excludes1(name, prioritize_blocks=True)),
                )
            )
        if not icd.is_valid_item(name) or (icd.is_block(name) and not icd.is_category(name)):
            continue
        parent = icd.get_parent(name)
        if icd.is_category(name):
            kind = "category"
            chapter = chapter_of["block:" + parent]
        else:
            kind = "subcategory" if not icd.is_leaf(name) else "code"
            chapter = chapter_of[parent]
        chapter_of[name] = chapter
        codes.append(
            (
                name,
                icd.get_description(name),
                int(icd.is_leaf(name)),
                kind,
                parent,
                chapter,
                _json(icd.get_excludes1(name)),
                # Inclusion terms ("Sore throat (acute) NOS" under J02.9) and the
                # code's own Includes notes ("high blood pressure" under I10):
                # the words a biller types that the title does not have.
                "; ".join(icd.get_inclusion_term(name) + icd.get_includes(name)),
            )
        )
    # Word search reads matches in rowid order and ranks the first WINDOW of
    # them, so rowids go in the order a biller most likely means: billable
    # codes first, then the code with the shortest title or inclusion term
    # (in words that count), then the shortest title.
    codes.sort(key=lambda r: _static_rank(r[0], r[1], r[2], r[7]))

    say("Writing the ICD-10-CM search index")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.building")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.executescript(_DDL)
        db.executemany("INSERT INTO section VALUES (?, ?, ?, ?, ?)", sections)
        db.executemany(
            "INSERT INTO code(code, nodot, nlen, description, billable, kind, parent, chapter,"
            " excludes1, terms, words) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (c, nodot(c), len(nodot(c)), d, b, k, p, ch, ex, t, _phrase_words(d, t))
                for c, d, b, k, p, ch, ex, t in codes
            ],
        )
        db.execute("INSERT INTO code_fts(code_fts) VALUES ('rebuild')")
        db.execute("INSERT INTO code_fts(code_fts) VALUES ('optimize')")
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("fingerprint", fingerprint),
                ("release", release_label()),
                ("billable", str(sum(r[2] for r in codes))),
            ],
        )
        db.commit()
        db.execute("VACUUM")
    finally:
        db.close()
    os.replace(tmp, target)


def _json(items: list[str]) -> str:
    return json.dumps(items, ensure_ascii=False)


def _phrase(text: str) -> str:
    """One title or inclusion term as the ranking reads it: all its words,
    a tab, and the words that count against a match, each word after a
    space. Words in parentheses (the ICD-10-CM sign of a supplementary word),
    "unspecified", "site not specified", "NOS", "of" ... do not count:
    "Essential (primary) hypertension" ->
    " essential primary hypertension\t essential hypertension"."""
    folded = _fold(text)
    every: list[str] = []
    counted: list[str] = []
    for i, part in enumerate(re.split(r"[()]", folded)):
        spans = [(m.start(), m.end()) for m in _NEUTRAL.finditer(part)]
        for m in _WORD.finditer(part):
            every.append(m.group())
            neutral = i % 2 == 1 or m.group() in _STOP or any(a <= m.start() < b for a, b in spans)
            if not neutral:
                counted.append(m.group())
    return "".join(" " + w for w in every) + "\t" + "".join(" " + w for w in counted)


def _phrase_words(description: str, terms: str) -> str:
    """The title and each inclusion term, as ``_phrase``, joined by ``|``
    (the title first)."""
    return "|".join(_phrase(p) for p in [description, *terms.split("; ")] if p.strip())


def _static_rank(
    code: str, description: str, billable: int, terms: str
) -> tuple[int, int, int, str]:
    phrases = _phrase_words(description, terms).split("|")
    counted = min(p.split("\t")[1].count(" ") for p in phrases)
    return (1 - billable, counted, len(description), code)


# ---------------------------------------------------------------- the index


class Icd10Index:
    """The ICD-10-CM index file of one installation, opened lazily.

    Creating the object touches nothing. The first search or lookup checks the
    file against the installed package and builds it when missing or stale;
    ``ensure`` does that step on purpose (e.g. off the GUI thread).
    Each thread gets its own read-only connection.
    """

    def __init__(self, directory: Path) -> None:
        self.path = directory / INDEX_FILE
        self._lock = threading.Lock()
        self._local = threading.local()
        self._generation = 0
        self._ready = False
        self.release = ""
        self.billable_count = 0

    # -------------------------------------------------------------- opening

    def _open(self) -> sqlite3.Connection:
        uri = self.path.resolve().as_uri() + "?mode=ro"
        return sqlite3.connect(uri, uri=True)

    def is_current(self) -> bool:
        """True when the file exists and was built from the installed package."""
        if not self.path.exists():
            return False
        try:
            db = self._open()
            try:
                meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            finally:
                db.close()
        except sqlite3.DatabaseError:
            return False
        if meta.get("fingerprint") != package_fingerprint():
            return False
        self.release = meta.get("release", "")
        self.billable_count = int(meta.get("billable", "0"))
        return True

    def ensure(self, progress: Callable[[str], None] | None = None) -> None:
        """Make sure the index file is current, building it if needed."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            if not self.is_current():
                build(self.path, progress)
                self._generation += 1
                if not self.is_current():
                    raise UserFacingError(
                        "The ICD-10-CM search index could not be prepared. "
                        "Check that the program's data folder can be written."
                    )
            self._ready = True

    def _db(self) -> sqlite3.Connection:
        self.ensure()
        local = self._local
        if getattr(local, "generation", None) != self._generation or local.db is None:
            local.db = self._open()
            local.generation = self._generation
        db: sqlite3.Connection = local.db
        return db

    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # -------------------------------------------------------------- search

    def search(self, text: str, limit: int = 50) -> list[IcdHit]:
        """Codes matching ``text``: a code prefix (``e119``, ``E11.9``) or words
        in any order, each the start of a word of the description."""
        q = text.strip()
        if not q:
            return []
        if _CODE_LIKE.match(q):
            hits = self._by_prefix(nodot(q), limit)
            if hits:
                return hits
        return self._by_words(q, limit)

    def _by_prefix(self, prefix: str, limit: int) -> list[IcdHit]:
        # Level by level (E11, then E11.0 ... E11.9, then E11.00 ...), each
        # level a range scan of the (nlen, nodot) index.
        db = self._db()
        out: list[IcdHit] = []
        for n in range(len(prefix), MAX_CODE_LEN):
            rows = db.execute(
                "SELECT code, description, billable, kind FROM code"
                " WHERE nlen = ? AND nodot >= ? AND nodot < ? ORDER BY nodot LIMIT ?",
                (n, prefix, prefix + "~", limit - len(out)),
            ).fetchall()
            out.extend(IcdHit(c, d, bool(b), k) for c, d, b, k in rows)
            if len(out) >= limit:
                break
        return out

    def _by_words(self, text: str, limit: int) -> list[IcdHit]:
        words = list(dict.fromkeys(_WORD.findall(_fold(text))))
        if not words:
            return []
        # Each word is looked up through the prefix index (words of up to
        # PREFIX_MAX characters have their own ready doclists; a longer word
        # is cut to that length and ``_rank`` drops the few extra matches).
        # Two passes, each reading its first WINDOW matches in the index's
        # built-in order (billable, fewest words, shortest): codes whose title
        # has every word, then codes found through their inclusion terms
        # ("sore throat" finds J02.9 "Acute pharyngitis, unspecified").
        phrase = " ".join(f'"{w[:PREFIX_MAX]}"*' for w in words)
        spaced = tuple(" " + w for w in words)
        counting = tuple(
            " " + w for w in words if not any(w != o and w.startswith(o) for o in words)
        )
        ranked: dict[str, tuple[tuple[int, int, int, int, str], str, int, str]] = {}
        for match in (f"description : ({phrase})", phrase):
            cur = self._db().execute(
                "SELECT c.code, c.description, c.billable, c.kind, c.words FROM code_fts"
                " JOIN code c ON c.rid = code_fts.rowid"
                " WHERE code_fts MATCH ? ORDER BY code_fts.rowid LIMIT ?",
                (match, max(WINDOW, limit)),
            )
            for c, d, b, k, w in cur:
                if c not in ranked and (key := _rank(spaced, counting, c, d, b, w)) is not None:
                    ranked[c] = (key, d, b, k)
        best = sorted(ranked.items(), key=lambda kv: kv[1][0])[:limit]
        return [IcdHit(c, d, bool(b), k) for c, (_, d, b, k) in best]

    # -------------------------------------------------------------- lookups

    def hit(self, code: str) -> IcdHit | None:
        row = (
            self._db()
            .execute(
                "SELECT code, description, billable, kind FROM code WHERE nodot = ?",
                (nodot(code),),
            )
            .fetchone()
        )
        return IcdHit(row[0], row[1], bool(row[2]), row[3]) if row else None

    def descriptions(self, codes: list[str]) -> dict[str, str]:
        """``{code: description}`` for the codes that exist (keys as stored)."""
        keys = [nodot(c) for c in codes if c]
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))
        rows = (
            self._db()
            .execute(f"SELECT code, description FROM code WHERE nodot IN ({marks})", keys)
            .fetchall()
        )
        return dict(rows)

    def detail(self, code: str) -> IcdDetail | None:
        db = self._db()
        row = db.execute(
            "SELECT code, description, billable, kind, parent, chapter, excludes1 FROM code"
            " WHERE nodot = ?",
            (nodot(code),),
        ).fetchone()
        if row is None:
            return None
        name, desc, billable, kind, parent, chapter, ex = row
        excludes = [(name, note) for note in json.loads(ex)]
        # Walk up: subcategories and categories live in ``code``; a
        # category's parent is a block, and blocks and chapters live in
        # ``section`` (a block may share its name with its only category).
        in_sections = kind == "category"
        while parent:
            if in_sections:
                r = db.execute(
                    "SELECT name, kind, parent, excludes1 FROM section WHERE name = ?", (parent,)
                ).fetchone()
            else:
                r = db.execute(
                    "SELECT code, kind, parent, excludes1 FROM code WHERE code = ?", (parent,)
                ).fetchone()
            if r is None:
                break
            excludes.extend((r[0], note) for note in json.loads(r[3]))
            in_sections = in_sections or r[1] == "category"
            parent = r[2]
        title = db.execute("SELECT description FROM section WHERE name = ?", (chapter,)).fetchone()
        return IcdDetail(
            code=name,
            description=desc,
            billable=bool(billable),
            kind=kind,
            chapter=chapter,
            chapter_title=title[0] if title else "",
            excludes1=tuple(excludes),
        )

    def billable_under(self, code: str, limit: int = 4) -> tuple[list[str], int]:
        """Up to ``limit`` billable codes below ``code`` (shortest first) and how many there are."""
        p = nodot(code)
        db = self._db()
        rows = db.execute(
            "SELECT code FROM code WHERE billable = 1 AND nodot > ? AND nodot < ?"
            " ORDER BY nlen, nodot LIMIT ?",
            (p, p + "~", limit),
        ).fetchall()
        (count,) = db.execute(
            "SELECT count(*) FROM code WHERE billable = 1 AND nodot > ? AND nodot < ?",
            (p, p + "~"),
        ).fetchone()
        return [r[0] for r in rows], int(count)

    def is_billable(self, code: str) -> bool:
        h = self.hit(code)
        return bool(h and h.billable)

    def diagnosis_problem(self, code: str, dos: date | None = None) -> str | None:
        """Why ``code`` cannot go on a visit dated ``dos``, or None when it can."""
        if not code or not code.strip():
            return "Diagnosis code is required"
        if dos is not None and (p := icd10_start_problem(dos)):
            return p
        h = self.hit(code)
        shown = normalize(code)
        if h is None:
            return (
                f"{shown} is not an ICD-10-CM code (code set of {self.release or 'this release'})"
            )
        if h.billable:
            return None
        examples, count = self.billable_under(h.code)
        kind = "category" if h.kind == "category" else "subcategory"
        more = f" ({count} billable codes under it)" if count > len(examples) else ""
        return f"{h.code} is a {kind}; pick a billable code such as {', '.join(examples)}{more}"


def _rank(
    words: tuple[str, ...],
    counting: tuple[str, ...],
    code: str,
    description: str,
    billable: int,
    phrases: str,
) -> tuple[int, int, int, int, str] | None:
    """Where a code goes in a word search, lowest first, or None when the
    query's words are not all in it. ``words`` are the query's words each
    after a space; ``counting`` the same without those that merely extend
    another (so no word of a phrase is counted twice).

    Billable codes first (only they can go on a visit); then codes whose
    title has every word before those found through an inclusion term; then
    the fewest words left over that the biller did not type (counted in the
    title or in an inclusion term with every word, whichever is closer:
    I10 "Essential (primary) hypertension" has the Includes note
    "hypertension (arterial) (benign) ..."); then the shortest title.
    """
    best = 99
    tier = 3
    for i, p in enumerate(phrases.split("|")):
        every, counted = p.split("\t")
        if all(w in every for w in words):
            tier = min(tier, 1 if i else 0)
            extra = counted.count(" ") - sum(counted.count(w) for w in counting)
            best = min(best, extra)
    if tier == 3:  # the words are spread over the title and several terms
        if not all(w in phrases for w in words):
            return None  # a word longer than the prefix index matched only its start
        tier = 2
    return (1 - billable, tier, best, len(description), code)


# ---------------------------------------------------------------- where it lives

_indexes: dict[Path, Icd10Index] = {}
_indexes_lock = threading.Lock()


def reference_dir(paths: Paths | None = None) -> Path:
    """The folder of the index: ``MEDBILL_REFERENCE_DIR`` when set (lets
    several stores, or a test run, share one build), else the installation's
    reference folder."""
    env = os.environ.get("MEDBILL_REFERENCE_DIR")
    if env:
        return Path(env)
    return (paths or default_paths()).reference


def index_for(paths: Paths | None = None) -> Icd10Index:
    """The shared index object for an installation (nothing is opened yet)."""
    d = reference_dir(paths).resolve()
    with _indexes_lock:
        if d not in _indexes:
            _indexes[d] = Icd10Index(d)
        return _indexes[d]
