"""Staff-edited data that answers depend on besides the entries: the places gazetteer, the names of
foreign places, and the examples of off-topic questions.

They are inputs of every index build, like the entries: hashed into its content hash (so `askvn kb
build` publishes after an edit to any of them), copied into the build folder (`scope/`), and loaded with
the build, so a running server switches to them atomically with the next publish, without a restart.
The UI texts (knowledge/messages/messages.yaml) are not among them: they change wording, not answers,
and are read once per process.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).parent
PLACES_PATH = PACKAGE / "places" / "places.yaml"
FOREIGN_PATH = PACKAGE / "places" / "foreign.yaml"
OFF_TOPIC_PATH = PACKAGE / "scope" / "off_topic.yaml"
BUILD_FOLDER = "scope"


@dataclass(frozen=True)
class ScopeFiles:
    places: Path = PLACES_PATH
    foreign: Path = FOREIGN_PATH
    off_topic: Path = OFF_TOPIC_PATH

    @classmethod
    def in_build(cls, build_folder: Path) -> ScopeFiles:
        """The copies a build carries; the packaged files for builds made before builds carried them."""
        folder = build_folder / BUILD_FOLDER
        if not folder.is_dir():
            return cls()
        return cls(folder / "places.yaml", folder / "foreign.yaml", folder / "off_topic.yaml")

    def files(self) -> dict[str, Path]:
        return {"places.yaml": self.places, "foreign.yaml": self.foreign, "off_topic.yaml": self.off_topic}

    def digests(self) -> dict[str, str]:
        return {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in self.files().items()}

    def copy_into(self, build_folder: Path) -> None:
        folder = build_folder / BUILD_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        for name, path in self.files().items():
            shutil.copyfile(path, folder / name)
