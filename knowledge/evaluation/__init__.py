"""Answer-quality evaluation, in one package: the labelled dev set and its check (`devset`), running it
through the library (`runner`), the metrics (`metrics`) and the floors CI holds them to (`floors`).
`askvn eval` (bot/staff/evaluation.py), the tests (tests/eval) and the benchmarks all use these.

The data are product files, next to the code that reads them: `devset.yaml` (questions as visitors
write them, labelled with the entry that answers each; split into dev, which thresholds are tuned on,
and heldout, which nothing is tuned on) and `floors.yaml`.
"""

from pathlib import Path

DEVSET_PATH = Path(__file__).resolve().parent / "devset.yaml"
FLOORS_PATH = Path(__file__).resolve().parent / "floors.yaml"
