"""The Rasa FAQ peer's project generator and scorer, without training (that takes minutes)."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from benchmarks.rasa_peer import generate
from benchmarks.rasa_peer.devset import export_jsonl
from benchmarks.rasa_peer.score import abstention, percentile, score
from knowledge.evaluation.devset import DevQuestion, load_devset

FIXTURE_KB = Path(__file__).resolve().parents[1] / "fixtures" / "knowledge"


def test_generated_project_has_one_retrieval_intent_per_entry(tmp_path: Path) -> None:
    counts = generate.generate(tmp_path, FIXTURE_KB, epochs=3)
    yaml = YAML(typ="safe")
    nlu = yaml.load((tmp_path / "data" / "nlu.yml").read_text(encoding="utf-8"))["nlu"]
    responses = yaml.load((tmp_path / "data" / "responses.yml").read_text(encoding="utf-8"))["responses"]
    faq = [item["intent"] for item in nlu if item["intent"].startswith("faq/")]
    assert len(faq) == counts["entries"] > 0
    assert {f"utter_{name}" for name in faq} == set(responses)
    assert generate.entry_id_of(faq[0]) == faq[0].removeprefix("faq/")
    config = yaml.load((tmp_path / "config.yml").read_text(encoding="utf-8"))
    selector = config["pipeline"][-1]
    assert selector["name"] == "ResponseSelector" and selector["retrieval_intent"] == "faq"


def _pred(qid: str, entry: str | None, confidence: float) -> dict[str, object]:
    return {"id": qid, "predicted_entry": entry, "selector_entry": entry, "confidence": confidence, "ms": 10.0}


def test_scoring_counts_alternatives_and_answers_to_unanswerable_questions() -> None:
    questions = [
        DevQuestion("q1", "en", "visa", "in_scope", "dev", also=("e-visa",), id="a"),
        DevQuestion("q2", "vi", "visa", "in_scope", "dev", id="b"),
        DevQuestion("q3", "en", None, "out_of_scope", "dev", id="c"),
        DevQuestion("q4", "en", "tipping", "in_scope", "heldout", id="d"),
    ]
    predictions = {"a": _pred("a", "e-visa", 0.9), "b": _pred("b", "tipping", 0.4),
                   "c": _pred("c", "visa", 0.3), "d": _pred("d", "tipping", 0.8)}
    result = score(questions, predictions)
    assert result["deployed"]["all"]["hit1"] == round(2 / 3, 4)
    assert result["deployed"]["lang:vi"]["hit1"] == 0.0
    assert result["deployed"]["all"]["answered_wrongly"] == 1.0
    tuned = abstention([(q, predictions[q.id]) for q in questions])
    assert 0.3 < tuned["threshold"] <= 0.9  # abstaining below it drops the two wrong answers on dev
    assert tuned["test"]["hit1"] == 1.0


def test_devset_export_round_trip(tmp_path: Path) -> None:
    source = tmp_path / "devset.yaml"
    source.write_text("questions:\n  - {q: hi, lang: en, expected: null, kind: out_of_scope, split: dev}\n")
    questions = load_devset(source)
    export_jsonl(questions, tmp_path / "q.jsonl")
    assert questions[0].id == "q0001" and not questions[0].should_answer
    assert '"q": "hi"' in (tmp_path / "q.jsonl").read_text()


def test_percentile_is_nearest_rank() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0
    assert percentile([5.0], 95) == 5.0


def test_prediction_row_from_rasa_parse_result() -> None:
    from benchmarks.rasa_peer.predict import to_prediction  # stdlib only at import; Rasa is imported lazily

    parsed = {"intent": {"name": "faq", "confidence": 0.99},
              "response_selector": {"faq": {
                  "response": {"intent_response_key": "faq/e-visa", "confidence": 0.42},
                  "ranking": [{"intent_response_key": "faq/e-visa"}, {"intent_response_key": "faq/e-visa-fee"}]}}}
    row = to_prediction("q1", parsed, 12.345)
    assert row["predicted_entry"] == row["selector_entry"] == "e-visa"
    assert row["ranking"] == ["e-visa", "e-visa-fee"] and row["confidence"] == 0.42 and row["ms"] == 12.35
    routed_away = to_prediction("q2", {**parsed, "intent": {"name": "greet", "confidence": 0.9}}, 1.0)
    assert routed_away["predicted_entry"] is None and routed_away["selector_entry"] == "e-visa"


def test_askvn_metrics_shape_matches_askvn_eval() -> None:
    from benchmarks.rasa_peer import askvn_format
    questions = [DevQuestion("q", "en", "visa", "in_scope", "dev"), DevQuestion("x", "en", None, "out_of_scope", "dev")]
    rows = [{"predicted_entry": "visa", "confidence": 0.9, "ms": 5.0, "ranking": ["visa"]},
            {"predicted_entry": "visa", "confidence": 0.2, "ms": 5.0, "ranking": ["visa"]}]
    plain = askvn_format.by_split(askvn_format.outcomes(questions, rows))
    gated = askvn_format.by_split(askvn_format.outcomes(questions, rows, threshold=0.5))
    assert set(plain) == {"dev", "all"} and plain["all"]["all"]["declined_out_of_scope"] == 0.0
    assert gated["all"]["all"]["declined_out_of_scope"] == 1.0 and gated["all"]["all"]["hit_at_1"] == 1.0
