"""Text-line recognition with RapidOCR's PP-OCR model on onnxruntime, keeping the runner-up
readings.

RapidOCR's wheel ships the recognition model (its character set is stored inside the ONNX file), so
nothing is downloaded at run time. The model is run here directly, not through RapidOCR's pipeline,
because the table repair needs what RapidOCR's API discards: every character's probability and the
characters the network nearly chose instead (a '6' it almost read as '8').
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import util
from pathlib import Path

import numpy as np

from toolkit.readers.base import ReadError

MODEL = "PP-OCRv6_rec_small.onnx"  # shipped in the rapidocr 3.10.0 wheel; the one measured
HEIGHT = 48  # the model's input height
MIN_WIDTH = 64  # narrower inputs leave the network too few columns for one digit
BUCKET = 32  # crops are padded to a multiple of this width
PAD = 0.0  # padding value: mid-grey, as PaddleOCR pads (white padding measured less sure)
# input columns per onnxruntime call: larger batches run slower per column (cache)
BATCH_COLUMNS = 2560
ALT_MIN = 0.002  # a runner-up character below this probability is no reading of its own
INSTALL_HINT = "install the OCR extra: pip install 'ogi-toolkit[ocr]' (RapidOCR + onnxruntime)"
DIGITS = frozenset("0123456789")
NUMERIC = re.compile(
    r"[\d.,\-— ]*"
)  # readings that may be numbers: only these get near-miss readings


@dataclass(frozen=True)
class Reading:
    """One line of text as read: the text, its weakest character's probability, and other readings
    of a number with their probabilities (summed over all CTC alignments, among the readings
    considered)."""

    text: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...] = ()


def model_path() -> Path:
    """The recognition model inside the installed rapidocr wheel (ReadError naming the extra if
    absent).
    """
    spec = util.find_spec("rapidocr")  # located, not imported: its pipeline is not used here
    if spec is None or not spec.submodule_search_locations:
        raise ReadError(
            f"this is a scanned report and OCR is not installed; {INSTALL_HINT}", stage="ocr"
        )
    folder = Path(list(spec.submodule_search_locations)[0]) / "models"
    if (folder / MODEL).is_file():
        return folder / MODEL
    found = sorted(folder.glob("*rec*.onnx")) if folder.is_dir() else []
    if not found:
        raise ReadError(
            f"the installed rapidocr ships no recognition model in {folder}; {INSTALL_HINT}",
            stage="ocr",
        )
    return found[-1]


@lru_cache(maxsize=1)
def recognizer() -> Recognizer:
    """One recogniser per process: loading the model takes a moment, running it is what scales."""
    return Recognizer(model_path())


class Recognizer:
    """Crops of single text lines -> Readings, batched by width so padding wastes little work."""

    def __init__(self, path: Path, threads: int | None = None) -> None:
        try:
            import onnxruntime as ort
        except ImportError:
            raise ReadError(
                f"this is a scanned report and onnxruntime is not installed; {INSTALL_HINT}",
                stage="ocr",
            ) from None
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = (
            threads or int(os.environ.get("OGI_OCR_THREADS", 0)) or min(4, os.cpu_count() or 1)
        )
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        # idle threads yield the core:
        # with test workers or other processes on the same 2 cores, spinning measured 30% more CPU
        # for no speed
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        meta = self.session.get_modelmeta().custom_metadata_map
        if "character" not in meta:
            raise ReadError(
                f"{path.name} carries no character set (not the rapidocr 3.10 model); "
                f"{INSTALL_HINT}",
                stage="ocr",
            )
        chars = meta["character"].splitlines()
        self.chars = np.array(
            ["", *chars, " "], dtype=object
        )  # CTC blank first, space last (PP-OCR convention)
        self.digit_ids = np.array([i for i, c in enumerate(self.chars) if c in DIGITS or c == "."])

    def __call__(self, crops: list[np.ndarray]) -> list[Reading]:
        """Read each grey crop (one line of text, dark on light) into a Reading.

        Crops are padded to a width bucket of their own, never to their batch's widest: the
        network's reading of a cell then does not depend on which other cells share its batch.
        """
        buckets: dict[int, list[int]] = {}
        for k, crop in enumerate(crops):
            buckets.setdefault(_bucket(_input_width(crop)), []).append(k)
        out: list[Reading | None] = [None] * len(crops)
        name = self.session.get_inputs()[0].name
        for width, members in sorted(buckets.items()):
            step = max(1, BATCH_COLUMNS // width)
            for i in range(0, len(members), step):
                idx = members[i : i + step]
                probs = self.session.run(
                    None, {name: np.stack([_normalize(crops[k], width) for k in idx])}
                )[0]
                for n, k in enumerate(idx):
                    out[k] = self.decode(probs[n])
        return out  # type: ignore[return-value]

    def decode(self, probs: np.ndarray) -> Reading:
        """Greedy CTC decoding; for numbers, also the one-digit edits the network gave real weight
        to.
        """
        best = probs.argmax(axis=1)
        spans: list[tuple[int, int, int]] = []  # (class, first step, last step)
        for t, k in enumerate(best):
            if k != 0 and spans and spans[-1][0] == k and spans[-1][2] == t - 1:
                spans[-1] = (k, spans[-1][1], t)
            elif k != 0:
                spans.append((int(k), t, t))
        text = "".join(self.chars[k] for k, _, _ in spans)
        confs = [float(probs[a : b + 1, k].max()) for k, a, b in spans]
        alts = self._alternatives(probs, spans) if NUMERIC.fullmatch(text) else ()
        return Reading(text, min(confs) if confs else 1.0, alts)

    def _alternatives(self, probs: np.ndarray, spans) -> tuple[tuple[str, float], ...]:
        """One-digit substitutions, insertions and deletions, each with its probability among these
        readings.

        Candidates come from the digits that had weight somewhere along the best path; each is then
        scored over every alignment (the CTC forward sum), so a blank between two 8s that was nearly
        an 8 is judged for what it means (one 8 instead of two), not step by step.
        """
        ids = tuple(k for k, _, _ in spans)
        edits: set[tuple[int, ...]] = set()
        for i, (k, a, b) in enumerate(spans):
            weights = probs[a : b + 1, self.digit_ids].max(axis=0)
            edits |= {
                ids[:i] + (int(d),) + ids[i + 1 :]
                for d, p in zip(self.digit_ids, weights)
                if d != k and p >= ALT_MIN
            }
            if len(ids) > 1 and probs[a : b + 1, 0].max() >= ALT_MIN:
                edits.add(ids[:i] + ids[i + 1 :])
        blanks = np.flatnonzero(probs.argmax(axis=1) == 0)
        for t in blanks:
            pos = sum(1 for _, _, b in spans if b < t)
            d = int(self.digit_ids[int(probs[t, self.digit_ids].argmax())])
            if probs[t, d] >= ALT_MIN:
                edits.add(ids[:pos] + (d,) + ids[pos:])
                if 0 < pos < len(ids) and ids[pos - 1] == ids[pos] == d:
                    edits.add(
                        ids[:pos] + ids[pos + 1 :]
                    )  # the blank between two equal digits nearly joined them
        edits.discard(ids)
        if not edits:
            return ()
        ordered = [ids, *sorted(edits)]
        logp = np.array([ctc_log_likelihood(probs, seq) for seq in ordered])
        post = np.exp(logp - logp.max())
        post /= post.sum()
        found = [
            ("".join(self.chars[k] for k in seq), float(p))
            for seq, p in zip(ordered[1:], post[1:])
            if p >= ALT_MIN
        ]
        return tuple(sorted(found, key=lambda kv: -kv[1])[:8])


def ctc_log_likelihood(probs: np.ndarray, labels: tuple[int, ...]) -> float:
    """log P(labels | image) summed over every CTC alignment (blank = class 0): the forward
    algorithm.
    """
    ext = np.zeros(2 * len(labels) + 1, dtype=int)
    ext[1::2] = labels
    logp = np.log(np.maximum(probs[:, ext], 1e-30))
    skip = np.zeros(len(ext), bool)
    skip[3::2] = (
        ext[3::2] != ext[1:-2:2]
    )  # a label may follow the previous label directly unless they repeat
    alpha = np.full(len(ext), -np.inf)
    alpha[:2] = logp[0, :2]
    for t in range(1, len(probs)):
        prev = alpha.copy()
        prev[1:] = np.logaddexp(prev[1:], alpha[:-1])
        prev[2:] = np.where(skip[2:], np.logaddexp(prev[2:], alpha[:-2]), prev[2:])
        alpha = prev + logp[t]
    return float(np.logaddexp(alpha[-1], alpha[-2]) if len(ext) > 1 else alpha[-1])


def _input_width(crop: np.ndarray) -> int:
    h, w = crop.shape[:2]
    return max(1, math.ceil(HEIGHT * w / max(1, h)))


def _bucket(width: int) -> int:
    return max(MIN_WIDTH, -(-width // BUCKET) * BUCKET)


def _normalize(crop: np.ndarray, width: int) -> np.ndarray:
    """A grey crop scaled to the model's height, in [-1, 1], padded on the right to `width`."""
    import cv2

    w = min(width, _input_width(crop))
    interp = cv2.INTER_AREA if crop.shape[0] > HEIGHT else cv2.INTER_LINEAR
    scaled = cv2.resize(crop, (w, HEIGHT), interpolation=interp).astype(np.float32) / 127.5 - 1.0
    out = np.full((3, HEIGHT, width), PAD, np.float32)
    out[:, :, :w] = scaled
    return out
