"""Typo tolerance (issue 20): corrections against the index's own words, on both databases
(run with HELPDESK_TEST_DB_URL for PostgreSQL)."""

from __future__ import annotations

from sqlmodel import select

from helpdesk.domain.accounts import User
from helpdesk.domain.kb import SearchQuery
from helpdesk.infra.db import session_scope
from helpdesk.services import kb, kb_content, search
from helpdesk.services.search import synonyms, typos
from helpdesk.services.search.languages import language
from helpdesk.services.search.vocabulary import Vocabulary


def _vocab(*words: tuple[str, str, str, int]) -> list:
    from helpdesk.services.search.text import loosen

    es = language("es")
    return [(es, Vocabulary.build([(w, loosen(w), shown, es.stem(w), docs) for w, shown, _, docs in words]))]


def test_unknown_words_are_corrected_and_known_ones_never():
    v = _vocab(("contraseña", "contraseña", "", 5), ("factura", "factura", "", 9), ("fractura", "fractura", "", 1))
    assert typos.suggest(v, "olvide mi contrasela", False).text == "olvide mi contraseña"
    assert typos.suggest(v, "factrua", False).text == "factura"  # a swap is one edit; commoner word wins
    assert typos.suggest(v, "factura", False) is None
    assert typos.suggest(v, "facturas", False) is None  # known by its stem
    assert typos.suggest(v, "fac", False) is None  # too short to guess


def test_never_across_enye_and_n():
    v = _vocab(("ano", "ano", "", 3), ("daño", "daño", "", 3))
    fix = typos.suggest(v, "año", False)
    assert fix is None  # under MIN_LEN, and "ano" is never offered for "año"
    v = _vocab(("campana", "campana", "", 3))
    assert typos.suggest(v, "campaña", False) is None  # only ñ/n differ: a different word
    v = _vocab(("campañas", "campañas", "", 3))
    assert typos.suggest(v, "campañaz", False).text == "campañas"


def test_word_being_typed_is_left_alone_while_it_begins_a_known_word():
    v = _vocab(("contraseña", "contraseña", "", 5))
    assert typos.suggest(v, "contras", True) is None
    assert typos.suggest(v, "contrasel", True).text == "contraseña"


def test_search_corrects_on_the_database_and_as_typed_stays_possible(db):
    with session_scope() as s:
        kb_content.load_demo_content(s)
    with session_scope() as s:
        out = search.search(s, "olvide mi contrasela", "es", 5)
        assert out.corrected == "olvide mi contraseña"
        assert "recuperar-contrasena" in [h.slug for h in out.hits][:3]
        assert search.search(s, "factrua", "es").corrected == "factura"
        assert search.search(s, "pasword", "en").corrected == "password"
        exact = search.search(s, "contrasela", "es", correct=False)
        assert exact.corrected == "" and exact.hits == []
        # A word the articles use is never corrected.
        assert search.search(s, "contraseña", "es").corrected == ""
        assert search.search(s, "xyzzyq", "es").hits == []


def test_editor_synonyms_take_effect_without_restart(db):
    with session_scope() as s:
        kb_content.load_demo_content(s)
        s.add(User(email="ed@example.com", name="Ed", password_hash="x", role="agent"))
    with session_scope() as s:
        assert search.search(s, "pastilla", "es", correct=False).hits == []
        editor = s.exec(select(User).where(User.email == "ed@example.com")).one()
        synonyms.save_group(s, editor, "contraseña, pastilla", "es")
    with session_scope() as s:
        out = search.search(s, "pastilla", "es", correct=False)
        assert "recuperar-contrasena" in [h.slug for h in out.hits] and out.synonyms == ("pastilla",)
        kb.log_search(s, "pastilla", len(out.hits), synonyms=out.synonyms)
    with session_scope() as s:
        row = s.exec(select(SearchQuery)).one()
        assert row.synonyms == "pastilla" and row.meaning
