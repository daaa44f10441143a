"""Group texts that mean the same thing, so staff see "17 people asked about bringing a dog" once.

Average-linkage agglomerative clustering on cosine distance (scikit-learn) needs no number of clusters,
only how similar two questions must be to count as the same request.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import AgglomerativeClustering

DEFAULT_SIMILARITY = 0.88  # e5 cosine: paraphrases of one request score ~0.9+, different requests lower


def cluster_vectors(vectors: np.ndarray, weights: list[int] | None = None, *,
                    similarity: float = DEFAULT_SIMILARITY) -> list[list[int]]:
    """Indices grouped by meaning; biggest group first (by total weight), members nearest the centre first."""
    n = len(vectors)
    if n == 0:
        return []
    weight = np.asarray(weights if weights is not None else [1] * n)
    if n == 1:
        labels = np.zeros(1, dtype=int)
    else:
        model = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                        distance_threshold=1.0 - similarity)
        labels = model.fit_predict(vectors)
    groups: list[list[int]] = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        centre = (vectors[members] * weight[members, None]).sum(axis=0)
        closeness = vectors[members] @ centre
        groups.append([int(members[i]) for i in np.argsort(-closeness, kind="stable")])
    return sorted(groups, key=lambda g: (-int(weight[g].sum()), g[0]))
