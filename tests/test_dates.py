"""The default date is the data's own (data/dataset.yaml), never the clock; one year rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from network.model import as_of_date, default_year
from network.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[1]
DATA_AS_OF = yaml.safe_load((ROOT / "data" / "dataset.yaml").read_text(encoding="utf-8"))["as_of"]


def test_the_default_date_is_the_datas_whatever_the_clock(monkeypatch):
    class Tomorrow(dt.date):
        @classmethod
        def today(cls):  # a clock years ahead must not move the default
            return dt.date(2031, 1, 1)

    monkeypatch.setattr(dt, "date", Tomorrow)
    assert as_of_date() == DATA_AS_OF
    assert default_year() == DATA_AS_OF.year


def test_a_scenario_moves_the_default_year_to_its_last_opening():
    sc = load_scenario(ROOT / "scenarios" / "jincheng_plan.yaml")
    latest = max(c.change.opened for c in sc.changes)
    assert default_year([sc]) == max(DATA_AS_OF.year, latest)
