"""A brief is written in one language: no word of the other language's catalogue appears in it."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from perjaka_analysis.facts import load_run_facts
from perjaka_analysis.i18n import TEXT
from perjaka_analysis.public_figures import sector_name
from perjaka_analysis.render.brief import render_brief_html

PROVINCE = "Jawa Tengah"  # PERJAKA figures, districts, a stale and an approximate figure
WORD = re.compile(r"[A-Za-z]{4,}")
OTHER = {"id": 1, "en": 0}


def _words(lang_index: int) -> set[str]:
    words: set[str] = set()
    for pair in TEXT.values():
        for w in WORD.findall(re.sub(r"\{[^}]*\}", " ", pair[lang_index])):
            words.add(w.lower())
    return words


def foreign_words(lang: str) -> set[str]:
    """Words of the other language's catalogue that this language's catalogue never uses."""
    own = _words(0 if lang == "id" else 1)
    return _words(OTHER[lang]) - own


def visible_text(page: str) -> str:
    """What a reader sees: no tags, scripts, styles, link targets or code (pseudonyms, hashes)."""
    page = re.sub(r"<(style|script|code)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


@pytest.fixture(scope="module")
def run_facts(report_facts):
    """The facts of the session's report runs (every province; computed once per session)."""
    (folder,) = (p for p in report_facts.iterdir() if (p / "facts.json").is_file())
    return load_run_facts(folder)


@pytest.fixture(scope="module", params=["id", "en"])
def brief(request, run_facts) -> tuple[str, str, set[str], pd.DataFrame]:
    lang = request.param
    # facts hold no word: the same facts are shown in either language
    facts = run_facts.in_language(lang)
    f = facts.for_province(PROVINCE)
    # words that come from the data itself (publishers, places), not from the catalogue
    data = " ".join(
        str(v)
        for name in ("sources", "employer_public", "districts", "places", "inspection_list")
        if name in f.tables
        for col in ("publisher", "district", "area", "latest_source")
        if col in f.rows(name)
        for v in f.rows(name)[col].dropna()
    )
    # KBLI sector names are the official ones of the language ("Real estat" is Indonesian)
    sectors = " ".join(sector_name(s, lang) for s in "ABCDEFGHIJKLMNOPQRSTU")
    from_data = {w.lower() for w in WORD.findall(data + " " + sectors)}
    return lang, render_brief_html(f), from_data, f.rows("sources")


def test_no_word_of_the_other_language_appears_in_a_brief(brief):
    lang, page, from_data, _ = brief
    text = visible_text(page)
    seen = {w.lower() for w in WORD.findall(text)}
    leaked = sorted((seen & foreign_words(lang)) - from_data)
    assert not leaked, f"{lang} brief shows words of the other language: {leaked}"
    assert "nan" not in seen and "none" not in seen


def test_the_check_would_catch_a_leak(brief):
    lang, page, from_data, _ = brief
    other = "en" if lang == "id" else "id"
    planted = page.replace("</body>", f"<p>{TEXT['scenario'][OTHER[lang]]}</p></body>")
    seen = {w.lower() for w in WORD.findall(visible_text(planted))}
    assert (seen & foreign_words(lang)) - from_data, other


def test_no_dash_stands_for_a_number_inside_a_sentence(brief):
    _, page, _, _ = brief
    for paragraph in re.findall(r"<p[^>]*>(.*?)</p>", page, flags=re.S):
        words = visible_text(paragraph)
        assert not re.search(r"\(\s*[+]?–|–\s*\)|\+–|: –(?!\S)", words), words


def test_the_source_list_shows_each_figure_at_its_published_precision(brief):
    lang, page, _, sources = brief
    text = " ".join(visible_text(page).split())
    # a figure published as "about 31 million of about 37 million" is computed to
    # 83.78...% and shown as "about 84%", never with the computed decimals
    about = sources[sources["qualifier"] == "about"]
    assert len(about), f"{PROVINCE} has no approximate figure: choose a province that has"
    for value in about["coverage_pct"]:
        word = "cakupan kepesertaan terdaftar sekitar" if lang == "id" else (
            "registration coverage about")  # fmt: skip
        assert f"{word} {round(value)}%" in text
        computed = f"{value:.2f}"
        assert computed not in text and computed.replace(".", ",") not in text


#: Indonesian words and usages an English page never needs (official names such as
#: "Kabupaten", "Kota" and "kabupaten/kota" are names, not words to translate); a word
#: both catalogues share ("semester") escapes the check above, so it is listed here.
INDONESIAN_ONLY = re.compile(
    r"\b(?:semester I{1,2}|dan|yang|dari|belum|sudah|sekitar|lebih|jiwa|iuran|juta|miliar"
    r"|ribu|persen|tahun|bulan|penduduk|peserta|terdaftar|aktif)\b"
)


def test_the_english_catalogue_has_no_indonesian_word_or_date_usage():
    leaked = {
        key: pair[1]
        for key, pair in TEXT.items()
        if INDONESIAN_ONLY.search(re.sub(r"\{[^}]*\}", " ", pair[1]))
    }
    assert not leaked, leaked
    # the check sees the civil registry's "semester II 2024" that an English page must not show
    assert INDONESIAN_ONLY.search("civil registry, semester II 2024")
