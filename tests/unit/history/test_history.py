"""The history lab: every milestone runs (quick), its robust claims hold, the report is whole."""

import base64
import json
from html.parser import HTMLParser

import numpy as np
import pytest

from rosenblatt import history
from rosenblatt.cli import main
from rosenblatt.history import report
from rosenblatt.history.milestone import Check, Milestone


def holds(result: Milestone, asks: str) -> bool | None:
    return next(c.holds for c in result.checks if c.asks == asks)


# --- the robust claims, asserted on each milestone's quick run ---


def xor_is_beyond_one_unit(mcp: Milestone) -> None:
    assert mcp.supported is True
    assert mcp.numbers["functions_realised"] == 14  # all but XOR and XNOR


def the_perceptron_learns_a_line(result: Milestone) -> None:
    assert result.supported is True


def updates_stay_under_novikoff_s_bound(novikoff: Milestone) -> None:
    assert novikoff.numbers["datasets"] >= 100
    assert novikoff.numbers["under_bound"] == novikoff.numbers["datasets"]
    assert novikoff.numbers["updates_over_bound"]["max"] <= 1.0


def xor_is_beyond_the_perceptron(xor: Milestone) -> None:
    assert holds(xor, "no stopping rule ends with XOR learned") is True
    assert xor.numbers["best_line"] == 3
    assert all(o["right"] < 4 for o in xor.numbers["rules"].values())


def backpropagation_solves_xor_for_most_seeds(result: Milestone) -> None:
    assert result.numbers["xor_solved"] >= 10
    for failure in result.numbers["xor_failures"]:  # the known local minimum
        assert failure["right"] < 4 and failure["loss"] > 0.3


def sigmoid_gradients_vanish(sigmoid: Milestone) -> None:
    assert sigmoid.numbers["decay_per_layer"] < 0.5  # each layer halves it, or worse
    assert max(sigmoid.numbers["mean_sigmoid_slope"]) <= 0.25
    assert holds(sigmoid, "the gradient decays toward the input") is True


def relu_gradients_keep_their_size(relu: Milestone) -> None:
    assert relu.numbers["spread_at_init"] < 10
    assert holds(relu, "the gradient keeps its size") is True


def the_gpu_is_not_measured(result: Milestone) -> None:
    gpu = next(c for c in result.checks if "GPU" in c.asks)
    assert gpu.holds is None and "not measured" in gpu.measured
    assert "not measured" in result.verdict


def the_svm_and_the_mlp_are_both_measured(result: Milestone) -> None:
    for row in result.numbers.values():
        assert set(row) == {"SVC (scikit-learn)", "MLP, 64 sigmoid units"}


def pretraining_is_judged_only_on_five_seeds(result: Milestone) -> None:
    assert holds(result, "the pretrained network trains") is None  # 2 seeds


ROBUST = {
    "1943": xor_is_beyond_one_unit,
    "1958": the_perceptron_learns_a_line,
    "1962": updates_stay_under_novikoff_s_bound,
    "1969": xor_is_beyond_the_perceptron,
    "1986": backpropagation_solves_xor_for_most_seeds,
    "1991": sigmoid_gradients_vanish,
    "1990s": the_svm_and_the_mlp_are_both_measured,
    "2006": pretraining_is_judged_only_on_five_seeds,
    "2011": relu_gradients_keep_their_size,
    "2012": the_gpu_is_not_measured,
}


@pytest.mark.parametrize("year", list(history.MILESTONES))
def test_every_milestone_runs_states_its_parts_and_its_robust_claims_hold(
    year: str,
) -> None:
    result = history.run_milestone(year, quick=True)
    assert result.year == year and result.claim and result.rule and result.setup
    assert result.checks and result.numbers and result.figures
    assert result.verdict.split(" (")[0] in (
        "supported",
        "not supported",
        "not measured",
    )
    assert "run(quick=True, seed=0)" in result.code
    json.dumps(result.to_dict(), default=report._plain)  # every number is JSON
    for caption, figure in result.figures:
        assert caption
        assert figure._suptitle or all(
            ax.get_title() for ax in figure.axes if ax.axison
        )
        for ax in figure.axes:
            if ax.get_label() == "<colorbar>" or not ax.axison:
                continue
            if ax.lines or ax.collections or ax.patches:
                assert ax.get_xlabel() or ax.get_xticklabels(), f"{year}: unlabelled x"
                assert ax.get_ylabel() or ax.get_yticklabels(), f"{year}: unlabelled y"
    ROBUST[year](result)


def test_verdict_is_the_conjunction_of_the_checks() -> None:
    def milestone(*holds: object) -> Milestone:
        checks = [Check("a", "b", h) for h in holds]  # type: ignore[arg-type]
        return Milestone("1", "t", "c", "s", "r", checks, {"n": 1})

    assert milestone(True, np.bool_(True)).verdict == "supported"
    assert milestone(True, np.bool_(False)).verdict == "not supported"
    assert milestone(True, None).verdict == "supported (1 part not measured)"
    assert milestone(None).verdict == "not measured"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.images: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section":
            self.ids.append(str(values.get("id")))
        if tag == "img":
            self.images.append(str(values.get("src")))
        for name in ("href", "src"):
            if values.get(name):
                self.links.append(str(values[name]))


def test_the_report_is_self_contained_and_has_every_section(tmp_path) -> None:
    results = history.run(
        ["1969", "1943", "1962"], quick=True
    )  # run in the text's order
    paths = report.write(results, tmp_path, quick=True)
    text = paths["html"].read_text()
    page = _Page()
    page.feed(text)
    assert page.ids == ["m1943", "m1962", "m1969"]
    assert len(page.images) == sum(len(m.figures) for m in results)
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert all(link.startswith(("#", "data:")) for link in page.links)
    assert (
        "http://" not in text
        and "https://" not in text
        and "//"
        not in "".join(link for link in page.links if not link.startswith("data:"))
    )
    saved = json.loads(paths["json"].read_text())
    assert [m["year"] for m in saved["milestones"]] == ["1943", "1962", "1969"]
    markdown = paths["markdown"].read_text()
    assert "| 1962 |" in markdown and (tmp_path / "figures" / "1962-1.png").exists()


def test_cli_history_prints_the_table_and_writes_the_report(tmp_path, capsys) -> None:
    assert main(["history", "1943", "1969", "--quick", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "1943" in out and "1969" in out and "supported" in out
    assert (tmp_path / "report.html").exists()
    assert main(["history", "1943", "--quick", "--json", "--out", str(tmp_path)]) == 0
    assert json.loads(capsys.readouterr().out)["milestones"][0]["year"] == "1943"
    assert main(["history", "1066", "--out", str(tmp_path)]) == 1
    assert "unknown milestone(s) 1066" in capsys.readouterr().err
