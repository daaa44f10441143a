"""Sanity check for tests/eval/devset.yaml.

    .venv/bin/python tests/eval/check_devset.py [path/to/devset.yaml]

Fails (exit 1) if an `expected`/`also` id does not exist in knowledge/entries, a `q` is duplicated,
or a field has an unknown value; prints counts per language x kind x split.
"""
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
LANGS = ["en", "vi", "zh", "ko", "ja", "fr", "de", "ru", "es", "th"]
KINDS = ["in_scope", "out_of_scope", "not_covered"]
STYLES = {"formal", "casual", "typo", "no_diacritics", "short", "long", "mixed_language", "follow_up"}


def main(path: Path) -> int:
    ids = {p.stem for p in (ROOT / "knowledge" / "entries").glob("*/*.yaml")}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    qs = data["questions"]
    errors = []
    seen = Counter(d["q"].strip().lower() for d in qs)
    for text, n in seen.items():
        if n > 1:
            errors.append(f"duplicate q ({n}x): {text!r}")
    for i, d in enumerate(qs):
        where = f"#{i} {d.get('q')!r}"
        if d.get("lang") not in LANGS:
            errors.append(f"{where}: bad lang {d.get('lang')!r}")
        if d.get("kind") not in KINDS:
            errors.append(f"{where}: bad kind {d.get('kind')!r}")
        if d.get("split") not in ("dev", "heldout"):
            errors.append(f"{where}: bad split {d.get('split')!r}")
        if d.get("style") not in STYLES:
            errors.append(f"{where}: bad style {d.get('style')!r}")
        exp = d.get("expected")
        if d.get("kind") == "in_scope":
            if exp not in ids:
                errors.append(f"{where}: expected id {exp!r} not in knowledge/entries")
        elif exp is not None:
            errors.append(f"{where}: {d.get('kind')} must have expected: null")
        for a in d.get("also") or []:
            if a not in ids:
                errors.append(f"{where}: also id {a!r} not in knowledge/entries")
            if a == exp:
                errors.append(f"{where}: also repeats expected {a!r}")
        if (d.get("style") == "follow_up") != bool(d.get("context")):
            errors.append(f"{where}: follow_up style and context must go together")

    table = Counter((d["lang"], d["kind"], d["split"]) for d in qs)
    print(f"{len(qs)} questions, {len(ids)} entries")
    header = "".join(f"{k[:6] + '/' + s[:4]:>14}" for k in KINDS for s in ("dev", "heldout"))
    print(f"{'lang':5}" + header + f"{'total':>7}")
    for lang in LANGS:
        row = [table[(lang, k, s)] for k in KINDS for s in ("dev", "heldout")]
        print(f"{lang:5}" + "".join(f"{n:>14}" for n in row) + f"{sum(row):>7}")
    row = [sum(table[(lg, k, s)] for lg in LANGS) for k in KINDS for s in ("dev", "heldout")]
    print(f"{'all':5}" + "".join(f"{n:>14}" for n in row) + f"{sum(row):>7}")
    print("styles:", dict(Counter(d["style"] for d in qs)))
    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    default = Path(__file__).resolve().parent / "devset.yaml"
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else default))
