"""Write a temporary Rasa project that answers from the knowledge base the way Rasa documents for FAQs.

Each entry becomes one retrieval intent `faq/<entry id>` whose examples are all its question phrasings in
every language, and one response `utter_faq/<entry id>` with the English answer. The tokenizer and
featurizers are the ones our own Rasa config uses, so the comparison isolates the answering method
(DIET + ResponseSelector against embeddings + BM25 + policy) rather than the text features.

The small-talk intents of our project are included too: DIET cannot train an intent classifier with a
single intent, and Rasa's FAQ recipe places `faq` beside chit-chat intents anyway.

Run in `.venv`: `python -m benchmarks.rasa_peer.generate` (writes `.cache/rasa_peer/`).
"""

from __future__ import annotations

import argparse
import io
import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

from knowledge.languages import FALLBACK_LANGUAGE
from knowledge.loader import load_valid_knowledge
from knowledge.model import Entry
from knowledge.turn import SMALLTALK_KEYS

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = PROJECT_ROOT / ".cache" / "rasa_peer"
RETRIEVAL_INTENT = "faq"
# Modest on purpose: under load on the shared 2-core machine one ResponseSelector epoch takes 1-2 minutes.
DEFAULT_EPOCHS = 20
# DIET only separates `faq` from four small-talk intents and reaches 99% training accuracy after two epochs;
# on the shared 2-core machine one DIET epoch over 4,500 examples takes about two minutes, so it gets few.
DEFAULT_DIET_EPOCHS = 5
SEED = 7
# Rasa's example syntax treats `[text](entity)` and `{...}` annotations specially; questions never need them.
_ANNOTATION = re.compile(r"[\[\]{}]")


def intent_name(entry_id: str) -> str:
    """Retrieval intent of an entry. Entry ids are `[a-z0-9-]+`, which Rasa accepts unchanged, so the
    mapping is the identity and predictions map straight back to entry ids."""
    return f"{RETRIEVAL_INTENT}/{entry_id}"


def entry_id_of(intent_response_key: str | None) -> str | None:
    """Inverse of `intent_name`; None for anything that is not a `faq/...` key."""
    prefix = f"{RETRIEVAL_INTENT}/"
    if intent_response_key and intent_response_key.startswith(prefix):
        return intent_response_key[len(prefix):]
    return None


def _clean(text: str) -> str:
    """One line of example text: Rasa examples are one per line and must not look like annotations."""
    return " ".join(_ANNOTATION.sub(" ", text).split())


def _examples(lines: list[str]) -> LiteralScalarString:
    unique = list(dict.fromkeys(line for line in (_clean(x) for x in lines) if line))
    return LiteralScalarString("".join(f"- {line}\n" for line in unique))


def entry_questions(entry: Entry) -> list[str]:
    """All question phrasings of an entry in all languages (the retrieval intent's examples)."""
    return [q for text in entry.texts.values() for q in text.questions]


def smalltalk_examples(nlu_file: Path) -> dict[str, list[str]]:
    """Our project's small-talk examples, read from its NLU data so both bots see the same small talk."""
    data = YAML(typ="safe").load(nlu_file.read_text(encoding="utf-8"))
    found: dict[str, list[str]] = {}
    for item in data.get("nlu", []):
        if item.get("intent") in SMALLTALK_KEYS:
            lines = [line.strip()[2:] for line in item["examples"].splitlines() if line.strip().startswith("- ")]
            found.setdefault(item["intent"], []).extend(lines)
    return found


def build_config(epochs: int, diet_epochs: int = DEFAULT_DIET_EPOCHS) -> dict[str, Any]:
    """Same tokenizer and featurizers as /config.yml, then Rasa's FAQ recipe (DIET + ResponseSelector).

    `epochs` is the ResponseSelector's, which does the actual answering; `diet_epochs` the intent router's."""
    return {
        "recipe": "default.v1",
        "assistant_id": "ask-vietnam-rasa-peer",
        "language": "xx",
        "pipeline": [
            {"name": "rasa_addons.multilingual_tokenizer.MultilingualTokenizer"},
            {"name": "CountVectorsFeaturizer"},
            {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
            {"name": "DIETClassifier", "epochs": diet_epochs, "constrain_similarities": True,
             "entity_recognition": False, "random_seed": SEED},
            {"name": "ResponseSelector", "epochs": epochs, "retrieval_intent": RETRIEVAL_INTENT,
             "constrain_similarities": True, "random_seed": SEED},
        ],
        "policies": [{"name": "RulePolicy"}],
    }


def build_files(entries: list[Entry], smalltalk: dict[str, list[str]], epochs: int,
                diet_epochs: int = DEFAULT_DIET_EPOCHS) -> dict[str, Any]:
    """The project's YAML documents by relative path."""
    nlu = [{"intent": intent_name(e.id), "examples": _examples(entry_questions(e))} for e in entries]
    nlu += [{"intent": name, "examples": _examples(lines)} for name, lines in smalltalk.items()]
    responses = {f"utter_{intent_name(e.id)}": [{"text": e.texts[FALLBACK_LANGUAGE].answer or e.id}]
                 for e in entries}
    return {
        "config.yml": build_config(epochs, diet_epochs),
        "domain.yml": {"version": "3.1", "intents": [RETRIEVAL_INTENT, *smalltalk],
                       "actions": [f"utter_{RETRIEVAL_INTENT}"]},
        "data/nlu.yml": {"version": "3.1", "nlu": nlu},
        "data/responses.yml": {"version": "3.1", "responses": responses},
        "data/rules.yml": {"version": "3.1", "rules": [
            {"rule": "answer every FAQ from the response selector",
             "steps": [{"intent": RETRIEVAL_INTENT}, {"action": f"utter_{RETRIEVAL_INTENT}"}]},
        ]},
    }


def write_project(out: Path, files: dict[str, Any]) -> None:
    """Write the documents, replacing only files whose content changed (keeps mtimes meaningful)."""
    yaml = YAML()
    yaml.width = 4096  # never fold long answers
    yaml.allow_unicode = True
    for rel, document in files.items():
        buffer = io.StringIO()
        yaml.dump(document, buffer)
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != buffer.getvalue():
            path.write_text(buffer.getvalue(), encoding="utf-8")


def generate(out: Path = DEFAULT_OUT, knowledge_dir: Path = PROJECT_ROOT / "knowledge" / "entries",
             epochs: int = DEFAULT_EPOCHS, diet_epochs: int = DEFAULT_DIET_EPOCHS) -> dict[str, int]:
    """Generate the peer project into `out`; returns counts for the report."""
    entries = load_valid_knowledge(knowledge_dir)
    smalltalk = smalltalk_examples(PROJECT_ROOT / "data" / "nlu.yml")
    files = build_files(entries, smalltalk, epochs, diet_epochs)
    write_project(out, files)
    examples = sum(item["examples"].count("\n") for item in files["data/nlu.yml"]["nlu"])
    return {"entries": len(entries), "examples": examples, "smalltalk_intents": len(smalltalk)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="project directory (git-ignored)")
    parser.add_argument("--knowledge", type=Path, default=PROJECT_ROOT / "knowledge" / "entries")
    parser.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS, help="ResponseSelector epochs")
    parser.add_argument("--diet-epochs", type=int, default=DEFAULT_DIET_EPOCHS, help="DIET (intent) epochs")
    args = parser.parse_args(argv)
    print(generate(args.out, args.knowledge, args.epochs, args.diet_epochs))


if __name__ == "__main__":
    main()
