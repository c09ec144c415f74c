"""The province brief: each section is one call that returns displayable HTML.

Reads the tables that :func:`perjaka_analysis.report_data.prepare_shared`
wrote once per run; imports neither statsmodels nor scikit-learn, so a brief's
kernel starts fast. Every text that comes from data (names, sources, reasons)
is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .config import ReportConfig, slugify
from .i18n import fmt_date, fmt_int, fmt_num, fmt_pct, fmt_pp, text

__all__ = ["HTML", "Brief"]


class HTML:
    """A piece of HTML that notebooks display as such."""

    def __init__(self, body: str) -> None:
        self.body = body

    def _repr_html_(self) -> str:
        return self.body

    def __str__(self) -> str:
        return self.body


def esc(value: object) -> str:
    """HTML-escape any value (missing -> dash)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    return html.escape(str(value), quote=True)


def _table(frame: pd.DataFrame, cls: str = "brief") -> str:
    return frame.to_html(index=False, escape=True, classes=cls, border=0, na_rep="–")


@dataclass
class Brief:
    """One province's brief, built from a run's shared tables.

    Use :meth:`load`; every other method returns :class:`HTML`.
    """

    config: ReportConfig
    shared: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    @classmethod
    def load(cls, **parameters: object) -> Brief:
        """Load the brief of ``province`` from ``shared`` (the report parameters).

        With ``shared=""`` (a notebook opened by hand) the shared tables are
        computed first, for this province only, in a temporary folder.
        """
        config = ReportConfig.from_mapping(dict(parameters))
        shared = Path(config.shared) if config.shared else None
        if shared is None:
            from .report_data import prepare_shared

            shared = Path(tempfile.mkdtemp(prefix="perjaka-brief-")) / "_shared"
            prepare_shared(config, shared, provinces=[config.province])
            from .plotting import render_brief_figures

            render_brief_figures(
                shared, config.province, shared.parent / "figures", config.language
            )
        names = (
            "forecast", "history", "panel", "targets", "summary", "scored_list", "gains",
            "scenario", "risk_by", "coverage",
        )  # fmt: skip
        tables = {}
        for name in names:
            frame = pd.read_parquet(shared / f"{name}.parquet")
            if "province" in frame:
                frame = frame[frame["province"] == config.province].reset_index(drop=True)
            tables[name] = frame
        tables["summary_all"] = pd.read_parquet(shared / "summary.parquet")
        meta = json.loads((shared / "meta.json").read_text(encoding="utf-8"))
        return cls(config=config, shared=shared, tables=tables, meta=meta)

    # -- helpers ----------------------------------------------------------------------------
    @property
    def lang(self) -> str:
        return self.config.language

    def _t(self, key: str) -> str:
        return esc(text(key, self.lang))

    def _figure(self, kind: str, alt: str) -> str:
        name = f"{slugify(self.config.province)}-{kind}.png"
        path = self.shared.parent / "figures" / name
        if not path.is_file():
            return ""
        if self.config.shared:  # a run: the brief's HTML sits beside figures/
            src = f"figures/{name}"
        else:  # opened by hand: embed
            src = "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()
        return f'<img class="figure" src="{esc(src)}" alt="{esc(alt)}">'

    # -- sections ---------------------------------------------------------------------------
    def title(self) -> HTML:
        """Title, date and the synthetic-data notice."""
        c = self.config
        note = ""
        if self.meta.get("registry_synthetic"):
            note = f'<p class="synthetic">{self._t("synthetic")}</p>'
        return HTML(
            f"<h1>{self._t('title')}: {esc(c.province)}</h1>"
            f"<p class='meta'>{esc(fmt_date(c.as_of, self.lang))}</p>{note}"
        )

    def headline(self) -> HTML:
        """Latest coverage (date, source), rank, distance to each target."""
        s = self.tables["summary"]
        lang = self.lang
        if s.empty or pd.isna(s.loc[0, "latest_pct"]):
            return HTML(f"<h2>{self._t('headline')}</h2><p>{self._t('no_figure')}</p>")
        row = s.iloc[0]
        n_ranked = int(self.tables["summary_all"]["rank"].notna().sum())
        src = row["source"] or "–"
        lines = [
            f"<p class='big'>{esc(fmt_pct(row['latest_pct'], lang))}</p>",
            f"<p>{self._t('latest')}: {esc(fmt_date(row['latest_date'], lang))} "
            f"({self._t('sources').lower()}: {esc(src)})</p>",
            f"<p>{self._t('rank')}: {esc(fmt_int(row['rank'], lang))} / {n_ranked}</p>",
        ]
        if row["territory"] != row["province"]:
            lines.append(f"<p class='note'>{self._t('basis_presplit')}</p>")
        rows = []
        for t in self.config.targets:
            label = f"{t:g}"
            rows.append(
                {
                    self._t("target"): fmt_pct(t, lang, 1),
                    self._t("gap"): fmt_pp(row.get(f"gap_{label}_pp"), lang),
                    text("people", lang): fmt_int(row.get(f"gap_{label}_people"), lang),
                }
            )
        return HTML(f"<h2>{self._t('headline')}</h2>" + "".join(lines) + _table(pd.DataFrame(rows)))

    def forecast(self) -> HTML:
        """Fan chart, expected date of each target, probability, required vs recent pace."""
        lang = self.lang
        t = self.tables["targets"]
        status = {
            "already above target": text("status_above", lang),
            "expected": text("status_expected", lang),
            "out of reach within horizon": text("status_out", lang),
        }
        rows = []
        for r in t.itertuples():
            lower = fmt_date(r.date_lower_80, lang, "month")
            upper = (
                fmt_date(r.date_upper_80, lang, "month")
                if pd.notna(r.date_upper_80)
                else text("later", lang)
            )
            above = r.status == "already above target"
            rows.append(
                {
                    text("target", lang): fmt_pct(r.target_pct, lang, 1),
                    "status": status.get(r.status, r.status),
                    text("expected_date", lang): fmt_date(r.expected_date, lang, "month"),
                    text("interval", lang): "" if above else f"{lower} – {upper}",
                    text("probability", lang): fmt_pct(100 * r.prob_by_deadline, lang, 0),
                    text("required_pace", lang): fmt_int(r.required_per_month, lang),
                    text("recent_pace", lang): fmt_int(r.recent_per_month, lang),
                }
            )
        basis = t["basis"].iloc[0] if not t.empty else ""
        note = ""
        if basis.startswith("pooled (no data)"):
            note = f"<p class='note'>{self._t('basis_pooled')}</p>"
        elif "territory" in basis:
            note = f"<p class='note'>{self._t('basis_presplit')}</p>"
        deadline = esc(fmt_date(self.config.deadline, lang))
        return HTML(
            f"<h2>{self._t('trend')}</h2>{note}"
            + self._figure("fan", text("trend", lang))
            + f"<p>{self._t('probability')}: {deadline}</p>"
            + _table(pd.DataFrame(rows))
        )

    def employers(self, n: int = 15) -> HTML:
        """Top of the inspection list (pseudonyms, reasons), risk by sector and district."""
        lang = self.lang
        listed = self.tables["scored_list"]
        gains = self.tables["gains"]
        top = listed.sort_values("rank_in_province").head(n)
        view = pd.DataFrame(
            {
                "#": top["rank_in_province"],
                "pseudonym": top["pseudonym"] if "pseudonym" in top else top["employer_id"],
                text("district", lang): top["district"],
                text("sector", lang): top["sector"],
                text("risk", lang): [fmt_pct(100 * r, lang, 0) for r in top["risk"]],
                text("reasons", lang): top["reasons"],
                text("workers", lang): [
                    fmt_num(x, lang, 1) for x in top["expected_unregistered_workers"]
                ],
            }
        )
        g = gains.iloc[0] if not gains.empty else None
        summary = ""
        if g is not None:
            summary = (
                "<p>"
                + esc(
                    text("on_list_total", lang).format(
                        k=fmt_int(g["employers_on_list"], lang),
                        w=fmt_int(g["expected_unregistered_workers"], lang),
                        d=fmt_int(g["expected_unregistered_dependants"], lang),
                        p=fmt_pp(g["added_pp"], lang, 3),
                        c="Rp " + fmt_int(g["expected_contributions_idr_per_month"], lang),
                    )
                )
                + "</p>"
            )
        risk_by = self.tables["risk_by"]
        sectors = (
            risk_by[risk_by["grouping"] == "sector"]
            .sort_values("mean_risk", ascending=False)
            .head(8)
        )
        districts = (
            risk_by[risk_by["grouping"] == "district"]
            .sort_values("expected_unregistered_workers", ascending=False)
            .head(8)
        )

        def small(frame: pd.DataFrame) -> str:
            return _table(
                pd.DataFrame(
                    {
                        "": frame["group"],
                        "n": [fmt_int(x, lang) for x in frame["employers"]],
                        text("risk", lang): [fmt_pct(100 * x, lang, 1) for x in frame["mean_risk"]],
                        "list": [fmt_int(x, lang) for x in frame["on_list"]],
                        text("workers", lang): [
                            fmt_int(x, lang) for x in frame["expected_unregistered_workers"]
                        ],
                    }
                )
            )

        synthetic = (
            f"<p class='synthetic'>{self._t('synthetic')}</p>"
            if self.meta.get("registry_synthetic")
            else ""
        )
        return HTML(
            f"<h2>{self._t('employers')}</h2>{synthetic}{summary}"
            f"<h3>{self._t('list')}</h3><p class='note'>{self._t('pseudonym_note')}</p>"
            + _table(view)
            + self._figure("sectors", "risk by sector")
            + "<div class='cols'><div>"
            + small(sectors)
            + "</div><div>"
            + small(districts)
            + "</div></div>"
        )

    def scenario(self) -> HTML:
        """If the top-k employers complied: participants added, points, months earlier."""
        lang = self.lang
        g = self.tables["gains"]
        s = self.tables["scenario"]
        if g.empty:
            return HTML("")
        g = g.iloc[0]
        rows = [
            {
                text("target", lang): fmt_pct(r.target_pct, lang, 1),
                "baseline": fmt_date(r.baseline_date, lang, "month"),
                "scenario": fmt_date(r.scenario_date, lang, "month"),
                f"{text('months', lang)} {text('earlier', lang)}": fmt_int(r.months_earlier, lang),
                text("probability", lang): (
                    f"{fmt_pct(100 * r.baseline_prob, lang, 0)} → "
                    f"{fmt_pct(100 * r.scenario_prob, lang, 0)}"
                ),
            }
            for r in s.itertuples()
        ]
        head = (
            f"<p class='big'>+{esc(fmt_int(g['added_participants'], lang))} "
            f"{self._t('people')} (+{esc(fmt_pp(g['added_pp'], lang, 3))})</p>"
        )
        return HTML(f"<h2>{self._t('scenario')}</h2>{head}" + _table(pd.DataFrame(rows)))

    def method(self) -> HTML:
        """Sources with dates, caveats, provenance (version, commit, hashes, parameters)."""
        lang = self.lang
        cov = self.tables["coverage"].sort_values("date")
        sources = "".join(
            f"<li>{esc(fmt_date(r.date, lang, r.date_precision))} — {esc(r.measure)} "
            f'{esc(fmt_pct(r.coverage_pct, lang))}: <a href="{esc(r.source_url)}">'
            f"{esc(r.source_url)}</a></li>"
            for r in cov.itertuples()
            if isinstance(r.source_url, str) and r.source_url.startswith(("http://", "https://"))
        )
        m = self.meta
        inputs = "".join(
            f"<li>{esc(name)}: <code>{esc(v['sha256'][:16])}</code></li>"
            for name, v in m.get("inputs", {}).items()
        )
        params = esc(json.dumps(self.config.parameters(), ensure_ascii=False))
        synthetic = (
            f"<p class='synthetic'>{self._t('synthetic')}</p>"
            if m.get("registry_synthetic")
            else ""
        )
        return HTML(
            f"<h2>{self._t('method')}</h2>"
            f"<h3>{self._t('sources')}</h3><ul>{sources or '<li>–</li>'}</ul>"
            f"<h3>{self._t('caveats')}</h3><p>{self._t('caveat_text')}</p>{synthetic}"
            f"<h3>{self._t('provenance')}</h3><ul>"
            f"<li>perjaka-analysis {esc(m.get('package_version'))}, "
            f"commit <code>{esc(m.get('git_commit'))}</code></li>"
            f"<li>trend: {esc(m.get('trend_method'))}, data to {esc(m.get('data_end'))}</li>"
            f"<li>seed {esc(m.get('seed'))}; prepared {esc(m.get('prepared_at'))}</li>"
            f"{inputs}<li>parameters: <code>{params}</code></li></ul>"
        )
