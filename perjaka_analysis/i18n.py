"""The one message catalogue of the briefs and the overview, and their number formats.

Bahasa Indonesia (default) and English. Every word a page shows — text,
table headers, chart labels and legends — is a key of :data:`TEXT`; a
template reads them through :func:`catalogue`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = [
    "LANGUAGES",
    "PROBABILITY_BANDS",
    "TEXT",
    "banded_reasons",
    "catalogue",
    "fmt_about",
    "fmt_amount",
    "fmt_date",
    "fmt_int",
    "fmt_num",
    "fmt_pct",
    "fmt_period",
    "fmt_plain",
    "fmt_pp",
    "fmt_prob",
    "fmt_rp",
    "probability_phrase",
    "probability_words",
    "reason_sentences",
    "text",
]

LANGUAGES = ("id", "en")

MONTHS = {
    "id": [
        "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
        "September", "Oktober", "November", "Desember",
    ],
    "en": [
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ],
}  # fmt: skip


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NaT or pd.isna(x)


def fmt_int(x: object, lang: str = "id") -> str:
    """Whole number with thousands separators: ``1.610.575`` (id), ``1,610,575`` (en).

    Examples
    --------
    >>> fmt_int(1610575), fmt_int(1610575, "en")
    ('1.610.575', '1,610,575')
    """
    if _missing(x):
        return "–"
    s = f"{round(float(x)):,}"
    return s.replace(",", ".") if lang == "id" else s


def fmt_about(x: object, lang: str = "id", significant: int = 2) -> str:
    """An expected count of a model at ``significant`` significant digits (whole
    numbers below ``10 ** significant``): the expectations of a synthetic
    registry are not known to the person.

    Examples
    --------
    >>> fmt_about(2538), fmt_about(6258, "en"), fmt_about(8795), fmt_about(87), fmt_about(None)
    ('2.500', '6,300', '8.800', '87', '–')
    """
    if _missing(x):
        return "–"
    value = float(x)
    if abs(value) >= 10**significant:
        value = float(f"{value:.{significant}g}")
    return fmt_int(value, lang)


def fmt_num(x: object, lang: str = "id", digits: int = 2) -> str:
    """Decimal number: ``80,47`` (id), ``80.47`` (en)."""
    if _missing(x):
        return "–"
    s = f"{float(x):,.{digits}f}"
    if lang == "id":
        s = s.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return s


def fmt_pct(x: object, lang: str = "id", digits: int = 2) -> str:
    """Percentage: ``80,47%`` (id), ``80.47%`` (en).

    Examples
    --------
    >>> fmt_pct(80.47), fmt_pct(80.47, "en")
    ('80,47%', '80.47%')
    """
    return "–" if _missing(x) else fmt_num(x, lang, digits) + "%"


def fmt_plain(x: object, lang: str = "id", digits: int = 2) -> str:
    """A published number to at most ``digits`` decimals, trailing zeros dropped.

    Shows a figure at the precision it was published with: ``86`` stays
    ``86``, ``83.62`` stays ``83,62``.

    Examples
    --------
    >>> fmt_plain(86.0), fmt_plain(83.62), fmt_plain(99.5, "en"), fmt_plain(2.494)
    ('86', '83,62', '99.5', '2,49')
    """
    if _missing(x):
        return "–"
    text_ = f"{float(x):.{digits}f}".rstrip("0").rstrip(".")
    return fmt_num(float(text_), lang, len(text_.partition(".")[2]))


def fmt_pp(x: object, lang: str = "id", digits: int = 2) -> str:
    """Percentage points: ``1,5 poin persen`` / ``1.5 percentage points``."""
    if _missing(x):
        return "–"
    return f"{fmt_num(x, lang, digits)} {text('pp', lang)}"


#: Ordinals of a semester or quarter: Roman numerals (id), words (en).
_PERIOD_PART = {
    "id": {"S": "semester {n} {year}", "Q": "triwulan {n} {year}"},
    "en": {"S": "{n} half of {year}", "Q": "{n} quarter of {year}"},
}
_ORDINAL = {"id": ("I", "II", "III", "IV"), "en": ("first", "second", "third", "fourth")}


def fmt_period(period: str, lang: str = "id") -> str:
    """A reporting period ``YYYY-S1``…``YYYY-Q4`` in words.

    Examples
    --------
    >>> fmt_period("2025-S2"), fmt_period("2025-S2", "en")
    ('semester II 2025', 'second half of 2025')
    >>> fmt_period("2026-q1"), fmt_period("2026-Q1", "en")
    ('triwulan I 2026', 'first quarter of 2026')
    >>> fmt_period("2026")
    '2026'
    """
    text_ = str(period).strip().upper()
    year, _, part = text_.partition("-")
    if len(part) != 2 or part[0] not in "SQ" or part[1] not in "1234":
        return text_
    n = _ORDINAL[lang][int(part[1]) - 1]
    return _PERIOD_PART[lang][part[0]].format(n=n, year=year)


def fmt_date(x: object, lang: str = "id", precision: str = "day") -> str:
    """``28 Maret 2022`` / ``28 March 2022``; ``Maret 2022`` at month precision."""
    if _missing(x):
        return "–"
    ts = pd.Timestamp(x)
    month = MONTHS[lang][ts.month - 1]
    if precision == "year":
        return str(ts.year)
    if precision == "month":
        return f"{month} {ts.year}"
    return f"{ts.day} {month} {ts.year}"


#: Scale words of large rupiah amounts, largest first.
_SCALES = {
    "id": ((1e12, "triliun"), (1e9, "miliar"), (1e6, "juta")),
    "en": ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")),
}


def fmt_amount(x: object, unit: str, lang: str = "id", qualifier: str = "") -> str:
    """A published count or amount with its unit and qualifier, as a sentence would say it.

    Parameters
    ----------
    x : float
        The value as published.
    unit : {"employers", "persons", "IDR", "percent"}
        Its unit (``employer_compliance.csv``).
    lang : {"id", "en"}
    qualifier : {"", "at_least", "more_than", "about"}
        A lower bound ("sedikitnya", "lebih dari") or an approximation ("sekitar").

    Returns
    -------
    str
        Rupiah amounts from a million up in words, to at most two decimals
        with trailing zeros dropped, so the figure keeps the precision it was
        published with; ``"–"`` when the value is missing.

    Examples
    --------
    >>> fmt_amount(935_000_000, "IDR")
    'Rp935 juta'
    >>> fmt_amount(35_150_000_000_000, "IDR", "en")
    'Rp35.15 trillion'
    >>> fmt_amount(5_000_000_000, "IDR", qualifier="at_least")
    'sedikitnya Rp5 miliar'
    >>> fmt_amount(163051, "persons"), fmt_amount(480, "employers", "en")
    ('163.051 jiwa', '480 employers')
    """
    if _missing(x):
        return "–"
    value = float(x)
    if unit == "IDR":
        for size, word in _SCALES[lang]:
            if abs(value) >= size:
                shown = f"Rp{fmt_plain(value / size, lang)} {word}"
                break
        else:
            shown = f"Rp{fmt_int(value, lang)}"
    elif unit == "percent":
        shown = fmt_plain(value, lang) + "%"
    else:
        shown = f"{fmt_int(value, lang)} {text('unit_' + unit, lang)}"
    if qualifier:
        shown = f"{text('qualifier_' + qualifier, lang)} {shown}"
    return shown


TEXT = {
    "pp": ("poin persen", "percentage points"),
    "unit_employers": ("badan usaha", "employers"),
    "unit_persons": ("jiwa", "persons"),
    "qualifier_at_least": ("sedikitnya", "at least"),
    "qualifier_about": ("sekitar", "about"),
    "qualifier_more_than": ("lebih dari", "more than"),
    "bound_at_most": ("paling banyak", "at most"),
    "bound_about": ("sekitar", "about"),
    "by_date": ("paling lambat {date}", "by {date}"),
    "uhc_borrowed": (
        "Peluang memenuhi kedua syarat belum dapat dinilai: provinsi ini belum mempunyai angka "
        "kepesertaan aktif sendiri, dan perkiraan aktif di atas dipinjam dari provinsi lain. "
        "Syarat kepesertaan terdaftar saja berpeluang {prob} terpenuhi sebelum {deadline}.",
        "The chance of meeting both conditions cannot be assessed yet: the province has no "
        "active participation figure of its own, and the active estimate above is borrowed "
        "from other provinces. The registration condition alone has a {prob} chance by "
        "{deadline}.",
    ),
    "uhc_unknown_short": ("belum dapat dinilai", "cannot be assessed"),
    "small_groups": (
        "Lainnya (gabungan kelompok < 5 badan usaha)",
        "Other (groups of < 5 employers pooled)",
    ),
    "trend_method_pooled": (
        "model campuran linear pada skala logit (gabungan semua provinsi)",
        "linear mixed model on the logit scale (pooled over all provinces)",
    ),
    "trend_method_saturation": (
        "jalur nasional dengan selisih per provinsi (kejenuhan)",
        "national path with province offsets (saturation)",
    ),
    "trend_method_damped": (
        "tren masing-masing provinsi, diredam setelah angka terakhir",
        "each province's own trend, damped after its last figure",
    ),
    "trend_method_last": ("angka terakhir dipertahankan", "last figure carried forward"),
    "trend_method_drift": (
        "garis melalui dua angka terakhir provinsi",
        "line through the province's two latest figures",
    ),
    "sc_above": (
        "Menurut perkiraan saat ini ({now}) provinsi ini sudah di atas {t}; penegakan terhadap "
        "daftar ini terutama menjaga pekerja tetap terdaftar dan aktif (iuran dibayar), bukan "
        "menambah cakupan terdaftar.",
        "By today's estimate ({now}) the province is already above {t}; enforcing this list "
        "mainly keeps workers registered and active (contributions paid) rather than adding "
        "registration coverage.",
    ),
    "sc_gap_people": (
        "Dari perkiraan saat ini ({now}) ke {t} masih kurang {gap}, sekitar {people} jiwa.",
        "From today's estimate ({now}) to {t} the gap is {gap}, about {people} people.",
    ),
    "sc_gap": (
        "Dari perkiraan saat ini ({now}) ke {t} masih kurang {gap}.",
        "From today's estimate ({now}) to {t} the gap is {gap}.",
    ),
    "sc_closes_all": (
        "Jika semua badan usaha dalam daftar patuh, kekurangan itu tertutup.",
        "If every employer on the list complied, that gap would be closed.",
    ),
    "sc_closes": (
        "Jika semua badan usaha dalam daftar patuh, {share} dari kekurangan itu tertutup "
        "({n} jiwa).",
        "If every employer on the list complied, {share} of that gap would be closed ({n} people).",
    ),
    "sc_rest": (
        "Sisanya, sekitar {rest} jiwa, perlu datang dari jalur lain: pekerja badan usaha di "
        "luar daftar ini, pekerja bukan penerima upah (mandiri) dan pendaftaran penerima "
        "bantuan iuran (PBI) oleh pemerintah daerah.",
        "The rest, about {rest} people, has to come from elsewhere: workers of employers not "
        "on this list, self-employed workers (PBPU) and enrolment of subsidised members (PBI) "
        "by local government.",
    ),
    "sc_growth": (
        "Tambahan itu setara dengan {m} bulan kenaikan bersih terakhir ({r} jiwa per bulan), "
        "sehingga tanggal tercapainya target hampir tidak bergeser.",
        "That addition equals {m} months of the recent net growth ({r} people a month), so "
        "the dates at which the targets are reached barely move.",
    ),
    "sc_growth_moved": (
        "Tambahan itu setara dengan {m} bulan kenaikan bersih terakhir ({r} jiwa per bulan).",
        "That addition equals {m} months of the recent net growth ({r} people a month).",
    ),
    "sc_understated": (
        "Register yang dipakai memuat {n} badan usaha, sedangkan angka publik mencatat {total} "
        "badan usaha terdaftar: dampak penegakan yang sebenarnya bisa lebih besar.",
        "The registry used holds {n} employers, while the public count is {total} registered "
        "employers: the real effect of enforcement may be larger.",
    ),
    "sc_share_tiny": ("kurang dari 0,1%", "less than 0.1%"),
    "sc_active": (
        "Syarat kepesertaan aktif ({t}) belum terpenuhi menurut perkiraan ({now}): sekitar "
        "{people} jiwa (interval 80%: {lower} – {upper}) perlu kembali aktif membayar iuran. "
        "Badan usaha yang menunggak iuran dalam daftar ini termasuk jalannya; selebihnya "
        "peserta mandiri yang menunggak dan pembayaran PBI oleh pemerintah daerah.",
        "The active condition ({t}) is not met by the estimate ({now}): about {people} people "
        "(80% interval: {lower} – {upper}) would have to resume paying contributions. "
        "Employers in arrears on this list are one route; the rest are self-paying members "
        "in arrears and PBI payments by local government.",
    ),
    "interval_open": ("belum dapat ditentukan", "cannot be set yet"),
    "public_title": (
        "Angka publik PERJAKA tentang badan usaha",
        "Public PERJAKA figures on employers",
    ),
    "public_note": (
        "Angka sebagaimana dipublikasikan BPJS Kesehatan dan mitra PERJAKA, dengan tanggal dan "
        "sumbernya. Angka ini nyata dan tidak dimodelkan; terpisah dari data badan usaha sintetis "
        "di bagian berikutnya.",
        "Figures as published by BPJS Kesehatan and PERJAKA partners, with their date and "
        "source. They are real and not modelled; they are separate from the synthetic employer "
        "data of the next section.",
    ),
    "public_metric": ("Angka", "Figure"),
    "public_area": ("Wilayah", "Area"),
    "public_value": ("Nilai", "Value"),
    "public_period": ("Data per", "As of"),
    "whole_province": ("Seluruh provinsi", "Whole province"),
    "no_public_employer": (
        "Belum ada angka publik tentang kepatuhan badan usaha untuk provinsi ini dalam data "
        "yang tersedia.",
        "No public figure on employer compliance has been found for this province.",
    ),
    "districts_title": ("Kabupaten/kota", "Districts (kabupaten/kota)"),
    "district_name": ("Kabupaten/kota", "District"),
    "district_registered": ("Cakupan kepesertaan", "Registration coverage"),
    "district_gap": ("Kekurangan (poin persen)", "Gap (percentage points)"),
    "segments_title": ("Segmen kepesertaan", "Membership segments"),
    "segment_name": ("Segmen", "Segment"),
    "segment_metric": ("Ukuran", "Measure"),
    "segment_value": ("Nilai", "Value"),
    "segments_note": (
        "Angka terakhir yang dipublikasikan untuk tiap segmen, pada tanggalnya; rincian satu "
        "kelompok (PBI, PPU) hanya dari tanggal terbarunya. PPU badan usaha adalah segmen yang "
        "menjadi sasaran pemeriksaan PERJAKA.",
        "The latest published figure of each segment, on its date; the split of one group "
        "(PBI, PPU) from its latest date only. PPU private employers is the segment PERJAKA "
        "inspections are about.",
    ),
    "no_segments": (
        "Belum ada angka per segmen kepesertaan yang dipublikasikan untuk provinsi ini dalam "
        "data yang tersedia.",
        "No figure by membership segment has been found for this province.",
    ),
    "seg_PBI_APBN": ("PBI APBN (iuran dari APBN)", "PBI APBN (central budget pays)"),
    "seg_PBI_APBD": ("PBI APBD (iuran dari APBD)", "PBI APBD (local budget pays)"),
    "seg_PBI_JK": ("PBI JK (iuran dari APBN)", "PBI JK (central budget pays)"),
    "seg_PBI_total": ("PBI (seluruhnya)", "PBI (all)"),
    "seg_PPU_PN": ("PPU penyelenggara negara", "PPU government employees"),
    "seg_PPU_BU": ("PPU badan usaha", "PPU private employers"),
    "seg_PPU_total": ("PPU (seluruhnya)", "PPU (all)"),
    "seg_PBPU": ("PBPU (pekerja mandiri)", "PBPU (self-employed)"),
    "seg_BP": ("BP (bukan pekerja)", "BP (non-workers)"),
    "seg_PBPU_BP_PEMDA": ("PBPU/BP didaftarkan pemda", "PBPU/BP enrolled by local government"),
    "seg_non_PBI": ("Bukan PBI", "Non-PBI"),
    "seg_all": ("Semua peserta", "All members"),
    "segm_participants": ("Peserta", "Participants"),
    "segm_share_of_participants_pct": ("Porsi dari peserta", "Share of participants"),
    "segm_share_of_population_pct": ("Porsi dari penduduk", "Share of population"),
    "segm_active_share_of_segment_pct": ("Aktif (porsi segmen)", "Active (share of segment)"),
    "segm_non_active_participants": ("Peserta tidak aktif", "Members not active"),
    "segm_participants_in_arrears": ("Peserta menunggak iuran", "Members in arrears"),
    "segm_pbpu_arrears_participants": ("Peserta menunggak iuran", "Members in arrears"),
    "status_report_title": ("Laporan status UHC terakhir", "Latest UHC status report"),
    "status_UHC": ("UHC", "UHC"),
    "status_UHC Prioritas": ("UHC Prioritas", "UHC Prioritas (priority UHC)"),
    "status_UHC (award 2026)": ("UHC Awards 2026", "UHC Awards 2026"),
    "status_below_95pct": ("belum UHC", "not UHC"),
    "status_category": ("kategori {category}", "{category} category"),
    "status_criterion_joint": (
        "kriteria: ≥ {registered} terdaftar dan ≥ {active} aktif",
        "criterion: ≥ {registered} registered and ≥ {active} active",
    ),
    # a report of registration alone from before 2024, when UHC meant >= 95% registered
    "status_former_rule": ("menurut kriteria sebelum 2024", "under the rule before 2024"),
    "status_criterion_former": (
        "kriteria saat itu: ≥ {registered} terdaftar; belum ada laporan menurut kriteria "
        "sekarang, terdaftar dan aktif, dalam data yang tersedia",
        "the rule then: ≥ {registered} registered; no report under today's rule, registered "
        "and active, has been found",
    ),
    "status_criterion_registered": (
        "kriteria: ≥ {registered} terdaftar",
        "criterion: ≥ {registered} registered",
    ),
    "no_status_report": (
        "Belum ada laporan status UHC untuk provinsi ini dalam data yang tersedia.",
        "No UHC status report has been found for this province.",
    ),
    "districts_more": (
        "{shown} dari {n} kabupaten/kota, yang paling banyak penduduk belum terdaftar lebih "
        "dulu; semuanya ada di lampiran.",
        "{shown} of {n} districts, those with the most people not registered first; all of "
        "them are in the annex.",
    ),
    # the same, for a table with figures too old to count people from
    "districts_more_dated": (
        "{shown} dari {n} kabupaten/kota, urut menurut kekurangan pada angka terakhirnya × "
        "penduduk 2024, yang terbesar lebih dulu; semuanya ada di lampiran.",
        "{shown} of {n} districts, ordered by the gap of their latest figure × the 2024 "
        "population, largest first; all of them are in the annex.",
    ),
    "annex_title": ("Lampiran", "Annex"),
    "annex_districts": ("Semua {n} kabupaten/kota", "All {n} districts (kabupaten/kota)"),
    "card_registered": ("Terdaftar", "Registered"),
    "card_active": ("Aktif (membayar iuran)", "Active (paying)"),
    "card_uhc": ("UHC saat ini", "UHC today"),
    "card_needs": ("Yang dibutuhkan", "What it takes"),
    "card_today": (
        "perkiraan per {date} (interval 80%: {lower} – {upper})",
        "estimate on {date} (80% interval: {lower} – {upper})",
    ),
    "card_latest": ("angka terakhir", "latest figure"),
    "card_above_full": (
        "di atas 100%: peserta dihitung di tempat terdaftar, penduduk menurut KTP (lihat Catatan)",
        "above 100%: participants are counted where registered, residents by ID card (see Caveats)",
    ),
    "card_no_figure": ("belum ada angka sendiri", "no figure of its own"),
    "card_active_borrowed": (
        "belum ada angka sendiri: * perkiraan dipinjam dari provinsi lain",
        "no figure of its own: * estimate borrowed from other provinces",
    ),
    "card_uhc_rule": (
        "syarat: ≥\u00a0{reg} terdaftar dan ≥\u00a0{act} aktif",
        "conditions: ≥\u00a0{reg} registered and ≥\u00a0{act} active",
    ),
    "card_uhc_prob": ("peluang kedua syarat terpenuhi", "probability that both hold"),
    "card_uhc_now": ("per {date}", "on {date}"),
    "card_status": ("Laporan status UHC terakhir", "Latest UHC status report"),
    "card_uhc_by": ("sebelum {deadline}", "by {deadline}"),
    "card_uhc_unknown": (
        "belum dapat dinilai (angka aktif dipinjam)",
        "cannot be assessed yet (active share borrowed)",
    ),
    "card_binds_active": ("syarat penentu: aktif", "binding condition: active"),
    "card_binds_registration": ("syarat penentu: terdaftar", "binding condition: registered"),
    "card_binds_neither": ("tidak ada syarat penentu", "no condition binds"),
    "card_register": (
        "sekitar {n} penduduk lagi harus terdaftar untuk {t} (interval 80%: {lower} – {upper})",
        "about {n} more residents to register for {t} (80% interval: {lower} – {upper})",
    ),
    "card_register_none": (
        "terdaftar: perkiraan sudah di atas {t}",
        "registered: the estimate is above {t}",
    ),
    "card_resume": (
        "sekitar {n} peserta harus kembali membayar iuran untuk {t} aktif (interval 80%: "
        "{lower} – {upper})",
        "about {n} members to resume paying for {t} active (80% interval: {lower} – {upper})",
    ),
    "card_resume_none": ("aktif: perkiraan sudah di atas {t}", "active: the estimate is above {t}"),
    "card_resume_unknown": (
        "jumlah yang harus kembali membayar belum dapat dikatakan (tanpa angka aktif sendiri)",
        "how many must resume paying cannot be said (no active figure of its own)",
    ),
    "uhc_class_unknown": (
        "belum dapat dinilai (angka aktif dipinjam)",
        "cannot be assessed (active share borrowed)",
    ),
    "ov_registered": ("Terdaftar hari ini", "Registered today"),
    "ov_active": ("Aktif hari ini", "Active today"),
    "ov_national_active": ("aktif, angka terakhir", "active, latest figure"),
    "ov_uhc": ("UHC hari ini (kedua syarat)", "UHC today (both conditions)"),
    "ov_borrowed": (
        "dipinjam dari provinsi lain: belum ada angka aktif sendiri",
        "borrowed from other provinces: no active figure of its own",
    ),
    "ov_today_note": (
        "Hari ini = perkiraan model pada tanggal ringkasan; angka terakhir yang dipublikasikan "
        "dalam kurung (⚠ = lebih dari 12 bulan). * = perkiraan aktif dipinjam dari provinsi "
        "lain (tampil miring). Peluang = peluang kedua syarat terpenuhi hari ini. Kepesertaan "
        "dihitung terhadap penduduk ber-KTP setempat sehingga bisa melebihi 100%.",
        "Today = the model's estimate on the date of the briefs; the latest published figure "
        "in brackets (⚠ = older than 12 months). * = active estimate borrowed from other "
        "provinces (in italics). Probability = that both conditions hold today. Registration "
        "is counted against ID-card residents and can exceed 100%.",
    ),
    "ov_details": (
        "Rincian: target, peluang sebelum tenggat, dasar angka, umur angka",
        "Details: targets, probability by the deadline, basis, age of figures",
    ),
    "district_population": ("Penduduk 2024", "Population 2024"),
    "district_missing": ("Penduduk belum terdaftar (perkiraan)", "People not registered (approx.)"),
    "district_no_figure": ("belum ada angka yang dipublikasikan", "no published figure"),
    # the note under the kab/kota table: the intro, then the tail of a table whose figures
    # are all recent (or absent), or the gap and count sentences of one with old figures
    "districts_note": (
        "Semua kabupaten/kota provinsi ini, dengan penduduk 2024 (Dukcapil semester II 2024, "
        "kode Kemendagri, dihimpun di github.com/cahyadsn/wilayah, lisensi MIT) dan angka "
        "terakhir yang dipublikasikan, pada tanggalnya. Target bertanda * adalah target daerah "
        "itu sendiri; selainnya ambang UHC nasional.",
        "Every district (kabupaten/kota) of the province, with its 2024 population (civil "
        "registry, second half of 2024, Kemendagri codes, compiled in github.com/cahyadsn/wilayah, "
        "MIT licence) and its latest published figure, on its date. Targets marked * are the "
        "district's own; the others are the national UHC threshold.",
    ),
    "districts_note_recent": (
        "Penduduk belum terdaftar = kekurangan × penduduk 2024, hanya bila ada angka, "
        'dibulatkan sesuai ketelitian angka itu; angka "lebih dari" memberi kekurangan "paling '
        'banyak". Angka lama tetap angka terakhir: keadaan sekarang bisa berbeda.',
        "People not registered = gap × 2024 population, only where a figure exists, rounded to "
        'the figure\'s precision; a "more than" figure gives an "at most" gap. An old '
        "figure is still the latest: today may differ.",
    ),
    "districts_note_gap": (
        'Kekurangan = target − angka, pada tanggal angka itu; angka "lebih dari" memberi '
        'kekurangan "paling banyak".',
        'Gap = target − figure, on the figure\'s date; a "more than" figure gives an "at '
        'most" gap.',
    ),
    "districts_count_note": (
        "Penduduk belum terdaftar = kekurangan × penduduk 2024, dibulatkan sesuai ketelitian "
        "angka, hanya untuk angka berumur paling lama {months} bulan: angka yang lebih lama "
        "sudah didahului angka provinsi yang lebih baru, dan penduduk yang dihitung darinya "
        "tidak menggambarkan keadaan sekarang.",
        "People not registered = gap × 2024 population, rounded to the figure's precision, "
        "only for a figure at most {months} months old: an older figure is superseded by the "
        "province's later figures, and people counted from it would not describe today.",
    ),
    "districts_no_count_note": (
        "Jumlah penduduk belum terdaftar tidak dihitung: semua angka di sini berumur lebih dari "
        "{months} bulan dan sudah didahului angka provinsi yang lebih baru; penduduk yang "
        "dihitung darinya tidak menggambarkan keadaan sekarang.",
        "People not registered are not counted: every figure here is more than {months} "
        "months old and superseded by the province's later figures; people counted from them "
        "would not describe today.",
    ),
    "no_districts": (
        "Belum ada angka cakupan kabupaten/kota yang dipublikasikan untuk provinsi ini dalam "
        "data yang tersedia.",
        "No district coverage figure has been found for this province.",
    ),
    "no_own_sources": (
        "Provinsi ini belum memiliki angka cakupan atau laporan UHC sendiri; tren dan proyeksinya "
        "bersandar pada angka wilayah lain, seperti dijelaskan pada bagian tren.",
        "This province has no coverage figure or UHC report of its own; its trend and forecast "
        "rest on the figures of other places, as the trend section explains.",
    ),
    "measure_registered": ("cakupan kepesertaan terdaftar", "registration coverage"),
    "measure_survey_any": (
        "survei: penduduk dengan jaminan kesehatan apa pun",
        "survey: residents with any health insurance",
    ),
    "measure_survey_bpjs": (
        "survei: penduduk dengan JKN (BPJS Kesehatan)",
        "survey: residents with JKN (BPJS Kesehatan)",
    ),
    "measure_uhc_report_95": (
        "laporan: provinsi berstatus UHC (kriteria saat itu: ≥\u00a095% terdaftar)",
        "report: province at UHC (criterion then: ≥\u00a095% registered)",
    ),
    "measure_uhc_below_95": (
        "laporan: provinsi belum UHC (kriteria saat itu: ≥\u00a095% terdaftar)",
        "report: province not at UHC (criterion then: ≥\u00a095% registered)",
    ),
    "measure_uhc_report_98": (
        "laporan: provinsi berstatus UHC (kriteria ≥\u00a098% terdaftar)",
        "report: province at UHC (criterion: ≥\u00a098% registered)",
    ),
    "measure_uhc_report_98_80": (
        "laporan: provinsi berstatus UHC (kriteria ≥\u00a098% terdaftar dan ≥\u00a080% aktif)",
        "report: province at UHC (criterion: ≥\u00a098% registered and ≥\u00a080% active)",
    ),
    "measure_active_of_population": (
        "kepesertaan aktif dari jumlah penduduk",
        "active share of the population",
    ),
    "measure_active_of_participants": (
        "kepesertaan aktif dari jumlah peserta",
        "active share of participants",
    ),
    "measure_active_unclear": (
        "kepesertaan aktif (dasar tidak jelas)",
        "active share (basis unclear)",
    ),
    "measure_uhc_below_98": (
        "laporan: provinsi belum UHC (kriteria ≥\u00a098% terdaftar)",
        "report: province not at UHC (criterion: ≥\u00a098% registered)",
    ),
    "title": ("Ringkasan kebijakan JKN", "JKN policy brief"),
    "headline": ("Sorotan", "Headline"),
    "trend": ("Tren dan proyeksi", "Trend and forecast"),
    "employers": ("Badan usaha berisiko", "Employers at risk"),
    "scenario": ("Skenario penegakan kepatuhan", "Enforcement scenario"),
    "method": ("Data dan metode", "Data and method"),
    "latest": ("Cakupan kepesertaan terakhir", "Latest registration coverage"),
    "rank": ("Peringkat di antara provinsi", "Rank among provinces"),
    "no_figure": (
        "Belum ada angka cakupan kepesertaan yang dipublikasikan untuk provinsi ini.",
        "No registration coverage figure has been published for this province.",
    ),
    "synthetic": (
        "Data badan usaha dalam ringkasan ini SINTETIS (dibangkitkan secara acak, "
        "dikalibrasi ke angka agregat publik) dan bukan data badan usaha sebenarnya. Daftar "
        "pemeriksaan yang sebenarnya dibuat dari register badan usaha BPJS Kesehatan.",
        "The employer data in this brief is SYNTHETIC (randomly generated, calibrated to "
        "public aggregate figures) and not real employers. The real inspection list is made "
        "from BPJS Kesehatan's employer registry.",
    ),
    "synthetic_overview": (
        "Data badan usaha dalam ringkasan-ringkasan ini SINTETIS (dibangkitkan secara acak, "
        "dikalibrasi ke angka agregat publik) dan bukan data badan usaha sebenarnya. Daftar "
        "pemeriksaan yang sebenarnya dibuat dari register badan usaha BPJS Kesehatan.",
        "The employer data in these briefs is SYNTHETIC (randomly generated, calibrated to "
        "public aggregate figures) and not real employers. The real inspection lists are made "
        "from BPJS Kesehatan's employer registry.",
    ),
    "list_order_note": (
        "Urutan daftar: risiko × jumlah pekerja yang belum didaftarkan (ditambah {offset}, "
        "agar badan usaha yang sangat berisiko dengan selisih kecil tetap masuk), yaitu "
        "perkiraan pekerja "
        "yang akan terdaftar bila badan usaha itu patuh, bukan risiko saja; risiko "
        "ditampilkan di sampingnya.",
        "The list is ordered by risk × the workers not registered (plus {offset}, so that "
        "very risky employers with small gaps stay on it), i.e. the workers expected to be "
        "registered if "
        "the employer complied, not by risk alone; the risk is shown beside it.",
    ),
    "pseudonym_note": (
        "Identitas badan usaha diganti dengan pseudonim berkunci.",
        "Employer identities are replaced by keyed pseudonyms.",
    ),
    "disclosure_note": (
        "Setiap fakta badan usaha ditampilkan dalam rentang dan hanya bila sedikitnya "
        "5 badan usaha di provinsi yang sama memiliki fakta yang sama; selebihnya "
        "disembunyikan dan ditandai “–”. Angka pasti hanya pada keluaran teridentifikasi.",
        "Each employer fact is shown in bands and only where at least 5 employers of the "
        "province share it; the rest is withheld and shown as “–”. Exact figures only in "
        "identified output.",
    ),
    "size": ("Ukuran", "Size"),
    "no_employers_in_registry": (
        "Register badan usaha yang dipakai tidak memuat badan usaha di provinsi ini, "
        "sehingga skenario penegakan tidak dapat dihitung.",
        "The employer registry used holds no employer in this province, so the enforcement "
        "scenario cannot be computed.",
    ),
    "target": ("Target", "Target"),
    "gap": ("Kekurangan", "Gap"),
    "people": ("jiwa", "people"),
    "status_above": ("sudah di atas target", "already above target"),
    "status_above_modelled": (
        "diperkirakan sudah di atas target (menurut model)",
        "modelled as already above target",
    ),
    "status_expected": ("diperkirakan tercapai", "expected"),
    "status_out": ("tidak tercapai dalam horizon", "out of reach within horizon"),
    "expected_date": ("Perkiraan tanggal tercapai", "Expected date"),
    "targets_table_note": (
        "Tanggal tercapai: median tanggal pertama kali target tercapai pada jalur simulasi "
        "model; garis di grafik adalah median tingkat kepesertaan pada tiap tanggal, sehingga "
        "garis itu bisa tetap di bawah target walaupun separuh jalur sudah melewatinya. Tambahan "
        "yang dibutuhkan dihitung dari angka terakhir sampai tenggat; laju setahun terakhir "
        "adalah perubahan tren model dalam 12 bulan sampai akhir data.",
        "Expected date: the median date on which the model's simulated paths first reach the "
        "target; the chart's line is the median level on each date, so it can stay below the "
        "target when half of the paths have crossed it. The required pace runs from the latest "
        "figure to the deadline; the pace of the last year is the model trend's change over the "
        "twelve months to the end of the data.",
    ),
    "interval": ("Interval 80%", "80% interval"),
    "probability": ("Peluang tercapai sebelum tenggat", "Probability by the deadline"),
    "required_pace": ("Tambahan peserta per bulan yang dibutuhkan", "Required participants/month"),
    "recent_pace": (
        "Laju setahun terakhir menurut model (per bulan)",
        "Pace of the last year by the model (per month)",
    ),
    # the model trend fell over the last year: the fall a month, and the trend's two ends
    "pace_fall": (
        "turun {n} (tren model {start} → {end})",
        "down {n} (model trend {start} → {end})",
    ),
    "pace_fall_note": (
        "Laju turun: tren model pada akhir data lebih rendah daripada setahun sebelumnya (dalam "
        "kurung: tren setahun sebelumnya → pada akhir data). Perkiraan hari ini tetap bisa di "
        "atas angka terakhir, karena tren model bersandar pada semua angka provinsi ini dan "
        "tren nasional, bukan pada angka terakhir saja.",
        "Pace down: the model trend at the end of the data is lower than a year before (in "
        "brackets: the trend a year before → at the end of the data). Today's estimate can "
        "still be above the latest figure, since the model trend rests on all of the "
        "province's figures and the national trend, not on the latest figure alone.",
    ),
    "later": ("setelah {year}", "after {year}"),
    "basis_pooled": (
        "Tanpa angka sendiri: proyeksi dari tren gabungan semua provinsi"
        " (disesuaikan dengan laporan status UHC bila ada).",
        "No own figure: forecast from the pooled trend of all provinces"
        " (conditioned on UHC status reports where there are any).",
    ),
    "basis_nation": (
        "Tanpa angka sendiri: proyeksi dari tren nasional, dengan sebaran selisih"
        " provinsi-provinsi terhadap nasional (disesuaikan dengan laporan status UHC bila ada).",
        "No own figure: forecast from the national trend, with the spread of the provinces'"
        " differences from it (conditioned on UHC status reports where there are any).",
    ),
    "basis_presplit": (
        "Angka sebelum pemekaran 2022 (wilayah lama yang lebih luas).",
        "Figures from before the 2022 split (the older, larger territory).",
    ),
    "list": ("Daftar prioritas pemeriksaan", "Inspection priority list"),
    "reasons": ("Alasan", "Reasons"),
    # the reasons of an employer's risk (employers.score.explain gives the codes):
    # exact, in identified output (:func:`reason_sentences`) ...
    "reason_registration": (
        "mendaftarkan {registered} dari {reported} pekerja yang dilaporkan",
        "registered {registered} of {reported} reported workers",
    ),
    "reason_wage_below": (
        "upah dilaporkan di bawah UMP ({wage} vs UMP {floor})",
        "wage reported below the provincial minimum ({wage} vs {floor})",
    ),
    "reason_wage": (
        "upah dilaporkan rendah dibanding UMP",
        "low reported wage relative to the provincial minimum",
    ),
    "reason_arrears": (
        "menunggak iuran {months} bulan{amount}",
        "{months} months in arrears{amount}",
    ),
    "reason_arrears_one": (
        "menunggak iuran {months} bulan{amount}",
        "{months} month in arrears{amount}",
    ),
    "reason_late_payments": (
        "terlambat membayar {late} dari 12 bulan terakhir",
        "paid late in {late} of the last 12 months",
    ),
    "reason_deactivations": (
        "menonaktifkan {n} pekerja dalam 12 bulan terakhir",
        "deactivated {n} workers in the last 12 months",
    ),
    "reason_family": (
        "hanya {per} anggota keluarga terdaftar per pekerja",
        "only {per} family members registered per worker",
    ),
    "rp_million": ("juta", "million"),
    "rp_billion": ("miliar", "billion"),
    # ... and in bands, in shareable lists (:func:`banded_reasons`, disclosure level 0) ...
    "reason_band_registration": (
        "mendaftarkan {b} pekerja yang dilaporkan",
        "registered {b} of reported workers",
    ),
    "reason_band_wage": (
        "upah dilaporkan di bawah UMP",
        "wage reported below the provincial minimum",
    ),
    "reason_band_arrears": ("menunggak iuran {b} bulan", "{b} months in arrears"),
    "reason_band_late_payments": (
        "terlambat membayar {b} dari 12 bulan terakhir",
        "paid late in {b} of the last 12 months",
    ),
    "reason_band_deactivations": (
        "menonaktifkan {b} pekerja dalam 12 bulan terakhir",
        "deactivated {b} of workers in the last 12 months",
    ),
    "reason_band_family": (
        "{b} anggota keluarga terdaftar per pekerja",
        "{b} family members registered per worker",
    ),
    # ... or named only (levels 1-4)
    "reason_named_registration": ("tidak semua pekerja didaftarkan", "not all workers registered"),
    "reason_named_wage": ("upah dilaporkan rendah", "low reported wage"),
    "reason_named_arrears": ("menunggak iuran", "in arrears"),
    "reason_named_late_payments": ("sering terlambat membayar", "often paid late"),
    "reason_named_deactivations": ("menonaktifkan pekerja", "deactivated workers"),
    "reason_named_family": ("sedikit anggota keluarga terdaftar", "few family members registered"),
    "risk": ("Risiko", "Risk"),
    "district": ("Wilayah", "District"),
    "sector": ("Sektor", "Sector"),
    "workers": ("pekerja", "workers"),
    "dependants": ("anggota keluarga", "family members"),
    "on_list_total": (
        "Jika {k} badan usaha teratas patuh, diperkirakan bertambah {w} pekerja dan {d} "
        "anggota keluarga ({p} dari jumlah penduduk); iuran sekitar {c} per bulan.",
        "If the top {k} employers complied, about {w} workers and {d} family members would be "
        "added ({p} of the population); contributions of about {c} per month.",
    ),
    "on_list_total_no_pp": (
        "Jika {k} badan usaha teratas patuh, diperkirakan bertambah {w} pekerja dan {d} "
        "anggota keluarga (jumlah penduduk provinsi tidak diketahui); iuran sekitar {c} per "
        "bulan.",
        "If the top {k} employers complied, about {w} workers and {d} family members would be "
        "added (the province's population is unknown); contributions of about {c} per month.",
    ),
    "earlier": ("lebih cepat", "earlier"),
    "months": ("bulan", "months"),
    "sources": ("Sumber", "Sources"),
    "provenance": ("Asal-usul hasil", "Provenance"),
    "provenance_line": (
        "Asal-usul hasil: perjaka-analysis {version}, {model}, data sampai {date}; versi kode, "
        "hash berkas masukan dan parameter ada di manifest.json di folder run ini.",
        "Provenance: perjaka-analysis {version}, {model}, data to {date}; the code version, "
        "input file hashes and parameters are in manifest.json in this run's folder.",
    ),
    "caveats": ("Catatan", "Caveats"),
    "caveat_text": (
        "Kepesertaan dihitung terhadap penduduk ber-KTP setempat sehingga bisa melebihi 100%; "
        "penyebut berbeda antarsumber; angka survei (Susenas) tidak dicampur.",
        "Registration is counted against ID-card residents and can exceed 100%; "
        "denominators differ between sources; survey figures (Susenas) are never mixed in.",
    ),
    # tables and sections
    "status": ("Status", "Status"),
    "pseudonym": ("Pseudonim", "Pseudonym"),
    # the inspection plan's files (exports.write_inspection_lists)
    "rank_in_province": ("Urutan", "Rank"),
    "size_band": ("Ukuran (pekerja)", "Size (workers)"),
    "risk_band": ("Risiko (rentang)", "Risk (band)"),
    "workers_band": (
        "Perkiraan pekerja belum terdaftar (rentang)",
        "Expected unregistered workers (band)",
    ),
    "disclosure_level": ("Tingkat pengungkapan", "Disclosure level"),
    "inspection_list": ("Kode rencana", "Plan id"),
    "selection": ("Cara terpilih", "Selection"),
    "selection_ranked": ("peringkat", "ranked"),
    "selection_random": ("acak", "random"),
    "inclusion_probability": ("Peluang terpilih", "Inclusion probability"),
    "model_version": ("Versi model", "Model version"),
    "data_date": ("Tanggal data", "Data date"),
    # columns a team fills in after its visits (the outcomes contract)
    "inspected_on": ("Tanggal pemeriksaan (YYYY-MM-DD)", "Inspected on (YYYY-MM-DD)"),
    "noncompliant": ("Tidak patuh (1/0)", "Noncompliant (1/0)"),
    "workers_registered_after": (
        "Pekerja terdaftar 3 bulan setelah pemeriksaan",
        "Workers registered 3 months after the visit",
    ),
    "dependants_registered_after": (
        "Anggota keluarga terdaftar 3 bulan setelah pemeriksaan",
        "Family members registered 3 months after the visit",
    ),
    "arrears_recovered_idr": ("Tunggakan terbayar (Rp)", "Arrears recovered (Rp)"),
    "referred_to_prosecutor": ("Diserahkan ke Kejaksaan (1/0)", "Referred to the prosecutor (1/0)"),
    "expected_workers": ("Perkiraan pekerja belum terdaftar", "Expected unregistered workers"),
    "plan_sheet": ("Rencana pemeriksaan", "Inspection plan"),
    "plan_rest": (
        "Baris berikutnya, dengan risiko per sektor dan per kabupaten/kota, ada di rencana "
        "lengkap: lists/{file}.xlsx dan .csv.",
        "The further rows, with risk by sector and by district, are in the full plan: "
        "lists/{file}.xlsx and .csv.",
    ),
    "plan_about_sheet": ("Keterangan", "About"),
    "plan_about": (
        "Daftar lengkap badan usaha prioritas pemeriksaan {province}: {k} pemeriksaan "
        "({rule}). Urut menurut perkiraan pekerja dan anggota keluarga yang masuk JKN "
        "bila patuh; sebagian kecil dipilih acak di antara badan usaha lain yang belum "
        "diperiksa, dengan peluang terpilih yang tercatat. Identitas diganti pseudonim "
        "berkunci; fakta dalam rentang yang dimiliki sedikitnya 5 badan usaha. Setelah "
        "pemeriksaan, isi kolom temuan dan kirim berkas ini kembali (perjaka employers merge).",
        "Full inspection priority list of {province}: {k} inspections ({rule}). Ranked by "
        "the expected workers and family members brought into JKN on compliance; a small "
        "share is drawn at random among the other uninspected employers, with its recorded "
        "probability of selection. Identities are keyed pseudonyms; facts are bands shared "
        "by at least 5 employers. After the visits, fill in the findings' columns and send "
        "this file back (perjaka employers merge).",
    ),
    "capacity_text": (
        "Kapasitas pemeriksaan provinsi ini: {k} badan usaha, menurut {rule}. Daftar "
        "lengkapnya ada di lists/{file}.xlsx dan lists/{file}.csv.",
        "Inspection capacity of this province: {k} employers, by {rule}. The full list is "
        "in lists/{file}.xlsx and lists/{file}.csv.",
    ),
    "capacity_whole": (
        "Kapasitas ini mencakup seluruh badan usaha provinsi ini dalam register.",
        "This capacity covers every employer of this province in the registry.",
    ),
    "registry_size_text": (
        "Register memuat {n} badan usaha di provinsi ini; angka publik: {total} badan usaha "
        "terdaftar ({date}).",
        "The registry holds {n} employers in this province; the public figure: {total} "
        "registered employers ({date}).",
    ),
    "rule_given": ("kapasitas yang ditetapkan", "the capacity given"),
    "rule_public count": (
        "jumlah badan usaha tidak patuh yang dipublikasikan",
        "the published count of noncompliant employers",
    ),
    "rule_public count scaled": (
        "angka publik badan usaha tidak patuh/menunggak, disesuaikan dengan ukuran register",
        "the published count of noncompliant or in-arrears employers, scaled to the registry",
    ),
    "rule_proportional": (
        "proporsi nasional badan usaha menunggak (angka publik) dikali badan usaha di register",
        "the national share of employers in arrears (public figures) times the registry",
    ),
    # the key message and the sentences of a brief (render.message)
    "km_now_both": (
        "per {date} diperkirakan {reg} penduduk terdaftar{reg_note} dan {act} aktif "
        "membayar iuran{act_note}",
        "on {date} an estimated {reg} of residents are registered{reg_note} and {act} "
        "are paying members{act_note}",
    ),
    "km_now_reg": (
        "per {date} diperkirakan {reg} penduduk terdaftar{reg_note}",
        "on {date} an estimated {reg} of residents are registered{reg_note}",
    ),
    "km_reg_from_nation": (
        "(tren nasional, tanpa angka sendiri)",
        "(national trend, no figure of its own)",
    ),
    "km_reg_from_pooled": (
        "(tren provinsi lain, tanpa angka sendiri)",
        "(other provinces' trend, no figure of its own)",
    ),
    "km_reg_from_borrowed": (
        "(angka wilayah lama sebelum pemekaran)",
        "(figures of the territory before the split)",
    ),
    "km_act_borrowed": (
        "(dipinjam dari provinsi lain)",
        "(borrowed from other provinces)",
    ),
    "km_act_status": (
        "(dari provinsi lain dan laporan status UHC)",
        "(from other provinces and a UHC status report)",
    ),
    "km_act_one": (
        "(satu angka sendiri, tren provinsi lain)",
        "(one figure of its own, other provinces' trend)",
    ),
    "km_uhc": (
        "UHC (≥ {reg} terdaftar dan ≥ {act} aktif) sudah tercapai: {p_now}; "
        "tercapai sebelum {deadline}: {p_deadline}",
        "UHC (≥ {reg} registered and ≥ {act} active) met now: {p_now}; "
        "met by {deadline}: {p_deadline}",
    ),
    "km_uhc_borrowed": (
        "UHC (≥ {reg} terdaftar dan ≥ {act} aktif) belum dapat dinilai tanpa angka aktif "
        "sendiri; syarat terdaftar saja sebelum {deadline}: {p_reg}",
        "UHC (≥ {reg} registered and ≥ {act} active) cannot be assessed without an active "
        "figure of its own; the registration condition alone by {deadline}: {p_reg}",
    ),
    "km_needs": ("yang dibutuhkan: {items}", "what it takes: {items}"),
    "km_and": (" dan ", " and "),
    "km_need_register": (
        "sekitar {n} penduduk lagi terdaftar untuk {t}",
        "about {n} more residents registered for {t}",
    ),
    "km_need_resume": (
        "sekitar {n} peserta kembali membayar iuran untuk {t} aktif",
        "about {n} members paying again for {t} active",
    ),
    "km_need_resume_unknown": (
        "berapa yang harus kembali membayar belum dapat dikatakan",
        "how many must resume paying cannot be said yet",
    ),
    "km_needs_reg_above": (
        "perkiraan terdaftar sudah di atas {t}",
        "the registration estimate is above {t}",
    ),
    "km_needs_none": (
        "kedua perkiraan sudah di atas syarat ({reg} dan {act}): yang perlu dijaga adalah "
        "peserta tetap terdaftar dan aktif membayar",
        "both estimates are above the conditions ({reg} and {act}): what matters now is that "
        "members stay registered and keep paying",
    ),
    "baseline": ("Tanpa penegakan", "Baseline"),
    "with_enforcement": ("Dengan penegakan", "With enforcement"),
    "months_earlier": ("Bulan lebih cepat", "Months earlier"),
    "probability_change": ("Peluang sebelum tenggat", "Probability by the deadline"),
    "employers_n": ("Badan usaha", "Employers"),
    "on_list": ("Dalam daftar", "On the list"),
    "mean_risk": ("Rata-rata risiko", "Mean risk"),
    "by_sector": ("Menurut sektor", "By sector"),
    "by_district": ("Menurut wilayah", "By district"),
    "deadline": ("Tenggat", "Deadline"),
    "nowcast": ("Perkiraan saat ini", "Nowcast"),
    "nowcast_text": (
        "Perkiraan cakupan pada {date}: {mean} (interval {level}%: {lower} – {upper}).",
        "Estimated coverage on {date}: {mean} ({level}% interval: {lower} – {upper}).",
    ),
    "inputs": ("Berkas masukan (SHA-256)", "Input files (SHA-256)"),
    "parameters": ("Parameter", "Parameters"),
    "trend_model": ("Model tren", "Trend model"),
    "data_to": ("data sampai", "data to"),
    "seed": ("benih acak", "seed"),
    "back": ("Indonesia", "Indonesia"),
    # overview
    "overview_title": ("Cakupan JKN per provinsi", "JKN coverage by province"),
    "province": ("Provinsi", "Province"),
    "latest_pct": ("Cakupan terakhir", "Latest coverage"),
    "date": ("Tanggal", "Date"),
    "rank_short": ("Peringkat", "Rank"),
    "failed": ("Gagal", "Failed"),
    "cancelled": ("Dibatalkan", "Cancelled"),
    "no_figure_short": ("tanpa angka", "no figure"),
    "probability_short": ("P = peluang sebelum tenggat", "P = probability by the deadline"),
    "map_label": ("Peta cakupan kepesertaan", "Registration coverage map"),
    "map_tooltip": ("{place}: perkiraan saat ini {now}", "{place}: estimated now {now}"),
    "map_tooltip_latest": ("angka terakhir {latest}", "latest figure {latest}"),
    "map_stale": (
        "angka terakhir lama atau tidak ada",
        "latest figure old or missing",
    ),
    "map_note": (
        "Warna: perkiraan cakupan kepesertaan terdaftar saat ini (model), bukan angka terakhir "
        "yang dipublikasikan. Arsiran: angka terakhir provinsi itu berumur lebih dari {months} "
        "bulan atau belum ada, sehingga perkiraannya lebih bergantung pada model.",
        "Colour: today's estimate of registration coverage (model), not the latest published "
        "figure. Hatching: the province's latest figure is more than {months} months old or "
        "missing, so its estimate rests more on the model.",
    ),
    "map_note_uhc": (
        "Warna: UHC hari ini menurut definisi sekarang (terdaftar dan aktif sekaligus): "
        "peluang model bahwa kedua syarat terpenuhi pada tanggal ringkasan, dalam kata-kata "
        "peluang yang sama dengan ringkasan; abu-abu: belum dapat "
        "dinilai karena angka aktif provinsi itu dipinjam. Arsiran: angka terdaftar terakhir "
        "berumur lebih dari {months} bulan atau belum ada.",
        "Colour: UHC today under the current definition (registered and active together): the "
        "model's probability that both conditions hold on the date of the briefs, in the "
        "probability words of the briefs; grey: "
        "cannot be assessed because the province's active share is borrowed. Hatching: the "
        "latest registration figure is more than {months} months old or missing.",
    ),
    "geo_credit": ("Batas provinsi: {source}.", "Province boundaries: {source}."),
    # charts
    "chart_published": ("angka yang dipublikasikan", "published figure"),
    "chart_older_territory": ("angka, wilayah lama", "figure, older territory"),
    "chart_forecast": ("proyeksi", "forecast"),
    "chart_trend": ("tren terestimasi", "fitted trend"),
    "chart_interval": ("interval {level}%", "{level}% interval"),
    "chart_ylabel": ("terdaftar (% penduduk)", "registered (% of population)"),
    "chart_trend_from": ("tren dari", "trend from"),
    "chart_basis_borrowed": ("tren dari angka wilayah lama", "trend from the older territory"),
    "chart_basis_pooled": (
        "tanpa angka sendiri: tren gabungan semua provinsi",
        "no own figure: pooled trend of all provinces",
    ),
    "chart_basis_nation": (
        "tanpa angka sendiri: dari tren nasional",
        "no own figure: from the national trend",
    ),
    "chart_basis_own": ("angka sendiri", "own figures"),
    "chart_basis_status": ("dan laporan status UHC", "and UHC status reports"),
    "chart_sectors": ("Risiko menurut sektor (KBLI)", "Risk by sector (KBLI)"),
    "chart_mean_risk": ("rata-rata risiko", "mean predicted risk"),
    "chart_source": (
        "Sumber: angka publik BPJS Kesehatan / pemerintah yang diberitakan; daftar sumber di "
        "bagian Data dan metode",
        "Source: public BPJS Kesehatan / government figures reported in news; list of sources "
        "under Data and method",
    ),
    # active participation and UHC under today's definition
    "active_title": ("Kepesertaan aktif", "Active participation"),
    "chart_ylabel_active": ("aktif (% penduduk)", "active (% of population)"),
    "chart_ylabel_both": ("% penduduk", "% of population"),
    "chart_uhc_title": (
        "terdaftar dan aktif, dengan syarat UHC",
        "registered and active, with the UHC conditions",
    ),
    "chart_threshold_registered": ("{t}% terdaftar", "{t}% registered"),
    "chart_threshold_active": ("{t}% aktif", "{t}% active"),
    "chart_published_registered": ("angka terdaftar", "registered figure"),
    "chart_published_active": ("angka aktif", "active figure"),
    "chart_published_as_stated": (
        "angka aktif ({basis}), digambar seperti dipublikasikan",
        "active figure ({basis}), drawn as published",
    ),
    "chart_path_registered": (
        "model terdaftar: tren (titik-titik), proyeksi dan interval 80%",
        "registered, model: trend (dotted), forecast and 80% interval",
    ),
    "chart_path_active": (
        "model aktif: tren, proyeksi dan interval 80%",
        "active, model: trend, forecast and 80% interval",
    ),
    "caption": (
        "Angka terakhir — {items}. Model: perkiraan per {date}. Semua sumber di bagian "
        "Data dan metode.",
        "Latest figures — {items}. Model: estimates as of {date}. Every source is listed under "
        "Data and method.",
    ),
    "caption_registered": (
        "terdaftar: {pct}, {date} ({source})",
        "registered: {pct}, {date} ({source})",
    ),
    "caption_registered_none": (
        "terdaftar: belum ada angka sendiri",
        "registered: no figure of its own",
    ),
    "caption_active": (
        "aktif: {pct} {basis}, {date} ({source})",
        "active: {pct} {basis}, {date} ({source})",
    ),
    "caption_active_none": ("aktif: belum ada angka sendiri", "active: no figure of its own"),
    "caption_no_source": ("sumber tidak disebut", "source not named"),
    "chart_uhc_line": ("syarat UHC", "UHC condition"),
    "active_basis_of_population": ("dari jumlah penduduk", "of the population"),
    "active_basis_of_participants": ("dari jumlah peserta", "of participants"),
    "active_basis_unclear": ("dasar tidak jelas", "basis unclear"),
    "active_bases_note": (
        'Angka aktif "dari jumlah peserta" dan "dari jumlah penduduk" berbeda dasarnya: '
        "yang kedua sama dengan yang pertama dikali cakupan kepesertaan, sehingga lebih rendah "
        "walaupun keadaannya sama.",
        'Active shares "of participants" and "of the population" differ in basis: the '
        "second is the first times registration coverage, so it is lower for the same "
        "situation.",
    ),
    "model_basis_own": ("angka sendiri", "own figures"),
    "model_basis_one": (
        "satu angka sendiri, tren dari provinsi lain",
        "one own figure, trend borrowed from other provinces",
    ),
    "model_basis_national": ("seri nasional", "national series"),
    "model_basis_none": (
        "tanpa angka sendiri, dipinjam dari provinsi lain",
        "no own figure, borrowed from other provinces",
    ),
    "active_latest_text": (
        "Angka aktif terakhir: {pct} {basis} ({date}; sumber: {source}).",
        "Latest active figure: {pct} {basis} ({date}; source: {source}).",
    ),
    "active_latest_nosource": (
        "Angka aktif terakhir: {pct} {basis} ({date}).",
        "Latest active figure: {pct} {basis} ({date}).",
    ),
    "active_none": (
        "Belum ada angka kepesertaan aktif yang dipublikasikan untuk provinsi ini; "
        "perkiraan dipinjam dari provinsi lain.",
        "No active participation figure has been published for this province; "
        "the estimate is borrowed from other provinces.",
    ),
    "active_nowcast_text": (
        "Perkiraan peserta aktif pada {date}: {mean} dari jumlah penduduk "
        "(interval {level}%: {lower} – {upper}; {basis}).",
        "Estimated active share on {date}: {mean} of the population "
        "({level}% interval: {lower} – {upper}; {basis}).",
    ),
    "uhc_rule": (
        "UHC menurut definisi saat ini: sedikitnya {reg} penduduk terdaftar dan {act} aktif.",
        "UHC as defined today: at least {reg} of residents registered and {act} active.",
    ),
    "uhc_prob": (
        "Kedua syarat terpenuhi sebelum {deadline}: {phrase}.",
        "Both conditions met by {deadline}: {phrase}.",
    ),
    "uhc_expected": (
        "Perkiraan tercapai: {date} (interval 80%: {lower} – {upper}).",
        "Expected: {date} (80% interval: {lower} – {upper}).",
    ),
    "uhc_not_expected": (
        "Dalam horizon proyeksi, kedua syarat belum diperkirakan terpenuhi bersama.",
        "Within the forecast horizon, the two conditions are not expected to be met together.",
    ),
    "uhc_binds_active": (
        "Syarat yang menentukan: kepesertaan aktif (terpenuhi paling akhir).",
        "The binding condition: active participation (met last).",
    ),
    "uhc_binds_registration": (
        "Syarat yang menentukan: kepesertaan terdaftar (terpenuhi paling akhir).",
        "The binding condition: registration (met last).",
    ),
    "uhc_binds_neither": (
        "Tidak ada syarat penentu: kedua syarat diperkirakan terpenuhi pada waktu yang sama "
        "(atau sudah terpenuhi).",
        "No condition binds: both are expected to be met at the same time (or already are).",
    ),
    # the words of a probability (probability_words; bands in PROBABILITY_BANDS)
    "p_almost_certain": ("hampir pasti", "almost certainly"),
    "p_very_likely": ("sangat mungkin", "very likely"),
    "p_likely": ("mungkin", "likely"),
    "p_even": ("sama mungkinnya dengan tidak", "about as likely as not"),
    "p_unlikely": ("kecil kemungkinannya", "unlikely"),
    "p_very_unlikely": ("sangat kecil kemungkinannya", "very unlikely"),
    "p_almost_never": ("hampir pasti tidak", "almost certainly not"),
    "uhc_now_words": (
        "Kedua syarat sudah terpenuhi pada {date}: {phrase}.",
        "Both conditions already met on {date}: {phrase}.",
    ),
    "reached": ("sudah tercapai", "already reached"),
    "reached_likely": ("mungkin sudah (menurut model)", "probably already (modelled)"),
    "reached_on": ("sudah (angka {date})", "already (figure of {date})"),
    "status_above_likely": (
        "kemungkinan sudah di atas target (menurut model, belum pasti)",
        "probably above target (modelled, not certain)",
    ),
    "reached_modelled": ("sudah (menurut model)", "already (modelled)"),
    "basis_short": ("Dasar angka", "Basis"),
    "age_short": ("Umur (bulan)", "Age (months)"),
    "binds_short": ("Syarat penentu", "Binding condition"),
    "binds_active": ("aktif", "active"),
    "binds_registration": ("terdaftar", "registered"),
    "binds_neither": ("tidak ada", "none"),
    "basis_kind_own": ("sendiri", "own"),
    "basis_kind_borrowed": ("wilayah lama", "older territory"),
    "basis_kind_none": ("tidak ada", "none"),
    # where a place without figures is forecast from (render.message.no_figure_source)
    "none_source_pooled": ("tren gabungan", "pooled trend"),
    "none_source_nation": ("dari tren nasional", "from the national trend"),
    "stale_short": ("angka terakhir lebih dari 12 bulan", "latest figure older than 12 months"),
    "overview_columns_note": (
        "Dasar angka: angka sendiri, angka wilayah lama (sebelum pemekaran) atau tidak ada "
        "({none_source}). Umur: bulan sejak angka terakhir; ⚠ = lebih dari {months} bulan. "
        "Aktif: angka aktif terakhir sebagaimana dipublikasikan; Aktif (perkiraan): % penduduk "
        "pada tanggal ringkasan (* = dipinjam dari provinsi lain, karena belum ada angka aktif "
        "sendiri). UHC sebelum tenggat: peluang ≥{reg} terdaftar dan ≥{act} aktif sebelum tenggat; "
        "belum dapat dinilai tanpa angka aktif sendiri.",
        "Basis: own figures, figures of the older territory (before a split) or none "
        "({none_source}). Age: months since the latest figure; ⚠ = older than {months} "
        "months. Active: latest active figure as published; Active (nowcast): % of population "
        "on the brief's date (* = borrowed from other provinces, no active figure of its "
        "own). UHC by the deadline: probability of ≥{reg} registered and ≥{act} active by "
        "the deadline; it cannot be assessed without an active figure of the province's own.",
    ),
    "source_word": ("sumber", "source"),
    "data_as_of": ("data per", "data as of"),
    "data_as_of_both": (
        "angka terakhir: terdaftar {registered}, aktif {active}",
        "latest figures: registered {registered}, active {active}",
    ),
    "data_as_of_active": ("angka aktif terakhir: {active}", "latest active figure: {active}"),
    "stale_warning": (
        "Perhatian: angka terbaru ini sudah berumur {months} bulan pada tanggal ringkasan; "
        "keadaan sekarang bisa berbeda (lihat perkiraan saat ini di atas).",
        "Note: this latest figure is {months} months old on the brief's date; the situation "
        "now may differ (see the current estimate above).",
    ),
    "rank_of": (
        "{rank} dari {n} provinsi dengan angka (menurut angka terbaru masing-masing)",
        "{rank} of {n} provinces with a figure (by each one's latest figure)",
    ),
    "gap_note": (
        "Kekurangan dihitung dari angka terbaru yang dipublikasikan.",
        "Gaps are counted from the latest published figure.",
    ),
    "gap_note_both": (
        "Kekurangan menurut angka terakhir dihitung dari angka terbaru yang dipublikasikan, "
        "pada tanggalnya; kekurangan saat ini dihitung dari perkiraan model pada tanggal "
        "ringkasan. Bila angka terakhir sudah lama, kekurangan saat ini yang lebih mendekati "
        "keadaan sekarang, tetapi bergantung pada model.",
        "The gap by the latest figure is counted from the latest published figure, on its "
        "date; the gap now from the model's estimate on the brief's date. When the latest "
        "figure is old, the gap now is closer to today's situation but rests on the model.",
    ),
    "not_applicable": ("tidak berlaku", "not applicable"),
    "old_mark_note": (
        "⚠ = angka berumur lebih dari {months} bulan pada tanggal ringkasan; keadaan sekarang "
        "bisa berbeda.",
        "⚠ = figure more than {months} months old on the brief's date; things may have "
        "changed since.",
    ),
    "gap_latest": ("Kekurangan menurut angka terakhir", "Gap by the latest figure"),
    "gap_now": ("Kekurangan saat ini (perkiraan)", "Gap now (estimate)"),
    "uhc_short": ("UHC saat ini", "UHC today"),
    "uhc_by_deadline_short": ("UHC sebelum tenggat", "UHC by the deadline"),
    "active_short": ("Aktif", "Active"),
    "active_nowcast_short": ("Aktif (perkiraan)", "Active (nowcast)"),
    "pdf_missing": (
        "PDF tidak dibuat: Chromium tidak ditemukan. Pasang paket Debian `chromium` "
        "(apt-get install chromium) atau atur PERJAKA_CHROMIUM; HTML tetap ditulis.",
        "PDF not written: Chromium was not found. Install the Debian package `chromium` "
        "(apt-get install chromium) or set PERJAKA_CHROMIUM; the HTML is written.",
    ),
    # the semester report (perjaka employers semester)
    "sem_title": (
        "Pemantauan dan evaluasi pemeriksaan badan usaha, {period}",
        "Monitoring and evaluation of employer inspections, {period}",
    ),
    "sem_scope_national": ("Nasional dan per provinsi", "National and by province"),
    "sem_period": ("Periode {start} sampai {end}", "Period {start} to {end}"),
    "sem_as_of": (
        "Data per {finding} (temuan terakhir yang tercatat dalam periode ini); data rencana "
        "per {plans}.",
        "Data as of {finding} (the latest finding recorded in the period); the plans' data as "
        "of {plans}.",
    ),
    "sem_as_of_none": (
        "Belum ada temuan yang tercatat dalam periode ini; data rencana per {plans}.",
        "No finding recorded in the period yet; the plans' data as of {plans}.",
    ),
    "sem_privacy": (
        "Laporan ini hanya memuat angka gabungan: tidak ada identitas maupun pseudonim badan "
        "usaha.",
        "This report shows aggregates only: no employer identity or pseudonym.",
    ),
    "sem_synthetic": (
        "DATA SINTETIS: registri badan usaha dan hasil pemeriksaan ini dibuat oleh simulasi, "
        "bukan data badan usaha yang nyata.",
        "SYNTHETIC DATA: the employer registry and inspection outcomes of this report were "
        "made by a simulation; they are not real employers.",
    ),
    "sem_plans_h": ("Rencana pemeriksaan periode ini", "Inspection plans of the period"),
    "sem_planned": ("Direncanakan", "Planned"),
    "sem_visited": ("Diperiksa", "Visited"),
    "sem_done_rate": ("Terlaksana", "Done"),
    "sem_national": ("Indonesia", "Indonesia"),
    "sem_done_h": ("Pemeriksaan terlaksana dibanding rencana", "Inspections done against plan"),
    "sem_other_provinces": (
        "Provinsi lain ({n}, masing-masing kurang dari {k} badan usaha diperiksa)",
        "Other provinces ({n}, fewer than {k} employers visited each)",
    ),
    "sem_other_provinces_joined": (
        "Provinsi lain ({n}, digabung hingga sedikitnya {k} badan usaha diperiksa)",
        "Other provinces ({n}, pooled to at least {k} employers visited)",
    ),
    "sem_joined_note": (
        "Karena gabungan itu kurang dari {k} badan usaha diperiksa, provinsi dengan badan usaha "
        "diperiksa paling sedikit berikutnya ikut digabung: angka gabungan tidak dapat dihitung "
        "sebagai selisih baris Indonesia dan provinsi yang ditampilkan.",
        "As that pool held fewer than {k} employers visited, the provinces with the fewest "
        "employers visited next joined it: the pool's figures cannot be worked out as the "
        "Indonesia row minus the provinces shown.",
    ),
    "sem_parts_note": (
        "Dalam baris yang ditampilkan, angka tentang sebagian badan usaha yang diperiksa "
        "(pilihan peringkat dan acak, jumlah pekerja, anggota keluarga atau tunggakan yang "
        "tercatat) diganti '–' bila bagian itu kurang dari {k} badan usaha; pilihan peringkat "
        "dan acak disembunyikan bersama, karena yang satu dapat dihitung dari total dan yang "
        "lain.",
        "Within the rows shown, a figure about part of the employers visited (ranked or random "
        "picks, workers, family members or arrears recorded) reads '–' when that part holds "
        "fewer than {k} employers; ranked and random picks are hidden together, as one could "
        "be worked out from the total and the other.",
    ),
    "sem_pooled_note": (
        "Provinsi dengan kurang dari {k} badan usaha diperiksa dalam periode ini (badan usaha "
        "yang diperiksa untuk dua rencana dihitung sekali) digabung dalam satu baris di setiap "
        "tabel per provinsi, agar tidak ada baris yang menggambarkan temuan di satu atau "
        "beberapa badan usaha; baris Indonesia mencakup semua pemeriksaan. Kab/kota dari "
        "provinsi yang digabung tidak ditampilkan.",
        "Provinces with fewer than {k} employers visited in the period (an employer visited "
        "for two plans counts once) are pooled into one row in every table by province, so "
        "that no row describes what was found at one or a few employers; the Indonesia row "
        "counts every visit. The kab/kota of the pooled provinces are not shown.",
    ),
    "sem_suppressed_note": (
        "Gabungan itu pun kurang dari {k} badan usaha diperiksa: barisnya hanya memuat jumlah "
        "pemeriksaan, tanpa temuan, tingkat, interval maupun jumlah rupiah ('–').",
        "That pool too has fewer than {k} employers visited: its row shows the numbers of "
        "inspections "
        "only, without findings, rates, intervals or amounts ('–').",
    ),
    "sem_outside": (
        "{n} pemeriksaan bertanggal di luar periode ini tidak dihitung.",
        "{n} visits dated outside this period are not counted.",
    ),
    "sem_hits_h": (
        "Temuan ketidakpatuhan: pilihan peringkat dan pilihan acak",
        "Noncompliance found: ranked and random picks",
    ),
    "sem_hits_intro": (
        "Pilihan peringkat adalah badan usaha berisiko tertinggi menurut model; pilihan acak "
        "diundi di antara badan usaha lain yang belum diperiksa, sehingga temuannya mewakili "
        "mereka. Interval 95% menurut metode Wilson.",
        "Ranked picks are the employers the model rates riskiest; random picks are drawn among "
        "the other uninspected employers, so their findings stand for them. 95% intervals by "
        "the Wilson method.",
    ),
    "sem_ranked": ("Pilihan peringkat", "Ranked picks"),
    "sem_random": ("Pilihan acak", "Random picks"),
    "sem_found": ("Tidak patuh", "Noncompliant"),
    "sem_rate": ("Tingkat temuan", "Hit rate"),
    "sem_interval": ("Interval 95%", "95% interval"),
    "sem_results_h": (
        "Hasil dibanding perkiraan rencana",
        "Results against what the plan expected",
    ),
    "sem_results_note": (
        "Pekerja dan anggota keluarga didaftarkan: di badan usaha yang ditemukan tidak patuh, "
        "jumlah terdaftar 3 bulan setelah pemeriksaan dikurangi jumlah sebelumnya, di luar "
        "perubahan biasa (pekerja masuk dan keluar) yang diukur di badan usaha yang ditemukan "
        "patuh; hanya badan usaha yang jumlahnya tercatat. Di bawahnya, interval 95%: "
        "ketidakpastian angka "
        "itu karena perubahan biasa berbeda dari satu badan usaha ke yang lain (sebarannya "
        "diukur di badan usaha yang ditemukan patuh; '–' bila kurang dari dua). Perkiraan "
        "rencana: perkiraan pekerja dan anggota keluarga belum terdaftar dari badan usaha "
        "yang sama. Tunggakan pada rencana: tunggakan badan usaha yang pembayarannya "
        "tercatat, pada tanggal data rencana.",
        "Workers and family members registered: at the employers found noncompliant, those "
        "registered 3 months after the visit minus those before, beyond the ordinary change "
        "(hiring and leaving) measured at the employers found compliant; employers with a "
        "recorded count only. Under it, the 95% interval: the uncertainty of that figure "
        "because ordinary "
        "change differs from one employer to the next (its spread measured at the employers "
        "found compliant; '–' with fewer than two). The plan expected: its expected "
        "unregistered workers and family members of the same employers. Arrears on the plan: "
        "arrears of the employers with a recorded payment, on the plan's data date.",
    ),
    "sem_recorded": ("Tercatat untuk", "Recorded for"),
    "sem_expected": ("Perkiraan rencana", "Plan expected"),
    "sem_net": ("Didaftarkan", "Registered"),
    "sem_workers": ("Pekerja didaftarkan", "Workers registered"),
    "sem_dependants": ("Anggota keluarga didaftarkan", "Family members registered"),
    "sem_arrears_due": ("Tunggakan pada rencana", "Arrears on the plan"),
    "sem_arrears": ("Tunggakan terbayar", "Arrears recovered"),
    "sem_referred": ("Diserahkan ke Kejaksaan", "Referred to the prosecutors"),
    "sem_cal_h": (
        "Kalibrasi model rencana pada pilihan acak",
        "Calibration of the plan's model on the random picks",
    ),
    "sem_cal_text": (
        "Di antara {n} pilihan acak yang diperiksa, model memperkirakan {expected} badan usaha "
        "tidak patuh (risiko rata-rata {mean}); yang ditemukan {found} ({observed}, interval "
        "95% {lower} sampai {upper}). Rasio temuan terhadap perkiraan: {ratio}.",
        "Among the {n} random picks visited, the model expected {expected} noncompliant "
        "employers (mean risk {mean}); {found} were found ({observed}, 95% interval {lower} to "
        "{upper}). Found over expected: {ratio}.",
    ),
    "sem_cal_none": (
        "Tidak ada pilihan acak yang diperiksa dalam periode ini: kalibrasi tidak dapat dinilai.",
        "No random pick was visited in this period: calibration cannot be assessed.",
    ),
    "sem_chart_title": (
        "Risiko menurut model dan temuan tidak patuh",
        "Risk by the model and share found noncompliant",
    ),
    "sem_axis_risk": ("Risiko menurut model", "Risk by the model"),
    "sem_axis_found": ("Ditemukan tidak patuh", "Found noncompliant"),
    "sem_legend_ideal": ("Kalibrasi sempurna", "Perfect calibration"),
    "sem_legend_observed": (
        "Temuan per rentang risiko (interval 95%)",
        "Found by band of risk (95% interval)",
    ),
    "sem_band": ("Rentang risiko", "Risk band"),
    "sem_n": ("Diperiksa", "Visited"),
    "sem_mean_risk": ("Risiko rata-rata", "Mean risk"),
    "sem_observed": ("Ditemukan tidak patuh", "Found noncompliant"),
    "sem_district_h": ("Perubahan per kabupaten/kota", "Change by district (kab/kota)"),
    "sem_district": ("Kabupaten/kota", "District"),
    "sem_before": ("sebelum", "before"),
    "sem_after": ("sesudah", "after"),
    "sem_change": ("perubahan", "change"),
    "sem_district_note": (
        "Jumlah terdaftar sebelum dan sesudah pemeriksaan, untuk badan usaha yang jumlahnya "
        "tercatat; hanya kabupaten/kota dengan pemeriksaan dalam periode ini. Kabupaten/kota "
        "dengan kurang dari {k} badan usaha diperiksa digabung per provinsi, dan gabungan itu "
        "tidak ditampilkan bila juga kurang dari {k} badan usaha diperiksa: tidak ada baris "
        "yang menggambarkan kurang dari {k} badan usaha.",
        "Registered before and after the visit, over the employers with a recorded count; "
        "districts with a visit in the period only. Districts with fewer than {k} employers "
        "visited are pooled per province, and the pool is not shown when it too has fewer "
        "than {k}: no row describes fewer than {k} employers.",
    ),
    "sem_other_districts": (
        "Kabupaten/kota lain ({n}, masing-masing kurang dari {k} badan usaha diperiksa)",
        "Other districts ({n}, fewer than {k} employers visited each)",
    ),
    "sem_equity_h": ("Kepada siapa rencana terpusat", "Whom the plans concentrate on"),
    "sem_equity_intro": (
        "Bagian tiap kelompok dalam rencana dibanding bagiannya di antara badan usaha yang "
        "belum pernah diperiksa, yaitu yang dapat dipilih rencana (rasio di atas 1 = lebih "
        "terwakili), dengan risiko rata-rata menurut model: keterwakilan lebih dari kelompok "
        "yang risikonya lebih tinggi dapat dibenarkan.",
        "Each group's share of the plans against its share of the employers never inspected "
        "before, those a plan can list (ratio above 1 = over-represented), with its mean risk "
        "by the model: over-representation of a group with a higher risk is justified.",
    ),
    "sem_grouping_size_band": ("Ukuran (pekerja)", "Size (workers)"),
    "sem_grouping_sector": ("Sektor", "Sector"),
    "sem_group": ("Kelompok", "Group"),
    "sem_registry_share": ("Bagian yang belum diperiksa", "Share of the uninspected"),
    "sem_list_share": ("Bagian rencana", "Share of plans"),
    "sem_ratio": ("Rasio", "Ratio"),
    "sem_outcome_rate": ("Risiko rata-rata", "Mean risk"),
    "sem_precision": ("Risiko rata-rata dalam rencana", "Mean risk on the plans"),
    "sem_recall": (
        "Bagian ketidakpatuhan yang dijangkau rencana",
        "Share of noncompliance the plans reach",
    ),
    "sem_no_equity": (
        "Tabel keterwakilan tidak tersedia: rencana yang diberikan hanya memuat badan usaha yang "
        "dipilih; berikan tabel lengkap dari 'perjaka employers score'.",
        "The representation table is not available: the plans given hold only the listed "
        "employers; give the full tables written by 'perjaka employers score'.",
    ),
    "sem_provenance": (
        "Dibuat oleh perjaka-analysis {version} dari rencana dan hasil pemeriksaan di atas.",
        "Made by perjaka-analysis {version} from the plans and inspection outcomes above.",
    ),
}


#: The words of a probability: (lowest probability of the band, key in :data:`TEXT`),
#: from the top. A band includes its lower bound: 0.95 is "almost certainly".
PROBABILITY_BANDS: tuple[tuple[float, str], ...] = (
    (0.95, "p_almost_certain"),
    (0.80, "p_very_likely"),
    (0.60, "p_likely"),
    (0.40, "p_even"),
    (0.20, "p_unlikely"),
    (0.05, "p_very_unlikely"),
    (0.0, "p_almost_never"),
)


def probability_words(p: object, lang: str = "id") -> str:
    """The words every page uses for a probability (bands of :data:`PROBABILITY_BANDS`).

    ≥ 0.95 almost certainly; 0.80–0.95 very likely; 0.60–0.80 likely;
    0.40–0.60 about as likely as not; 0.20–0.40 unlikely; 0.05–0.20 very
    unlikely; below 0.05 almost certainly not.

    Examples
    --------
    >>> probability_words(0.52, "en"), probability_words(0.95, "en"), probability_words(0.949)
    ('about as likely as not', 'almost certainly', 'sangat mungkin')
    """
    if _missing(p):
        return "–"
    value = float(p)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"a probability is between 0 and 1, got {value}")
    for lower, key in PROBABILITY_BANDS:
        if value >= lower:
            return text(key, lang)
    return text(PROBABILITY_BANDS[-1][1], lang)  # pragma: no cover - 0 is in the last band


def fmt_prob(p: object, lang: str = "id") -> str:
    """A model's probability as every page shows it: a whole percent, never certain.

    One that rounds to 100% is "> 99%", one that rounds to 0% is "< 1%" (the
    share of simulated paths, not a certainty). The one formatter of a
    probability in briefs, tables and the overview; an observed rate (share
    of visits done) is a percentage, not this.

    Examples
    --------
    >>> fmt_prob(0.524), fmt_prob(1.0, "en"), fmt_prob(0.996), fmt_prob(0.004, "en"), fmt_prob(None)
    ('52%', '> 99%', '> 99%', '< 1%', '–')
    """
    if _missing(p):
        return "–"
    shown = fmt_pct(100 * float(p), lang, 0)
    if shown == fmt_pct(100, lang, 0):
        return f"> {fmt_pct(99, lang, 0)}"
    if shown == fmt_pct(0, lang, 0):
        return f"< {fmt_pct(1, lang, 0)}"
    return shown


def probability_phrase(p: object, lang: str = "id") -> str:
    """A probability in words with its value: ``sangat mungkin (85%)``.

    The value is :func:`fmt_prob`'s: never shown as certain.

    Examples
    --------
    >>> probability_phrase(0.52, "en"), probability_phrase(0.999), probability_phrase(0.0, "en")
    ('about as likely as not (52%)', 'hampir pasti (> 99%)', 'almost certainly not (< 1%)')
    """
    if _missing(p):
        return "–"
    return f"{probability_words(p, lang)} ({fmt_prob(p, lang)})"


def fmt_rp(x: object, lang: str = "id", significant: int | None = None) -> str:
    """A rupiah amount: of one employer, one decimal from a million up; or, with
    ``significant``, every amount of a report at the same number of significant digits.

    Parameters
    ----------
    x : float
        The amount in rupiah.
    lang : {"id", "en"}
    significant : int, optional
        Round to this many significant digits and keep its trailing zeros, in
        words from a million up (juta, miliar, triliun), so the amounts of a
        table and the bounds of an interval read alike. None: one decimal
        from a million up (an employer's wage or arrears).

    Returns
    -------
    str
        ``"–"`` when the amount is missing.

    Examples
    --------
    >>> fmt_rp(2_350_000), fmt_rp(2_350_000, "en"), fmt_rp(940_000)
    ('Rp 2,4 juta', 'Rp 2.4 million', 'Rp 940.000')
    >>> [fmt_rp(x, "id", significant=3) for x in (12_345_678, 1_254_000_000, 27_200_000, 0)]
    ['Rp 12,3 juta', 'Rp 1,25 miliar', 'Rp 27,2 juta', 'Rp 0']
    >>> [fmt_rp(x, "en", significant=3) for x in (12_345_678, 1_254_000_000, 749_123, 999_600_000)]
    ['Rp 12.3 million', 'Rp 1.25 billion', 'Rp 749,000', 'Rp 1.00 billion']
    >>> fmt_rp(35_150_000_000_000, "en", significant=3), fmt_rp(None, significant=3)
    ('Rp 35.2 trillion', '–')
    """
    if _missing(x):
        return "–"
    value = float(x)
    if significant is not None:
        value = float(f"{value:.{significant}g}")  # rounded first: 999.6 juta is 1,00 miliar
        magnitude = len(f"{abs(value):.0f}") - 1  # 12,300,000 -> 7
        for size, word in _SCALES[lang]:
            if abs(value) >= size:
                places = max(0, significant - 1 - magnitude + round(math.log10(size)))
                return f"Rp {fmt_num(value / size, lang, places)} {word}"
        return "Rp " + fmt_int(value, lang)
    if value >= 1e9:
        value, unit = value / 1e9, text("rp_billion", lang)
    elif value >= 1e6:
        value, unit = value / 1e6, text("rp_million", lang)
    else:
        return "Rp " + fmt_int(value, lang)
    num = f"{value:.1f}"
    return f"Rp {num.replace('.', ',') if lang == 'id' else num} {unit}"


def _reason_sentence(code: str, row: Mapping[str, Any], lang: str) -> str:
    if code == "registration":
        return text("reason_registration", lang).format(
            registered=fmt_int(row["workers_registered"], lang),
            reported=fmt_int(row["workers_reported"], lang),
        )
    if code == "wage":
        wage, floor = row.get("wage_reported_idr"), row.get("ump")
        if not _missing(wage) and not _missing(floor) and wage < floor:
            return text("reason_wage_below", lang).format(
                wage=fmt_rp(wage, lang), floor=fmt_rp(floor, lang)
            )
        return text("reason_wage", lang)
    if code == "arrears":
        months, amount = int(row["months_in_arrears"]), row.get("arrears_idr")
        extra = f" ({fmt_rp(amount, lang)})" if not _missing(amount) and amount > 0 else ""
        key = "reason_arrears_one" if months == 1 else "reason_arrears"
        return text(key, lang).format(months=months, amount=extra)
    if code == "late_payments":
        return text("reason_late_payments", lang).format(late=int(row["late_payments_12m"]))
    if code == "deactivations":
        return text("reason_deactivations", lang).format(n=fmt_int(row["deactivations_12m"], lang))
    if code == "family":
        per = f"{row['dependants_registered'] / max(row['workers_registered'], 1):.1f}"
        return text("reason_family", lang).format(
            per=per.replace(".", ",") if lang == "id" else per
        )
    raise KeyError(f"unknown reason code {code!r}")


def reason_sentences(figures: pd.DataFrame, lang: str = "id") -> pd.Series:
    """The reasons of each employer's risk in words, with its exact figures.

    Parameters
    ----------
    figures : pandas.DataFrame
        ``reason_codes`` (``;``-joined, most important first) and the
        figures the sentences cite: ``workers_registered, workers_reported,
        wage_reported_idr, ump, months_in_arrears, arrears_idr,
        late_payments_12m, deactivations_12m, dependants_registered``.
    lang : {"id", "en"}

    Returns
    -------
    pandas.Series
        ``"; "``-joined sentences per row (empty without codes).

    Examples
    --------
    >>> row = pd.DataFrame({"reason_codes": ["registration;arrears"], "workers_registered": [12],
    ...     "workers_reported": [40], "months_in_arrears": [1], "arrears_idr": [2_350_000]})
    >>> reason_sentences(row, "en").iloc[0]
    'registered 12 of 40 reported workers; 1 month in arrears (Rp 2.4 million)'
    """
    codes = figures["reason_codes"].fillna("").astype(str).tolist()
    rows = figures.drop(columns="reason_codes").to_dict("records")
    said = ["; ".join(_reason_sentence(c, r, lang) for c in cs.split(";") if c) for cs, r in
            zip(codes, rows, strict=True)]  # fmt: skip
    return pd.Series(said, index=figures.index, name="reasons", dtype="str")


def banded_reasons(shown: pd.DataFrame, lang: str = "id") -> pd.Series:
    """The reasons of a shareable list in words: banded (level 0) or named (levels 1-4).

    Parameters
    ----------
    shown : pandas.DataFrame
        ``reason_codes`` and ``reason_bands`` (``;``-joined, aligned) and
        ``disclosure_level`` (see :mod:`perjaka_analysis.employers.disclosure`).
    lang : {"id", "en"}

    Returns
    -------
    pandas.Series
        ``"; "``-joined reasons per row (empty at level 5 or without codes).

    Examples
    --------
    >>> shown = pd.DataFrame({"reason_codes": ["registration;family", "arrears"],
    ...     "reason_bands": ["under 25%;under 0.5", ""], "disclosure_level": [0, 3]})
    >>> banded_reasons(shown).tolist()
    ['mendaftarkan di bawah 25% pekerja yang dilaporkan; di bawah 0,5 anggota keluarga terdaftar per pekerja', 'menunggak iuran']
    """  # noqa: E501
    out = []
    for codes, bands, level in zip(
        shown["reason_codes"].fillna("").astype(str),
        shown["reason_bands"].fillna("").astype(str),
        shown["disclosure_level"],
        strict=True,
    ):
        which = [c for c in codes.split(";") if c]
        if level == 0:
            parts = bands.split(";") if which else []
            if lang == "id":
                parts = [b.replace("under", "di bawah").replace("0.5", "0,5") for b in parts]
            said = [
                text(f"reason_band_{c}", lang).format(b=b)
                for c, b in zip(which, parts, strict=True)
            ]
        elif level <= 4:
            said = [text(f"reason_named_{c}", lang) for c in which]
        else:
            said = []
        out.append("; ".join(said))
    return pd.Series(out, index=shown.index, name="reasons", dtype="str")


def text(key: str, lang: str = "id") -> str:
    """The phrase ``key`` in the language (``id`` or ``en``).

    Examples
    --------
    >>> text("headline"), text("headline", "en")
    ('Sorotan', 'Headline')
    """
    return TEXT[key][0 if lang == "id" else 1]


def catalogue(lang: str = "id") -> dict[str, str]:
    """Every phrase in one language, for templates (``t.headline``).

    Examples
    --------
    >>> catalogue("en")["target"]
    'Target'
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {lang!r}")
    return {key: pair[LANGUAGES.index(lang)] for key, pair in TEXT.items()}
