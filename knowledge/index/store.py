"""Published index builds on disk: where they are, which one is current, loading one.

Layout under the index directory:
    builds/<build_id>/manifest.json, index.faiss, documents.jsonl, entries.json
    CURRENT          the build id being served (replaced atomically with os.replace)
    history.jsonl    every publish and rollback, newest last
A build directory is complete before CURRENT ever names it, so a reader sees the old build or the
new one, never half of one.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss

from knowledge.errors import IndexCorrupt, IndexNotFound, KnowledgeError
from knowledge.index.documents import Document
from knowledge.model import Entry
from knowledge.scope_files import ScopeFiles

MANIFEST = "manifest.json"
FAISS_FILE = "index.faiss"
DOCS_FILE = "documents.jsonl"
ENTRIES_FILE = "entries.json"
FORMAT_VERSION = 1


@dataclass
class LoadedIndex:
    """One build in memory: the FAISS index, the document behind each vector, and the entries."""

    build_id: str
    manifest: dict[str, Any]
    index: faiss.Index
    documents: list[Document]
    entries: dict[str, Entry]
    scope: ScopeFiles = field(default_factory=ScopeFiles)  # the places/foreign/off-topic files it was built with


class IndexStore:
    def __init__(self, root: Path):
        self.root = root
        self.builds = root / "builds"
        self.pointer = root / "CURRENT"
        self.history = root / "history.jsonl"

    def current_id(self) -> str | None:
        try:
            return self.pointer.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def pointer_stamp(self) -> tuple[int, int] | None:
        """Cheap change detector for hot reload (inode changes on every os.replace)."""
        try:
            st = self.pointer.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def load_current(self) -> LoadedIndex:
        build_id = self.current_id()
        if build_id is None:
            raise IndexNotFound(f"no index published in {self.root}; run `askvn kb build`")
        return self.load(build_id)

    def load(self, build_id: str) -> LoadedIndex:
        folder = self.builds / build_id
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            index = faiss.read_index(str(folder / FAISS_FILE))
            with (folder / DOCS_FILE).open(encoding="utf-8") as fh:
                documents = [Document(**json.loads(line)) for line in fh]
            entries_json = json.loads((folder / ENTRIES_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError, RuntimeError) as exc:
            raise IndexCorrupt(f"build {build_id} cannot be read: {exc}") from exc
        if index.ntotal != len(documents) or manifest.get("document_count") != len(documents):
            raise IndexCorrupt(f"build {build_id}: {index.ntotal} vectors for {len(documents)} documents")
        scope = ScopeFiles.in_build(folder)
        missing = [name for name, path in scope.files().items() if not path.is_file()]
        if missing:
            raise IndexCorrupt(f"build {build_id} lacks its scope files {', '.join(missing)}")
        entries = {e["id"]: Entry.from_json(e) for e in entries_json}
        return LoadedIndex(build_id, manifest, index, documents, entries, scope)

    def manifest(self, build_id: str) -> dict[str, Any]:
        return json.loads((self.builds / build_id / MANIFEST).read_text(encoding="utf-8"))

    def list_builds(self) -> list[str]:
        if not self.builds.is_dir():
            return []
        return sorted(p.name for p in self.builds.iterdir() if (p / MANIFEST).exists())

    def publish(self, build_id: str, *, action: str = "publish") -> None:
        """Point CURRENT at a complete build, atomically."""
        if not (self.builds / build_id / MANIFEST).exists():
            raise KnowledgeError(f"build {build_id} does not exist")
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".CURRENT.")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(build_id + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.pointer)
        with self.history.open("a", encoding="utf-8") as fh:
            record = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "action": action, "build": build_id}
            fh.write(json.dumps(record) + "\n")

    def previous_id(self) -> str | None:
        """The build that was current before the current one (for rollback)."""
        current = self.current_id()
        seen: list[str] = []
        if self.history.exists():
            for line in self.history.read_text(encoding="utf-8").splitlines():
                build = json.loads(line)["build"]
                if build != current and (self.builds / build / MANIFEST).exists():
                    seen.append(build)
        return seen[-1] if seen else None
