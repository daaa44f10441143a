"""The floors CI holds answer quality to (knowledge/evaluation/floors.yaml), checked so that the gate
fails closed: a missing or empty floors file, or a floor whose figure the report lacks, is a failure.
Only a whole section the run did not measure (the conversation figures without --rest) is skipped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from knowledge.evaluation import FLOORS_PATH


def missed_floors(report: dict[str, Any], path: Path = FLOORS_PATH) -> list[str]:
    """Every floor the report misses, as readable lines (empty when all are met)."""
    if not path.exists():
        return [f"{path}: the floors file is missing, so answer quality cannot be checked"]
    floors = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(floors, dict) or not floors:
        return [f"{path}: no floors defined"]
    failures = []
    for section, splits in floors.items():
        if section not in report:
            continue
        for split, metrics in (splits or {}).items():
            for metric, floor in (metrics or {}).items():
                value = report[section].get(split, {}).get("all", {}).get(metric)
                if not isinstance(value, (int, float)):
                    failures.append(f"{section}/{split}: {metric} is missing from the report (floor {floor})")
                elif value < floor:
                    failures.append(f"{section}/{split}: {metric} = {value:.3f} < {floor}")
    return failures
