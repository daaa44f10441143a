"""Prometheus metrics of the action server: what operators graph and alert on.

Defined once per process in the default registry (creating a metric is not I/O, so this is safe at
import time); the action server's `/metrics` route (bot/processes/action_server.py) exposes them.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REPLIES = Counter("askvn_replies", "Replies sent, by outcome and answer language", ["outcome", "language"])
ANSWER_SECONDS = Histogram(
    "askvn_answer_seconds", "Time to find the knowledge base's reply to one message (analysis, search, policy)",
    buckets=(0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0),
)
