"""The ``saturation`` method: the national path plus reconciled province offsets.

See :mod:`perjaka_analysis.trend` for the method and
:mod:`perjaka_analysis.saturation` for its estimation;
:class:`SaturationTrendModel` fits it and :class:`SaturationState` predicts
from the fit.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import saturation as _saturation
from .datasets import load_provinces
from .errors import PerjakaError
from .provinces import NATIONAL, province_table
from .saturation import fit_saturation, from_scale
from .saturation_filter import _scale_noise, _transition
from .trend_base import (
    METHODS,
    SATURATION_SCALE_MAX,
    CoverageTrendModel,
    ProvinceTrend,
    _group_for,
    _warn_unconverged,
    to_years,
)
from .trend_results import TrendResults

__all__ = ["SaturationState", "SaturationTrendModel"]


@dataclass(frozen=True)
class SaturationState:
    """What the saturation method needs to predict: estimates, each place's
    figures and status reports, and the reconciliation grid."""

    model: object
    inputs: dict
    grid: dict

    def pct(self, z: np.ndarray) -> np.ndarray:
        """Coverage (percent) of ``-log(ceiling - y)``."""
        return from_scale(z, self.model.ceiling)

    def mean_pct(self, mu: np.ndarray, var: np.ndarray) -> np.ndarray:
        """The median: the model scale is monotone."""
        return self.pct(mu)

    def moments(
        self, trend: ProvinceTrend, t: np.ndarray, *, observation: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance of coverage (model scale) of one place at times ``t``."""
        model = self.model
        t = np.asarray(t, dtype=float)
        mean, var = model.national(t)
        var = var + model.param_var(self.param_jacobian(trend, t))
        noise = model.sigma2_nat
        if trend.province != NATIONAL:
            off = _offset_moments(model, self.inputs[trend.province], t)
            mean = mean + off["mean"] + self._adjustment(t, off["var"])
            var = var + off["var"]
            noise = model.sigma2
        if observation:  # one more published figure: its noise on the model scale
            var = var + _scale_noise(noise, self.pct(mean), model.ceiling)
        return mean, var

    def param_jacobian(self, trend: ProvinceTrend, t: np.ndarray) -> np.ndarray:
        """How a place's mean at ``t`` moves with the national parameters (n x 4).

        The nation, and a place without figures of its own, move with the
        national path (:meth:`~.saturation.SaturationFit.national_param_jacobian`).
        A province's offset is read from its figures less the national path,
        so its own figures hold its level: the parameters move it only
        through the national path since its latest figure.
        """
        model = self.model
        jac = model.national_param_jacobian(t)
        if trend.province != NATIONAL and trend.last_date is not None:
            jac = jac - model.national_param_jacobian(to_years([trend.last_date]))
        return jac

    def _adjustment(self, t: np.ndarray, offset_var: np.ndarray) -> np.ndarray:
        """Shift reconciling a province to the nation (see ``_reconciliation_grid``)."""
        grid = self.grid
        gap = np.interp(t, grid["t"], grid["gap"])
        wvar = np.interp(t, grid["t"], grid["wvar"])
        return -gap * offset_var / np.maximum(wvar, 1e-12)

    def simulate(
        self, trend: ProvinceTrend, t: np.ndarray, n_paths: int, rng: np.random.Generator
    ) -> np.ndarray:
        """Paths of national level + reconciled offset at times ``t`` (percent).

        The national deviation from its smoothed mean is one standard normal
        per path scaled by the smoothed sd up to the last national figure,
        then an exact Ornstein-Uhlenbeck continuation; each path adds the
        shift of its own draw of the national parameters (linearised, the
        same as :meth:`moments` adds, see :meth:`param_jacobian`); the offset's state
        ``[u, delta, beta]`` starts from its smoothed state at the first time,
        ``u`` continues exactly and ``beta`` multiplies the path's own
        national shortfall.
        """
        model = self.model
        t_nat = float(model.national_t.max()) if len(model.national_t) else float(t[0])
        t_all = np.concatenate([t, [t_nat]])
        mean_all, var_all = model.national(t_all)
        mean, var_n = mean_all[:-1], var_all[:-1]
        eps0 = rng.standard_normal(n_paths)
        dev = np.empty((n_paths, len(t)))
        prev_t, prev = t_nat, math.sqrt(var_all[-1]) * eps0
        for k, tk in enumerate(t):
            if tk <= t_nat:
                dev[:, k] = math.sqrt(var_n[k]) * eps0
                continue
            b, q = model.national_step(prev_t, tk)
            prev = b * prev + math.sqrt(q) * rng.standard_normal(n_paths)
            prev_t = tk
            dev[:, k] = prev
        z = mean[None, :] + dev
        shift = 0.0  # each path's own draw of the national parameters, linearised
        if np.any(model.param_cov):
            draws = rng.multivariate_normal(
                np.zeros(len(model.param_cov)), model.param_cov, n_paths, method="eigh"
            )
            shift = draws @ self.param_jacobian(trend, t).T
        if trend.province == NATIONAL:
            return self.pct(z + shift)
        off = _offset_moments(model, self.inputs[trend.province], t)
        state = rng.multivariate_normal(
            off["state_mean"][0], off["state_cov"][0], size=n_paths, method="eigh"
        )
        u, delta, beta = state[:, 0], state[:, 1], state[:, 2]
        paths = np.empty((n_paths, len(t)))
        paths[:, 0] = u
        for k in range(1, len(t)):
            b, q = _transition(t[k] - t[k - 1], model.kappa_d, model.s2_d)
            u = u * b + math.sqrt(q) * rng.standard_normal(n_paths)
            paths[:, k] = u
        # the province's share of the nation's shortfall follows each national path
        offset = paths + delta[:, None] + beta[:, None] * (model.level - z)
        return self.pct(z + offset + self._adjustment(t, off["var"])[None, :] + shift)

    def describe(self, results: TrendResults) -> str:
        p = results.pooled
        n_own = sum(t.basis == "own data" for t in results.trends.values())
        return (
            f"TrendResults(method='saturation', measure={results.measure!r}, "
            f"places={len(results.trends)}, with own data={n_own}, "
            f"national long-run level={p['long_run_level_pct']:.2f}%, "
            f"province noise sd={math.sqrt(p['sigma2']):.2f} pp, "
            f"converged={results.converged})"
        )


def _offset_moments(model, inputs: tuple, t: np.ndarray) -> dict:
    t_obs, y_obs, reports = inputs
    ev = model.offset_events(t_obs, y_obs, reports, t)
    return model.offset(ev, t)


def _reconciliation_grid(model, inputs: dict, panel: pd.DataFrame) -> dict:
    """Population-weighted offset mean and variance of the 38 provinces, quarterly.

    Reconciliation shifts province ``p`` at time ``t`` by
    ``-gap(t) * v_p(t) / wvar(t)`` on the model scale, with ``wvar`` the
    weighted mean offset variance and ``gap`` the shift that makes the
    population-weighted province medians in percent equal the national
    median, the gap taken up by the provinces whose offsets are least
    certain.
    """
    pop = load_provinces().set_index("province")["population"].astype(float)
    pop = pop[pop.notna() & pop.index.isin(list(inputs))]
    w = (pop / pop.sum()).to_dict()
    start = pd.Timestamp(panel["date"].min()) - pd.DateOffset(years=1)
    end = pd.Timestamp(panel["date"].max()) + pd.DateOffset(years=25)
    t = to_years(pd.date_range(start, end, freq="QE"))
    gap = np.zeros(len(t))
    wvar = np.zeros(len(t))
    means, variances = [], []
    for place, weight in w.items():
        mom = _offset_moments(model, inputs[place], t)
        gap += weight * mom["mean"]
        wvar += weight * mom["var"]
        means.append(mom["mean"])
        variances.append(mom["var"])
    if means:
        # on the model scale the offsets' weighted mean being zero leaves the
        # provinces' weighted mean in percent below the nation's (the scale is
        # convex): solve for the shift that makes them equal in percent
        weights = np.array(list(w.values()))[:, None]
        nat = model.national(t)[0]
        level = nat[None, :] + np.array(means)
        share = np.array(variances) / np.maximum(wvar, 1e-12)[None, :]
        target = from_scale(nat, model.ceiling)
        for _ in range(8):  # Newton steps on the shift
            shortfall = np.exp(-(level - gap[None, :] * share))
            f = (weights * (model.ceiling - shortfall)).sum(axis=0) - target
            slope = -(weights * share * shortfall).sum(axis=0)
            gap = gap - f / np.where(np.abs(slope) > 1e-12, slope, -1e-12)
    return {"t": t, "gap": gap, "wvar": wvar, "weights": w}


class SaturationTrendModel(CoverageTrendModel, method="saturation"):
    """The ``saturation`` method (see :class:`~perjaka_analysis.trend_base.CoverageTrendModel`).

    Its long-run levels are estimated: a ``ceiling`` is an error, and the
    percent scale reaches :data:`~perjaka_analysis.trend_base.SATURATION_SCALE_MAX`
    (it bounds target values only).
    """

    def _ceiling(self, ceiling: float | None) -> float:
        if ceiling is not None:
            raise PerjakaError(
                f"ceiling={ceiling:g} applies to the logit methods "
                f"({', '.join(m for m in METHODS if m != 'saturation')}); the saturation method "
                "estimates its long-run levels: leave ceiling unset or choose a logit method"
            )
        return SATURATION_SCALE_MAX

    def _fit_model(self, national: tuple, series: list) -> object:
        """:func:`~perjaka_analysis.saturation.fit_saturation`, once per content (:attr:`cache`).

        Same national and province figures (and national targets) give the
        same (deterministic) fit, so a repeated fit is a copy of the first.
        """
        digest = hashlib.sha256(repr(_saturation.NATIONAL_TARGETS).encode())
        for t, y in [national, *series]:
            digest.update(np.ascontiguousarray(t, float).tobytes() + b"|")
            digest.update(np.ascontiguousarray(y, float).tobytes() + b"/")
        key = "saturation " + digest.hexdigest()
        return self.cache.get(key, lambda: fit_saturation(national, series))

    def fit(self) -> TrendResults:
        """Fit the national path and every province's offset.

        Returns
        -------
        TrendResults
        """
        panel, places = self._panel(), self._places()
        nat = panel[panel["territory"] == NATIONAL]
        others = panel[panel["territory"] != NATIONAL]
        notes: list[str] = []
        if nat.empty:
            nat = panel.sort_values("t", kind="stable")
            notes.append("no national figures: the national path is estimated from the provinces")
        groups = {g: idx for g, idx in panel.groupby("territory", sort=False).indices.items()}
        series = [
            (rows["t"].to_numpy(), rows["pct"].to_numpy())
            for _, rows in others.groupby("territory", sort=True)
        ]
        model = self._fit_model((nat["t"].to_numpy(), nat["pct"].to_numpy()), series)
        notes.extend(model.notes)
        t_end = float(panel["t"].max())
        status = self.status
        if status is not None:
            bad = ~status["threshold_pct"].between(0, 100, inclusive="right")
            if bad.any():
                # e.g. a criterion "UHC Award 2024" read as a threshold of 2024%
                notes.append(
                    f"{int(bad.sum())} UHC status report(s) with a threshold outside 0-100% "
                    "read as 95%"
                )
                status = status.assign(threshold_pct=status["threshold_pct"].where(~bad, 95.0))
        inputs: dict[str, tuple] = {}
        trends = {}
        every = list(dict.fromkeys([*places, *province_table()["province"]]))
        for place in every:
            group, basis = _group_for(place, groups)
            rows = panel.iloc[groups[group]] if group is not None else panel.iloc[:0]
            reports = None
            if status is not None and place != NATIONAL:
                mine = status[status["province"] == place]
                if len(mine):
                    reports = (
                        to_years(mine["date"]),
                        mine["threshold_pct"].to_numpy(float),
                        mine["above"].to_numpy(bool),
                    )
                    if basis != "own data":
                        n = len(mine)
                        basis = f"{basis} + UHC status ({n} report{'s' if n > 1 else ''})"
            inputs[place] = (rows["t"].to_numpy(), rows["pct"].to_numpy(), reports)
            if place not in places:
                continue
            last = rows.iloc[-1] if len(rows) else None
            trends[place] = ProvinceTrend(
                place,
                basis,
                len(rows),
                np.array([model.level_pct, 0.0]),
                np.zeros((2, 2)),
                float(rows["t"].max()) if len(rows) else t_end,
                None,
                model.sigma2_nat if place == NATIONAL else model.sigma2,
                model.s2 if place == NATIONAL else model.s2_d,
                last_pct=float(last["pct"]) if last is not None else None,
                last_date=pd.Timestamp(last["date"]) if last is not None else None,
                group=group,
            )
        sat = SaturationState(model, inputs, _reconciliation_grid(model, inputs, panel))
        converged = bool(model.converged)
        _warn_unconverged(converged, self.method, notes)
        return TrendResults(
            trends=trends,
            panel=panel,
            method=self.method,
            measure=self.measure,
            ceiling=self.ceiling,
            pooled={
                "long_run_level_pct": model.level_pct,
                "ceiling_pct": model.ceiling,
                "kappa": model.kappa,
                "target_response": model.rho,
                "level_var_per_year": model.s2,
                "sigma2_national": model.sigma2_nat,
                "kappa_offset": model.kappa_d,
                "offset_var_per_year": model.s2_d,
                "sigma2": model.sigma2,
                "tau2": model.tau2,
                "delta_bar": model.delta_bar,
                "omega2": model.omega2,
                "floors": dict(model.floors),
                "notes": tuple(notes),
            },
            converged=converged,
            fit_notes=tuple(notes),
            saturation=sat,
        )
