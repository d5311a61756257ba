"""Meaning-level similarity for the FAQ matcher, from a small static embedding model.

The model is WordLlama's 256-dimensional token-embedding table (16 MB, float16) and its
tokenizer, both shipped inside the ``wordllama`` wheel from PyPI: nothing is downloaded,
and no neural network runs. A text's vector is the mean of its tokens' vectors,
normalised, so similarity is one dot product per FAQ phrasing (tens of microseconds).

It catches what words alone miss: a question that shares only a word or two with the
right entry's phrasings scores low on words, yet sits close to that entry in meaning,
while an off-topic question that happens to share a word does not. The FAQ matcher
(:class:`bot.faq_matcher.FaqMatcher`) uses it twice: a small share of it breaks near-ties
in the ranking, and a question whose best entry the words already name (weakly) is
answered when its meaning is also close enough (``semantic_threshold`` in content).

We load the files ourselves rather than through ``wordllama.WordLlama.load``, which falls
back to downloading from a model hub when its own tokenizer path does not match the
wheel's layout. The table is memory-mapped straight from the safetensors file (an 8-byte
header length, a JSON header, then raw little-endian numbers), so only the rows of tokens
people actually type are ever read into memory, and replicas on one host share them.
When the files are missing the matcher runs on words alone and says so in the log.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import struct
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

#: The model's files inside the ``wordllama`` package.
WEIGHTS_FILE = Path("weights") / "l2_supercat_256.safetensors"
TOKENIZER_FILE = Path("tokenizers") / "l2_supercat_tokenizer_config.json"
_TENSOR = "embedding.weight"
#: safetensors dtype names this loader reads, as numpy dtypes.
_DTYPES: dict[str, np.dtype[np.floating]] = {"F16": np.dtype("<f2"), "F32": np.dtype("<f4")}

Vector = npt.NDArray[np.float32]


class StaticEmbedder:
    """Turns a text into a unit vector: the mean of its tokens' static embeddings."""

    def __init__(self, table: npt.NDArray[np.floating], tokenizer_file: Path) -> None:
        from tokenizers import Tokenizer

        self._table = table
        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self.dimensions = int(table.shape[1])

    @classmethod
    def from_directory(cls, root: Path) -> StaticEmbedder:
        """Load the table and tokenizer from a folder laid out like the ``wordllama`` wheel."""
        return cls(map_tensor(root / WEIGHTS_FILE, _TENSOR), root / TOKENIZER_FILE)

    def embed(self, text: str) -> Vector:
        """The unit vector for ``text`` (all zeros if the tokenizer yields no token at all)."""
        ids = self._tokenizer.encode(text).ids
        if not ids:
            return np.zeros(self.dimensions, dtype=np.float32)
        vector: Vector = np.asarray(self._table[ids].mean(axis=0, dtype=np.float32))
        norm = float(np.linalg.norm(vector))
        return vector / np.float32(norm) if norm else vector

    def embed_many(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One unit vector per text, stacked into a matrix."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.stack([self.embed(text) for text in texts])


def map_tensor(path: Path, name: str) -> npt.NDArray[np.floating]:
    """One 2-D tensor of a safetensors file, memory-mapped read-only."""
    with path.open("rb") as file:
        (header_length,) = struct.unpack("<Q", file.read(8))
        header = json.loads(file.read(header_length))
    info = header[name]
    dtype = _DTYPES[info["dtype"]]
    rows, columns = (int(n) for n in info["shape"])
    start, end = (int(n) for n in info["data_offsets"])
    if end - start != rows * columns * dtype.itemsize:
        raise ValueError(f"{path.name}: {name} does not have the size its shape says")
    table: npt.NDArray[np.floating] = np.memmap(
        path, dtype=dtype, mode="r", offset=8 + header_length + start, shape=(rows, columns)
    )
    return table


def model_root() -> Path | None:
    """The installed ``wordllama`` package folder holding both model files, if any."""
    spec = importlib.util.find_spec("wordllama")
    roots = list(spec.submodule_search_locations or ()) if spec else []
    for root in map(Path, roots):
        if (root / WEIGHTS_FILE).is_file() and (root / TOKENIZER_FILE).is_file():
            return root
    return None


_LOADING = threading.Lock()


def default_embedder() -> StaticEmbedder | None:
    """The shipped model, loaded once per process; None (and a warning) if it is missing.

    Thread-safe: a caller that arrives while another thread is loading it waits for that
    load instead of starting its own (``ai-choice ask`` loads it in the background).
    """
    with _LOADING:
        return _load_default_embedder()


@functools.cache
def _load_default_embedder() -> StaticEmbedder | None:
    root = model_root()
    if root is None:
        log.warning("the wordllama model files were not found: the FAQ matches on words alone")
        return None
    return load_embedder(root)


def load_embedder(root: Path) -> StaticEmbedder | None:
    """The model in ``root``; None (and a warning) if its files cannot be read."""
    try:
        return StaticEmbedder.from_directory(root)
    except Exception as error:  # a damaged install must not stop the bot from starting
        log.warning(
            "the wordllama model files could not be read (%s): the FAQ matches on words alone",
            type(error).__name__,
        )
        return None


class SemanticIndex:
    """Every FAQ entry's phrasings as vectors, for per-entry similarity to a question."""

    #: How much of an entry's similarity comes from its centroid (all phrasings averaged)
    #: rather than its single closest phrasing.
    CENTROID_SHARE = 0.5

    def __init__(self, embedder: StaticEmbedder, phrasings: Sequence[Sequence[str]]) -> None:
        self._embedder = embedder
        texts = [text for group in phrasings for text in group]
        self._docs = embedder.embed_many(texts)
        self._doc_entry = np.array(
            [index for index, group in enumerate(phrasings) for _ in group], dtype=np.intp
        )
        self._entries = len(phrasings)
        centroids = np.zeros((self._entries, embedder.dimensions), dtype=np.float32)
        np.add.at(centroids, self._doc_entry, self._docs)
        norms = np.linalg.norm(centroids, axis=1, keepdims=True)
        self._centroids = centroids / np.where(norms == 0, 1.0, norms)

    def similarities(self, question: str) -> list[float]:
        """Per entry (in content order): how close ``question`` is in meaning, -1..1."""
        query = self._embedder.embed(question)
        per_doc = self._docs @ query
        closest = np.full(self._entries, -1.0, dtype=np.float32)
        np.maximum.at(closest, self._doc_entry, per_doc)
        blended = (1 - self.CENTROID_SHARE) * closest + self.CENTROID_SHARE * (
            self._centroids @ query
        )
        return [round(float(value), 4) for value in blended]
