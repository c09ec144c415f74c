"""Sentences of a brief written from its facts: the key message, the active share, UHC today.

Each function reads a :class:`~perjaka_analysis.facts.ProvinceFacts` and
returns plain text in one language (phrases from
:mod:`perjaka_analysis.i18n`). A missing number never appears as "–" inside
a sentence: the sentence that would carry it is changed or left out.
"""

from __future__ import annotations

import pandas as pd

from ..card import borrowed_active
from ..facts import ProvinceFacts, RunFacts, basis_kind
from ..forecast import (
    HORIZON_YEARS_AFTER_DEADLINE,
)
from ..i18n import (
    fmt_about,
    fmt_date,
    fmt_int,
    fmt_num,
    fmt_pct,
    fmt_pp,
    fmt_prob,
    probability_phrase,
    text,
)
from ..sources import stated_decimals

__all__ = [
    "KEY_MESSAGE_MAX_CHARS",
    "KEY_MESSAGE_MAX_WORDS",
    "active_borrowed",
    "active_sentences",
    "basis_note",
    "chart_caption",
    "key_message",
    "later_text",
    "model_basis_label",
    "no_figure_source",
    "published_pct",
    "scenario_sentences",
    "uhc_sentences",
]

#: A sentence of the key message is short: at most this many words and characters
#: (about two lines of the page, in either language).
KEY_MESSAGE_MAX_WORDS = 32
KEY_MESSAGE_MAX_CHARS = 190


def later_text(facts: ProvinceFacts) -> str:
    """The words for a date beyond the end of the projections (deadline + 10 years).

    >>> from types import SimpleNamespace as NS
    >>> later_text(NS(config=NS(deadline="2029-12-31", language="en")))
    'after 2039'
    """
    year = pd.Timestamp(facts.config.deadline).year + HORIZON_YEARS_AFTER_DEADLINE
    return text("later", facts.config.language).format(year=year)


def _t(key: str, lang: str) -> str:
    """A phrase of the key message (``km_`` keys of :data:`perjaka_analysis.i18n.TEXT`)."""
    return text(f"km_{key}", lang)


def _has(x: object) -> bool:
    return x is not None and not (not isinstance(x, str) and bool(pd.isna(x)))


def published_pct(value: float, qualifier: str, decimals: int, lang: str = "id") -> str:
    """A percentage at the precision it was published: ``> 96%``, ``sekitar 84%``, ``83,4%``.

    Examples
    --------
    >>> published_pct(96.0, "more_than", 0), published_pct(83.78, "about", 0, "en")
    ('> 96%', 'about 84%')
    >>> published_pct(83.4, "", 1)
    '83,4%'
    """
    pct = fmt_pct(value, lang, int(decimals))
    if qualifier == "more_than":
        return f"> {pct}"
    if qualifier == "about":
        return f"{'sekitar' if lang == 'id' else 'about'} {pct}"
    return pct


def model_basis_label(basis: str, lang: str = "id") -> str:
    """What a model's basis string means, in words of the language.

    Examples
    --------
    >>> model_basis_label("pooled (no data)", "en")
    'no own figure, borrowed from other provinces'
    """
    b = str(basis)
    if b.startswith("own data"):
        key = "model_basis_own"
    elif b.startswith("one figure"):
        key = "model_basis_one"
    elif b.startswith("national"):
        key = "model_basis_national"
    else:
        key = "model_basis_none"
    return text(key, lang)


def no_figure_source(facts: ProvinceFacts | RunFacts) -> str:
    """Where the run's model takes a place without figures from: ``pooled`` or ``nation``.

    The pooled model borrows the trend of all provinces; the saturation model
    (the default) follows the national path with the spread of the provinces'
    offsets. Picks the words of the brief's note and chart title
    (``basis_<source>``, ``chart_basis_<source>``) and of the overview's note
    (``none_source_<source>``).

    >>> from types import SimpleNamespace as NS
    >>> no_figure_source(NS(meta={"trend_method": "saturation"}))
    'nation'
    """
    return "pooled" if facts.meta.get("trend_method") == "pooled" else "nation"


def _first(facts: ProvinceFacts, name: str) -> pd.Series | None:
    if name not in facts.tables:
        return None
    rows = facts.rows(name)
    if rows.empty:
        return None
    if "level" in rows:
        rows = rows.sort_values("level", kind="stable")
    return rows.iloc[0]


def active_sentences(facts: ProvinceFacts, lang: str = "id") -> list[str]:
    """The latest active figure (basis, date at its precision, source) and the nowcast."""
    out = []
    latest = _first(facts, "active_latest")
    if latest is None or not _has(latest["active_pct"]):
        out.append(text("active_none", lang))
    else:
        values = {
            # at the precision it was published ("73%", not "73,0%")
            "pct": fmt_pct(latest["active_pct"], lang, stated_decimals(latest["active_pct"])),
            "basis": text(f"active_basis_{latest['active_basis']}", lang),
            "date": fmt_date(latest["active_date"], lang, latest["active_precision"] or "day"),
            "source": latest["active_source"],
        }
        key = "active_latest_text" if latest["active_source"] else "active_latest_nosource"
        out.append(text(key, lang).format(**values))
        if latest["active_basis"] == "of_participants":  # beside a nowcast of the population
            out.append(text("active_bases_note", lang))
    now = _first(facts, "active_nowcast")
    if now is not None and _has(now["mean"]):
        out.append(
            text("active_nowcast_text", lang).format(
                date=fmt_date(now["date"], lang),
                mean=fmt_pct(now["mean"], lang, 1),
                level=int(now["level"]),
                lower=fmt_pct(now["lower"], lang, 1),
                upper=fmt_pct(now["upper"], lang, 1),
                basis=model_basis_label(now["basis"], lang),
            )
        )
    return out


def active_borrowed(facts: ProvinceFacts) -> bool:
    """True when the province has no active figure of its own (its active nowcast is borrowed).

    Its UHC probability under today's definition would then rest on other
    provinces' active shares: the brief says it cannot be assessed yet.
    """
    now = _first(facts, "active_nowcast")
    return now is not None and borrowed_active(now["n_points"], now["basis"])


def uhc_sentences(facts: ProvinceFacts, lang: str = "id") -> list[str]:
    """UHC under today's definition: the rule, the joint probability, the date, what binds.

    Without an active figure of the province's own, the joint probability is
    not given: the sentences say why and what is known (registration).
    """
    row = _first(facts, "uhc")
    if row is None:
        return []
    rule = text("uhc_rule", lang).format(
        reg=fmt_pct(row["registered_pct"], lang, 0), act=fmt_pct(row["active_pct"], lang, 0)
    )
    if active_borrowed(facts):
        return [
            rule,
            text("uhc_borrowed", lang).format(
                prob=fmt_prob(row["prob_registered"], lang),
                deadline=fmt_date(facts.config.deadline, lang),
            ),
        ]
    out = [
        rule,
        text("uhc_prob", lang).format(
            deadline=fmt_date(facts.config.deadline, lang),
            phrase=probability_phrase(float(row["prob_by_deadline"]), lang),
        ),
    ]
    if _has(row["prob_now"]) and float(row["prob_now"]) >= 0.5:
        # in the words of its probability on the brief's date: "already met" is said
        # outright only from 0.95 on ("almost certainly")
        out.append(
            text("uhc_now_words", lang).format(
                date=fmt_date(facts.config.as_of, lang),
                phrase=probability_phrase(float(row["prob_now"]), lang),
            )
        )
    elif _has(row["expected_date"]):
        upper = (
            fmt_date(row["date_upper_80"], lang, "month")
            if _has(row["date_upper_80"])
            else later_text(facts)
        )
        out.append(
            text("uhc_expected", lang).format(
                date=fmt_date(row["expected_date"], lang, "month"),
                lower=fmt_date(row["date_lower_80"], lang, "month"),
                upper=upper,
            )
        )
    else:
        out.append(text("uhc_not_expected", lang))
    binds = {"active": "uhc_binds_active", "registration": "uhc_binds_registration"}
    out.append(text(binds.get(str(row["binding"]), "uhc_binds_neither"), lang))
    return out


def _share_text(pct: float, lang: str) -> str:
    """A share of a gap (percent) as shown, "less than 0.1%" when it rounds to nothing."""
    if float(pct) < 0.05:
        return text("sc_share_tiny", lang)
    return fmt_pct(pct, lang, 1)


def _active_gap_sentence(facts: ProvinceFacts, lang: str) -> str | None:
    """People who would have to resume paying for the active condition: the status card's number.

    Only where the card gives one above zero (the active nowcast rests on the
    province's own figures, the population is known and the nowcast is below
    the condition: :func:`perjaka_analysis.card.people_to_reach`).
    """
    uhc, now = _first(facts, "uhc"), _first(facts, "active_nowcast")
    card = facts.row("card") if "card" in facts.tables else None
    if uhc is None or now is None or card is None or not _has(card["people_to_resume"]):
        return None
    if float(card["people_to_resume"]) <= 0:
        return None
    return text("sc_active", lang).format(
        t=fmt_pct(uhc["active_pct"], lang, 0),
        now=fmt_pct(now["mean"], lang, 1),
        people=fmt_int(card["people_to_resume"], lang),
        lower=fmt_int(card["people_to_resume_lower"], lang),
        upper=fmt_int(card["people_to_resume_upper"], lang),
    )


def scenario_sentences(facts: ProvinceFacts, lang: str = "id") -> list[str]:
    """The enforcement scenario in words: how much of the gap the list closes, what else is needed.

    Reads the ``enforcement`` row of the highest target (the distance from
    today's nowcast), the ``scenario`` table (months earlier) and the
    ``capacity`` row (registry size against the public count). A number that
    is missing leaves its sentence out.

    Parameters
    ----------
    facts : ProvinceFacts
    lang : {"id", "en"}

    Returns
    -------
    list of str
        Sentences, in order; empty without an enforcement table.
    """
    if "enforcement" not in facts.tables:
        return []
    rows = facts.rows("enforcement")
    if rows.empty:
        return []
    row = rows.sort_values("target_pct").iloc[-1]
    target = fmt_pct(row["target_pct"], lang, 1)
    out = []
    if not _has(row["gap_pp"]) or float(row["gap_pp"]) <= 0:
        out.append(
            text("sc_above", lang).format(t=target, now=fmt_pct(row["nowcast_pct"], lang, 1))
        )
    else:
        gap = {
            "t": target,
            "now": fmt_pct(row["nowcast_pct"], lang, 1),
            "gap": fmt_pp(row["gap_pp"], lang, 1),
        }
        if _has(row["gap_people"]):
            out.append(
                text("sc_gap_people", lang).format(people=fmt_int(row["gap_people"], lang), **gap)
            )
        else:
            out.append(text("sc_gap", lang).format(**gap))
        if _has(row["share_closed_pct"]) and float(row["share_closed_pct"]) >= 100:
            out.append(text("sc_closes_all", lang))
        elif _has(row["share_closed_pct"]):
            closes = text("sc_closes", lang).format(
                share=_share_text(row["share_closed_pct"], lang),
                n=fmt_about(row["added_participants"], lang),
            )
            if _has(row["gap_people"]):
                closes += " " + text("sc_rest", lang).format(
                    rest=fmt_about(row["remaining_people"], lang)
                )
            out.append(closes)
    if _has(row["months_of_growth"]):
        earlier = facts.rows("scenario")["months_earlier"] if "scenario" in facts.tables else None
        moved = earlier is not None and bool((earlier.fillna(0) > 0).any())
        # above the highest target no date is left to move: "so the dates barely move"
        # would read as a consequence of the months (68 months in Banten)
        above = not _has(row["gap_pp"]) or float(row["gap_pp"]) <= 0
        out.append(
            text("sc_growth_moved" if moved or above else "sc_growth", lang).format(
                m=fmt_num(row["months_of_growth"], lang, 1),
                r=fmt_int(row["recent_per_month"], lang),
            )
        )
    active = _active_gap_sentence(facts, lang)
    if active:
        out.append(active)
    capacity = facts.row("capacity") if "capacity" in facts.tables else None
    if (
        capacity is not None
        and _has(capacity["registered_employers"])
        and float(capacity["registered_employers"]) > float(capacity["n_registry"])
    ):
        out.append(
            text("sc_understated", lang).format(
                n=fmt_int(capacity["n_registry"], lang),
                total=fmt_int(capacity["registered_employers"], lang),
            )
        )
    return out


def basis_note(facts: ProvinceFacts, measure: str, lang: str = "id") -> str:
    """What a measure's estimate borrows, in brackets after a space ("" for own figures).

    The key message and the chart's legend say it in the same words:
    a registration path from the national trend (no figure of its own) or
    from an older territory; an active share borrowed from other provinces,
    or one figure of its own on other provinces' trend.

    Parameters
    ----------
    facts : ProvinceFacts
    measure : {"registered", "active"}
    lang : {"id", "en"}
    """
    if measure == "registered":
        return _reg_note(facts, lang)
    now = _first(facts, "active_nowcast")
    return "" if now is None else _act_note(now, lang)


def chart_caption(facts: ProvinceFacts, lang: str = "id") -> str:
    """The sources under the chart of both measures: the latest figure of each, dated.

    Registered: the ``places`` row's latest figure at its published
    precision; active: the ``active_latest`` row with its basis; the date of
    the model's estimates; the full list is in the method section.
    """
    parts = []
    place = facts.row("places")
    if place is not None and _has(place["latest_pct"]):
        parts.append(
            text("caption_registered", lang).format(
                pct=published_pct(
                    place["latest_pct"], place["latest_qualifier"], place["latest_decimals"], lang
                ),
                date=fmt_date(place["latest_date"], lang, place["latest_precision"] or "day"),
                source=place["latest_source"] or text("caption_no_source", lang),
            )
        )
    else:
        parts.append(text("caption_registered_none", lang))
    latest = _first(facts, "active_latest")
    if latest is not None and _has(latest["active_pct"]):
        parts.append(
            text("caption_active", lang).format(
                pct=fmt_pct(latest["active_pct"], lang, stated_decimals(latest["active_pct"])),
                basis=text(f"active_basis_{latest['active_basis']}", lang),
                date=fmt_date(latest["active_date"], lang, latest["active_precision"] or "day"),
                source=latest["active_source"] or text("caption_no_source", lang),
            )
        )
    else:
        parts.append(text("caption_active_none", lang))
    return text("caption", lang).format(
        items="; ".join(parts), date=fmt_date(facts.config.as_of, lang)
    )


def _reg_note(facts: ProvinceFacts, lang: str) -> str:
    """What the registration estimate borrows, in brackets ("" for the province's own figures)."""
    place = facts.row("places")
    kind = "own" if place is None else basis_kind(place["basis"])
    if kind == "own":
        return ""
    if kind == "none":
        kind = no_figure_source(facts)
    return " " + _t(f"reg_from_{kind}", lang)


def _act_note(now: pd.Series, lang: str) -> str:
    """What the active estimate borrows, in brackets ("" for the province's own figures)."""
    basis = str(now["basis"])
    if borrowed_active(now["n_points"], basis):
        return " " + _t("act_borrowed", lang)
    if basis.startswith("pooled"):  # no figure, but a UHC status report of today's definition
        return " " + _t("act_status", lang)
    if basis.startswith("one figure"):
        return " " + _t("act_one", lang)
    return ""


def _now_sentence(facts: ProvinceFacts, lang: str) -> str | None:
    """Where the province stands on the brief's date, naming what each estimate borrows."""
    reg, act = _first(facts, "nowcast"), _first(facts, "active_nowcast")
    if reg is None or not _has(reg["mean"]):
        return None
    values = {
        "date": fmt_date(reg["date"], lang),
        "reg": fmt_pct(reg["mean"], lang, 1),
        "reg_note": basis_note(facts, "registered", lang),
    }
    if act is None or not _has(act["mean"]):
        return _t("now_reg", lang).format(**values)
    values |= {"act": fmt_pct(act["mean"], lang, 1), "act_note": basis_note(facts, "active", lang)}
    return _t("now_both", lang).format(**values)


def _uhc_sentence(facts: ProvinceFacts, lang: str) -> str | None:
    """UHC under today's definition: the probability on the brief's date and by the deadline."""
    row = _first(facts, "uhc")
    if row is None:
        return None
    values = {
        "reg": fmt_pct(row["registered_pct"], lang, 0),
        "act": fmt_pct(row["active_pct"], lang, 0),
        "deadline": fmt_date(facts.config.deadline, lang),
    }
    if active_borrowed(facts):
        if not _has(row["prob_registered"]):
            return None
        return _t("uhc_borrowed", lang).format(
            p_reg=probability_phrase(float(row["prob_registered"]), lang), **values
        )
    if not _has(row["prob_now"]) or not _has(row["prob_by_deadline"]):
        return None
    return _t("uhc", lang).format(
        p_now=probability_phrase(float(row["prob_now"]), lang),
        p_deadline=probability_phrase(float(row["prob_by_deadline"]), lang),
        **values,
    )


def _needs_sentence(facts: ProvinceFacts, lang: str) -> str | None:
    """What it takes: the status card's people to register and people to resume paying."""
    card = facts.row("card") if "card" in facts.tables else None
    if card is None or not _has(card["people_to_register"]):
        return None
    register, resume = float(card["people_to_register"]), card["people_to_resume"]
    reg_t = fmt_pct(card["registered_threshold_pct"], lang, 0)
    act_t = fmt_pct(card["active_threshold_pct"], lang, 0)
    parts = []
    if register > 0:
        parts.append(_t("need_register", lang).format(n=fmt_int(register, lang), t=reg_t))
    if _has(resume) and float(resume) > 0:
        parts.append(_t("need_resume", lang).format(n=fmt_int(resume, lang), t=act_t))
    if parts:
        out = _t("needs", lang).format(items=_t("and", lang).join(parts))
    elif _has(resume):
        return _t("needs_none", lang).format(reg=reg_t, act=act_t)
    else:
        out = _t("needs_reg_above", lang).format(t=reg_t)
    if not _has(resume):
        out += "; " + _t("need_resume_unknown", lang)
    return out


def key_message(province_facts: ProvinceFacts, language: str = "id") -> str:
    """At most three short sentences a decision-maker reads first, from the facts only.

    1. Where the province stands on the brief's date: the registered and
       active estimates, each naming what it borrows (an active share taken
       from other provinces, a registration path from the national trend or
       an older territory).
    2. UHC under today's definition: the probability that both conditions
       hold on the brief's date and by the deadline, in the project's
       probability words (or why it cannot be assessed).
    3. What it takes: the status card's people to register and people to
       resume paying.

    Intervals, the latest published figures with their dates and sources,
    and the inspection list are on the status card and in the sections
    below. A number that is missing changes or drops its sentence; no
    sentence carries "–" for it.

    Parameters
    ----------
    province_facts : ProvinceFacts
    language : {"id", "en"}

    Returns
    -------
    str
    """
    f, lang = province_facts, language
    sentences = (_now_sentence(f, lang), _uhc_sentence(f, lang), _needs_sentence(f, lang))
    return " ".join(s[0].upper() + s[1:] + "." for s in sentences if s)
